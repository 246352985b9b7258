# %% step:config
CONFIG = {"min_len": 3, "stopwords": {"the", "a", "of"}, "lowercase": True}
# %% functions
def normalize(word):
    return word.lower() if CONFIG["lowercase"] else word

def keep(word):
    return len(word) >= CONFIG["min_len"] and normalize(word) not in CONFIG["stopwords"]

def tokenize(text):
    return [normalize(w) for w in text.split() if keep(w)]
# %% step:first-pass
docs = ["The Art of Data", "A Study of Pipelines", "Graphs and the Cells"]
tokens = [tokenize(d) for d in docs]
# %% step:tweak-config
CONFIG["min_len"] = 5
CONFIG["stopwords"].add("graphs")
# %% step:second-pass
tokens_strict = [tokenize(d) for d in docs]
print(tokens, tokens_strict)
