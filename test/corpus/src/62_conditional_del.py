# %% [markdown]
# `del` under a condition may leave the name bound.
# %% step:make
cache = {"k": 1}
keep = True
# %% step:maybe-drop
if not keep:
    del cache
# %% step:report
print(cache)
