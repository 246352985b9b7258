# %% step:commands
commands = [
    {"op": "scale", "arg": 3},
    {"op": "shift", "arg": -1},
    ("noop",),
]
value = 10
# %% step:interpret
for command in commands:
    match command:
        case {"op": "scale", "arg": factor}:
            value *= factor
        case {"op": op, "arg": amount}:
            value += amount
            last_op = op
        case (name,):
            skipped = name
        case _:
            pass
# %% step:result
print(value, last_op, skipped, factor, amount)
