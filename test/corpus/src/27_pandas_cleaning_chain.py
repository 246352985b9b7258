# %% [markdown]
# # Cleaning a small sales export
# %% step:load
import io

import pandas as pd

CSV = """order_id,customer,region,amount,date
1,Ann,north,120.5,2024-01-03
2,bob,SOUTH,,2024-01-04
3,Cid,north,99.0,2024-01-04
4,ann,east,15.25,2024-02-11
5,Dee,South,300.0,2024-02-12
5,Dee,South,300.0,2024-02-12
"""
raw = pd.read_csv(io.StringIO(CSV), parse_dates=["date"])
# %% skip
raw.head()
# %% step:clean
clean = (
    raw.drop_duplicates()
    .assign(customer=lambda d: d["customer"].str.title(), region=lambda d: d["region"].str.lower())
    .dropna(subset=["amount"])
    .reset_index(drop=True)
)
clean["month"] = clean["date"].dt.to_period("M").astype(str)
# %% step:aggregate
monthly = clean.pivot_table(index="month", columns="region", values="amount", aggfunc="sum", fill_value=0)
by_customer = clean.groupby("customer")["amount"].agg(["count", "sum"]).sort_values("sum", ascending=False)
# %% step:report
top_customer = by_customer.index[0]
print(monthly)
print(top_customer, float(by_customer["sum"].iloc[0]))
