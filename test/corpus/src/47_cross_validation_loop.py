# %% step:data
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold

X, y = load_diabetes(return_X_y=True)
X, y = X[:120], y[:120]
# %% step:folds
kfold = KFold(n_splits=4, shuffle=True, random_state=0)
fold_scores = []
models = []
for fold, (train_idx, test_idx) in enumerate(kfold.split(X)):
    ridge = Ridge(alpha=1.0).fit(X[train_idx], y[train_idx])
    fold_scores.append(ridge.score(X[test_idx], y[test_idx]))
    models.append(ridge)
# %% step:summary
mean_score = float(np.mean(fold_scores))
coef_norms = [float(np.linalg.norm(m.coef_)) for m in models]
print(round(mean_score, 6), fold, [round(c, 4) for c in coef_norms])
