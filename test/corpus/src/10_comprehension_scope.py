# %% step:data
x = "global x"
rows = [(1, "a"), (2, "b"), (3, "c")]
# %% step:comprehensions
squares = [x * x for x, _ in rows]
letters = {x: y for x, y in rows}
unique = {y.upper() for _, y in rows}
total = sum(x for x, _ in rows)
nested = [[i * j for j in range(i)] for i in range(3)]
# %% step:check
print(x, squares, letters, unique, total, nested)
