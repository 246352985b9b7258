# %% [markdown]
# Names used inside `query` and `eval` strings are reads.
# %% step:data
import pandas as pd

frame = pd.DataFrame({"a": [1, 5, 9], "b": [2, 4, 6]})
# %% step:limits
limit = 3
factor = 10
# %% step:filter
big = frame.query("a > @limit")
scaled = frame.eval("a * @factor + b")
print(big["a"].tolist(), scaled.tolist())
