# %% step:config
import numpy as np

config = {"lr": 0.01, "epochs": 3, "layers": [16, 8]}
weights = np.arange(6, dtype=float)
lookup = {"a": 1, "b": 2, "c": 3}
# %% step:tune
config["lr"] = 0.1
config["layers"][0] = 32
weights[2:4] = -1.0
del lookup["b"]
# %% step:use
schedule = [config["lr"] / (epoch + 1) for epoch in range(config["epochs"])]
total = float(weights.sum()) + sum(lookup.values())
print(schedule, total, config["layers"])
