# %% step:setup
seen = {}

def remember(key, value):
    seen[key] = value
    return value
# %% step:fill
squares = [remember(n, n * n) for n in range(4)]
cubes = {n: remember(-n, n ** 3) for n in range(1, 3)}
# %% step:report
print(squares, cubes, sorted(seen.items()))
