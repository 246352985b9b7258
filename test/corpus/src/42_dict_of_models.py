# %% step:data
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)
scaler = StandardScaler().fit(X_train)
X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)
# %% step:models
models = {"logreg": LogisticRegression(max_iter=1000), "tree": DecisionTreeClassifier(max_depth=3, random_state=0)}
# %% step:fit-all
for name, estimator in models.items():
    estimator.fit(X_train_s, y_train)
# %% step:evaluate
scores = {name: round(float(m.score(X_test_s, y_test)), 6) for name, m in models.items()}
best = max(scores, key=scores.get)
print(scores, best)
# %% pipeline-metrics
best
