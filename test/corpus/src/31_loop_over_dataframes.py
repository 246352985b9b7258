# %% step:frames
import numpy as np
import pandas as pd

rng = np.random.default_rng(7)
jan = pd.DataFrame({"units": rng.integers(1, 10, 5), "price": rng.uniform(1, 5, 5).round(2)})
feb = pd.DataFrame({"units": rng.integers(1, 10, 5), "price": rng.uniform(1, 5, 5).round(2)})
mar = pd.DataFrame({"units": rng.integers(1, 10, 5), "price": rng.uniform(1, 5, 5).round(2)})
months = {"jan": jan, "feb": feb, "mar": mar}
# %% step:revenue
for name, frame in months.items():
    frame["revenue"] = frame["units"] * frame["price"]
    frame["month"] = name
# %% step:discount
for frame in (jan, feb):
    frame.loc[frame["units"] > 5, "price"] *= 0.9
# %% step:combine
year = pd.concat([jan, feb, mar], ignore_index=True)
print(year.groupby("month")["revenue"].sum().round(2).to_dict(), round(float(jan["price"].sum()), 4))
