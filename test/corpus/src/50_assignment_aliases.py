# %% step:base
base = [1, 2]
history = log = []
# %% step:alias
alias = base
settings = {"nested": {"depth": 1}}
inner = settings["nested"]
# %% step:mutate
alias.append(3)
log.append("mutated")
inner["depth"] = 5
# %% step:report
print(base, history, settings)
