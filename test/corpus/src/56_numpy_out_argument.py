# %% [markdown]
# `out=` writes into an existing array.
# %% step:make
import numpy as np

b = np.zeros(3)
total = np.ones(3)
# %% step:accumulate
np.add(b, 1, out=b)
np.multiply(total, 3, out=total)
# %% step:report
print(b.tolist(), total.tolist())
