# %% step:source
numbers = list(range(10))
# %% step:consume
evens = (n for n in numbers if n % 2 == 0)
first_two = [next(evens), next(evens)]
rest = list(evens)
# %% step:report
print(first_two, rest)
