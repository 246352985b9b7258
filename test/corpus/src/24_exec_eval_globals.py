# %% step:base
x = 4
y = 6
# %% step:dynamic
exec("z = x * 2")
w = eval("y + 1")
globals()["v"] = x + y
namespace = dict(vars())
# %% step:use
print(z, w, v, "x" in namespace)
