# %% step:helpers
import math

UNIT = "cm"

def to_unit(x):
    return f"{x:.2f}{UNIT}"
# %% step:more-helpers
def area(r):
    return math.pi * r ** 2

def describe(r):
    return f"circle r={to_unit(r)} area={to_unit(area(r))}"
# %% step:constants
UNIT = "mm"
radii = [1, 2.5, 4]
# %% step:describe
descriptions = [describe(r) for r in radii]
print("\n".join(descriptions))
