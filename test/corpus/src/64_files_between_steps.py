# %% [markdown]
# Files written by one step and read by a later one, by path literal.
# %% step:make
import joblib
import numpy as np
import pandas as pd
from pathlib import Path

frame = pd.DataFrame({"a": [1, 2, 3]})
# %% step:write
frame.to_csv("corpus-64-frame.csv", index=False)
np.save("corpus-64-array.npy", np.arange(4))
Path("corpus-64-note.txt").write_text("hello")
joblib.dump({"k": 1}, "corpus-64-model.joblib")
# %% step:read
back = pd.read_csv("corpus-64-frame.csv")
arr = np.load("corpus-64-array.npy")
note = Path("corpus-64-note.txt").read_text()
model = joblib.load("corpus-64-model.joblib")
print(back["a"].tolist(), arr.tolist(), note, model)
# %% step:clean-up
import os

os.remove("corpus-64-frame.csv")
os.remove("corpus-64-array.npy")
Path("corpus-64-note.txt").unlink()
os.remove("corpus-64-model.joblib")
