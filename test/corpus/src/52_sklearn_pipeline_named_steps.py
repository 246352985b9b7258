# %% step:data
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_iris(return_X_y=True)
pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=300))])
# %% step:configure
classifier = pipe.named_steps["clf"]
classifier.set_params(C=0.05)
# %% step:fit
pipe.fit(X, y)
train_accuracy = round(float(pipe.score(X, y)), 6)
print(train_accuracy, pipe.named_steps["clf"].C)
# %% pipeline-metrics
train_accuracy
