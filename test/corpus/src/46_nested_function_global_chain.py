# %% step:state
history = []
threshold = 10
# %% step:api
def check(v):
    return v > threshold

def log_check(v):
    outcome = check(v)
    history.append((v, outcome))
    return outcome

def batch(vs):
    return [log_check(v) for v in vs]
# %% step:raise-threshold
threshold = 20
# %% step:run
flags = batch([5, 15, 25])
# %% step:report
print(flags, history)
