# %% step:load
import pandas as pd

train = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 6.0]})
test = pd.DataFrame({"a": [4.0, 5.0], "b": [8.0, 1.0]})
# %% step:helpers
def add_ratio(frame):
    frame["ratio"] = frame["a"] / frame["b"]

def add_flag(frame, column, limit):
    frame[column + "_high"] = frame[column] > limit
# %% step:engineer
add_ratio(train)
for df in [train, test]:
    add_flag(df, "a", 2)
add_ratio(test)
# %% step:report
print(train.to_dict("list"), test.to_dict("list"))
