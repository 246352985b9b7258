# %% step:source
record = ("id-7", (3.5, 4.5, 5.5, 6.5), {"tag": "x"})
sequence = list(range(8))
# %% step:unpack
ident, (first, *middle, last), meta = record
head, *tail = sequence
(a, b), c = (1, 2), 3
left = right = "shared"
# %% step:combine
print(ident, first, middle, last, meta["tag"], head, tail[-1], a + b + c, left, right)
