# %% [markdown]
# Objects passed to constructors and calls (positional or keyword) are reached through the result too.
# %% step:build
from types import SimpleNamespace

import numpy as np
from sklearn.ensemble import AdaBoostRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


class Box:
    def __init__(self, items):
        self.items = items


X = np.arange(40, dtype=float).reshape(20, 2)
y = X[:, 0] * 2 + 1
scaler = StandardScaler()
model = Ridge(alpha=1.0)
pipe = make_pipeline(scaler, model)
base = Ridge(alpha=0.5)
boost = AdaBoostRegressor(estimator=base, n_estimators=3, random_state=0)
inner = [1, 2]
holder = SimpleNamespace(item=inner)
xs = [1]
box = Box(xs)
# %% step:fit-pipe
pipe.fit(X, y)
# %% step:use-model
coef = model.coef_.round(6).tolist()
# %% step:fit-boost
boost.fit(X, y)
# %% step:change-lists
inner.append(3)
xs.append(2)
# %% step:report
print(coef, scaler.mean_.tolist(), holder.item, box.items, len(boost.estimators_))
