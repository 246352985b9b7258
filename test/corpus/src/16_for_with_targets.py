# %% step:write-file
import os

path = os.path.join(os.getcwd(), "scratch_corpus_notes.txt")
with open(path, "w") as fh:
    for i in range(5):
        fh.write(f"line {i}\n")
# %% step:read-file
with open(path) as handle, open(path) as again:
    lines = handle.read().splitlines()
    same = again.read().splitlines() == lines
for index, line in enumerate(lines):
    pass
# %% step:use
print(i, index, line, same, len(lines))
