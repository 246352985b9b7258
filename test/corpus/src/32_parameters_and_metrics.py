# %% pipeline-parameters
n_points = 20
noise = 0.1
degree = 2
# %% step:generate
import numpy as np

rng = np.random.default_rng(3)
x = np.linspace(-1, 1, n_points)
y = 1.5 * x**2 - 0.5 * x + rng.normal(0, noise, n_points)
# %% step:fit
coefficients = np.polyfit(x, y, degree)
# %% step:score
def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))

error = rmse(np.polyval(coefficients, x), y)
leading = float(coefficients[0])
# %% pipeline-metrics
error
leading
