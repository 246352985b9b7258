# %% step:base
class Shape:
    sides = 0

    def describe(self):
        return f"{type(self).__name__} with {self.sides} sides and area {self.area():.2f}"
# %% step:subclasses
class Square(Shape):
    sides = 4

    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2


class Triangle(Shape):
    sides = 3

    def __init__(self, base, height):
        self.base, self.height = base, height

    def area(self):
        return self.base * self.height / 2
# %% step:instances
shapes = [Square(2), Triangle(3, 4), Square(1.5)]
# %% step:describe
Shape.sides = -1
descriptions = [s.describe() for s in shapes]
print(descriptions)
