# %% step:noisy
def chatty(n):
    for k in range(n):
        print("tick", k)
    return n * 2

level = 3
# %% step:captured
%%capture captured
result = chatty(level)
print("done")
# %% step:keep-text
captured_text = captured.stdout
# %% step:report
print(result, captured_text.count("tick"))
