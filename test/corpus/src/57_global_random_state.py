# %% [markdown]
# The global RNGs seeded in one step and drawn from in later steps.
# %% step:seed
import random

import numpy as np

random.seed(0)
np.random.seed(0)
# %% step:draw-a
first = random.random()
noise = np.random.rand(3)
# %% step:draw-b
second = random.randint(0, 1000)
more = np.random.randint(0, 1000, size=2)
# %% step:report
print(first, second, noise.round(6).tolist(), more.tolist())
