# %% step:define
base = 3
pairs = [("a", 3), ("b", 1), ("c", 2)]
by_count = lambda pair: pair[1]

def weighted(x, factor=base):
    return x * factor
# %% step:rebind
base = 100
sort_desc = lambda seq: sorted(seq, key=by_count, reverse=True)
# %% step:use
ranked = sort_desc(pairs)
weights = [weighted(v) for _, v in ranked]
print(ranked, weights, base)
