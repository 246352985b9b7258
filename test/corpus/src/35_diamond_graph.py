# %% step:source
import pandas as pd

base = pd.DataFrame({"k": list("abcd"), "v": [1, 2, 3, 4]})
# %% step:left
left = base.assign(v2=base["v"] * 2)
# %% step:right
right = base.assign(v3=base["v"] ** 3)
# %% step:join
joined = left.merge(right[["k", "v3"]], on="k")
print(joined.to_dict("list"))
