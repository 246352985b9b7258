# %% [markdown]
# Parameters keep Python's literal semantics: floats, tuples, int dict keys, big ints.
# %% pipeline-parameters
rate = 1.0
shape = (2, 3)
labels = {1: "one", 2: "two"}
big = 123456789012345678901234567890
# %% step:use
kinds = [type(rate).__name__, type(shape).__name__, type(next(iter(labels))).__name__]
scaled = rate * 3
digits = len(str(big))
print(kinds, scaled, shape, labels[1], big + 1, digits)
