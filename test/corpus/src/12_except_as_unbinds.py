# %% step:inputs
e = 2.718
raw = ["1", "2", "x", "4"]
# %% step:parse
parsed = []
errors = []
for token in raw:
    try:
        parsed.append(int(token))
    except ValueError as e:
        errors.append(str(e))
# %% step:use
e = 0.001
tolerance = e * 10
print(parsed, errors, tolerance)
