# %% step:data
readings = [3, 8, 1, 9, 4]
limit = 5
# %% step:filter
high = [last := r for r in readings if r > limit]
running = [(acc := r * 2) for r in readings]
# %% step:report
if (n := len(high)) > 1:
    summary = f"{n} high readings, last {last}, acc {acc}"
print(summary, running, n)
