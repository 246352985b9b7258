# %% step:raw
import pandas as pd

df = pd.DataFrame({"city": ["a", "b", "a", "c"], "sales": [10, 20, 30, None]})
# %% step:dropna
df = df.dropna()
# %% step:aggregate
df = df.groupby("city", as_index=False)["sales"].sum()
# %% step:rename
df = df.rename(columns={"sales": "total_sales"})
# %% step:report
print(df.to_dict("records"))
