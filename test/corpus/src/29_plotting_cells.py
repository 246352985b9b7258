# %% step:data
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

xs = np.linspace(0, 2 * np.pi, 40)
ys = np.sin(xs)
# %% step:plot
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(xs, ys, label="sin")
ax.set_title("A wave")
ax.legend()
line_count = len(ax.lines)
plt.close(fig)
# %% step:stats
amplitude = float(ys.max() - ys.min())
print(line_count, round(amplitude, 6))
