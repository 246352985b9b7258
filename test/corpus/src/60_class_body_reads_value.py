# %% [markdown]
# A class body that reads a notebook value; instances used in later steps.
# %% step:config
THRESHOLD = 3
# %% step:define
class Rule:
    limit = THRESHOLD

    def passes(self, value):
        return value > self.limit


rule = Rule()
# %% step:apply
results = [rule.passes(v) for v in range(6)]
print(results, rule.limit)
