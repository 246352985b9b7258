# %% imports
import statistics
# %% functions
def spread(values):
    return max(values) - min(values)
# %% block:load
values = [4, 8, 15, 16, 23, 42]
# %% block:describe prev:load
centre = statistics.mean(values)
width = spread(values)
# %% block:report prev:describe
print(centre, width)
