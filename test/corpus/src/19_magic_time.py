# %% step:prepare
import numpy as np

values = np.linspace(0, 1, 50)
# %% step:timed
%time mean_value = float(values.mean())
%timeit -n 1 -r 1 values.std()
# %% step:cell-timed
%%time
doubled = values * 2
peak = float(doubled.max())
# %% step:report
print(mean_value, peak)
