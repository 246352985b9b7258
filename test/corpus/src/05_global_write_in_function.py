# %% step:setup
calls = 0
log = []

def record(event):
    global calls
    calls += 1
    log.append(event)

def reset_counter():
    global calls, last_reset
    calls = 0
    last_reset = "manual"
# %% step:work
for name in ["load", "clean", "fit"]:
    record(name)
# %% step:reset
reset_counter()
record("after-reset")
# %% step:report
print(calls, last_reset, log)
