# %%
import math

radius = 3
# %%
area = math.pi * radius ** 2
# %%
print(round(area, 3))
