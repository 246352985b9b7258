# %% [markdown]
# A line starting with `%` inside parentheses is Python (black's formatting of %-strings), not a magic.
# %% step:format
count = 3
label = (
    "%d items"
    % (count,)
)
# %% step:report
print(label)
