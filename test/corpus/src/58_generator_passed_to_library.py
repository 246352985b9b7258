# %% [markdown]
# A generator passed to a library call is advanced by it.
# %% step:setup
import numpy as np
from sklearn.model_selection import train_test_split

rng = np.random.RandomState(0)
X = np.arange(20).reshape(10, 2)
y = np.arange(10)
# %% step:split
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=rng)
# %% step:after
after = rng.rand()
print(y_test.tolist(), round(after, 6))
