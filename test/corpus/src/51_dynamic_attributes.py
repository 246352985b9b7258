# %% step:config
class Config:
    pass

cfg = Config()
overrides = {"lr": 0.5, "epochs": 2, "name": "run-a"}
# %% step:apply
for key, value in overrides.items():
    setattr(cfg, key, value)
# %% step:read
fields = {key: getattr(cfg, key) for key in sorted(overrides)}
print(fields, cfg.lr)
