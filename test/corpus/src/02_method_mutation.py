# %% step:collect
import collections

scores = []
seen = set()
counts = collections.Counter()
for word in "the cat sat on the mat with the hat".split():
    scores.append(len(word))
    seen.add(word)
# %% step:extend
scores.extend([10, 20])
scores.sort(reverse=True)
counts.update(w for w in seen if len(w) == 3)
seen.discard("the")
# %% step:report
top = scores[:3]
common = sorted(counts.items())
print(top, common, sorted(seen))
