# %% step:frame
import pandas as pd

df = pd.DataFrame({"name": ["b", "a", "c"], "score": [2.0, None, 5.0], "x": [1, 2, 3]})
# %% step:inplace
df.sort_values("name", inplace=True)
df.fillna({"score": 0.0}, inplace=True)
df.reset_index(drop=True, inplace=True)
df.columns = ["Name", "Score", "X"]
df.loc[df["X"] > 1, "Score"] += 10
# %% step:report
print(df.to_dict("list"))
