# %% step:factories
def make_scaler(k):
    def scale(v):
        return v * k
    return scale

def make_counter():
    count = 0
    def bump():
        nonlocal count
        count += 1
        return count
    return bump
# %% step:build
double = make_scaler(2)
triple = make_scaler(3)
bump = make_counter()
bump()
# %% step:use
results = [double(5), triple(5), bump(), bump()]
print(results)
