# %% step:define
scale = 2.0

def scaled(xs):
    return [x * scale for x in xs]

def make_offsetter(offset):
    def shift(xs):
        return [x + offset + bias for x in xs]
    return shift
# %% step:rebind
scale = 10.0
bias = 0.5
shift_by_one = make_offsetter(1)
# %% step:call
points = scaled([1.0, 2.0, 3.0])
shifted = shift_by_one(points)
print(points, shifted)
