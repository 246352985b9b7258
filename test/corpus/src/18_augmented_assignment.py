# %% step:init
import numpy as np

total = 0
counts = {"a": 0, "b": 0}
arr = np.ones(4)
text = "start"
items = [1]
# %% step:accumulate
total += 5
counts["a"] += 2
arr *= 3
text += "-more"
items += [2, 3]
# %% step:again
total -= 1
arr[1:] += 1
# %% step:show
print(total, counts, arr.tolist(), text, items)
