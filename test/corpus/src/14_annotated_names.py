# %% step:defaults
threshold = 0.75
labels: list = ["low", "high"]
# %% step:declare
threshold: float
count: int
ratio: float = 0.5
# %% step:classify
scores = [0.2, 0.8, 0.9]
classes = [labels[s >= threshold] for s in scores]
print(classes, ratio)
