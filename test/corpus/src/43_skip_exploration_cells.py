# %% step:load
import pandas as pd

people = pd.DataFrame({"name": ["x", "y", "z"], "height": [1.7, 1.8, 1.65]})
# %% skip
people.describe()
people["height"].plot()
# %% step:derive
people["tall"] = people["height"] > 1.7
# %% skip
print(people)
# %% step:count
n_tall = int(people["tall"].sum())
print(n_tall)
