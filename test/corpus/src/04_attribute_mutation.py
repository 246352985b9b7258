# %% step:define
class Threshold:
    def __init__(self, value):
        self.value = value
        self.history = []

    def apply(self, xs):
        self.history.append(len(xs))
        return [x for x in xs if x >= self.value]
# %% step:create
rule = Threshold(0.5)
values = [0.1, 0.4, 0.6, 0.9, 0.55]
# %% step:adjust
rule.value = 0.3
rule.name = "lenient"
# %% step:apply
kept = rule.apply(values)
print(kept, rule.name, rule.history)
