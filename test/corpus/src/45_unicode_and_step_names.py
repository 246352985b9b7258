# %% step:Load_Data
größe = [1.62, 1.75, 1.80]
名前 = ["ä", "ö", "ü"]
# %% step:Compute.Stats
durchschnitt = sum(größe) / len(größe)
# %% step:REPORT
print(名前, round(durchschnitt, 4))
