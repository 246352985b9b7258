# %% step:imports
from math import *
from statistics import *
# %% step:compute
radius = 2.0
circumference = 2 * pi * radius
root = sqrt(circumference)
middle = median([3, 1, 2])
# %% step:report
print(round(circumference, 4), round(root, 4), middle, floor(root))
