# %% [markdown]
# Configuration calls and side-effect imports replay in later steps, in notebook order.
# %% step:configure
import os
import sys
import warnings

import pandas as pd
import sklearn
from sklearn.experimental import enable_halving_search_cv

pd.set_option("display.precision", 2)
warnings.filterwarnings("ignore", category=UserWarning)
sklearn.set_config(transform_output="pandas")
sys.path.append("extra-lib-folder")
os.environ["CELLPIPE_CORPUS_FLAG"] = "on"
# %% step:use
from sklearn.model_selection import HalvingGridSearchCV
from sklearn.preprocessing import StandardScaler

frame = pd.DataFrame({"a": [1.0, 2.0, 4.0]})
scaled = StandardScaler().fit_transform(frame)
kind = type(scaled).__name__
shown = repr(pd.DataFrame({"b": [1.23456]}))
flag = os.environ.get("CELLPIPE_CORPUS_FLAG")
on_path = "extra-lib-folder" in sys.path
filters = len(warnings.filters) > 0
search_name = HalvingGridSearchCV.__name__
# %% step:report
print(kind, shown, flag, on_path, filters, search_name)
