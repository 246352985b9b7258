# %% step:flags
use_median = True
data = [5, 1, 9, 3, 7]
# %% step:choose
if use_median:
    ordered = sorted(data)
    centre = ordered[len(ordered) // 2]
else:
    centre = sum(data) / len(data)
while centre > 3:
    centre -= 2
    if centre < 4:
        break
# %% step:report
print(centre)
