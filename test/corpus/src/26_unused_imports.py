# %% step:imports
import os
import sys
import json
import re
from collections import OrderedDict, defaultdict
# %% step:work
pattern = re.compile(r"\d+")
found = pattern.findall("a1 b22 c333")
groups = defaultdict(list)
for token in found:
    groups[len(token)].append(token)
# %% step:report
print(dict(groups))
