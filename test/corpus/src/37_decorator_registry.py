# %% step:registry
REGISTRY = {}

def register(name):
    def wrap(fn):
        REGISTRY[name] = fn
        return fn
    return wrap
# %% step:plugins
@register("upper")
def to_upper(s):
    return s.upper()

@register("reverse")
def to_reverse(s):
    return s[::-1]
# %% step:run-plugins
outputs = {name: fn("cellpipe") for name, fn in sorted(REGISTRY.items())}
print(outputs)
