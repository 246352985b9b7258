# %% step:seed
import numpy as np

rng = np.random.default_rng(42)
# %% step:sample-a
a = rng.normal(size=3)
# %% step:sample-b
b = rng.integers(0, 100, size=4)
# %% step:report
print(a.round(6).tolist(), b.tolist())
