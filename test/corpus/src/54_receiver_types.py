# %% [markdown]
# `add` and `sample` are pure on a DataFrame but change a set and a random.Random: the receiver decides.
# %% step:setup
import random

import pandas as pd

seen = set()
rng = random.Random(0)
frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
# %% step:collect
for word in ["a", "b", "a"]:
    seen.add(word)
picked = rng.sample(range(100), 3)
shifted = frame.add(1)
# %% step:report
more = rng.sample(range(100), 3)
print(sorted(seen), picked, more, shifted["a"].tolist())
