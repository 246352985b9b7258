# %% step:write-module
%%writefile scratch_corpus_helpers.py
def triple(x):
    return 3 * x
# %% step:use-module
import importlib
import scratch_corpus_helpers

importlib.reload(scratch_corpus_helpers)
numbers = [scratch_corpus_helpers.triple(n) for n in range(4)]
# %% step:report
print(numbers)
