# %% imports
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split
# %% pipeline-parameters
test_size = 0.3
seed = 0
# %% step:load
X, y = load_iris(return_X_y=True)
# %% step:split
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
# %% step:train
model = LogisticRegression(max_iter=500)
model.fit(X_train, y_train)
# %% step:evaluate
predictions = model.predict(X_test)
accuracy = accuracy_score(y_test, predictions)
matrix = confusion_matrix(y_test, predictions)
print(accuracy, matrix.tolist())
# %% pipeline-metrics
accuracy
