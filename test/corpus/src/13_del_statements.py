# %% step:build
import pandas as pd

tmp = [1, 2, 3]
frame = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6], "scratch": [0, 0, 0]})
cache = {"k1": 1, "k2": 2}
# %% step:cleanup
total = sum(tmp)
del tmp
del frame["scratch"]
del cache["k1"]
# %% step:use
tmp = "rebound"
print(total, list(frame.columns), cache, tmp)
