# %% step:deck
import random

deck = [f"{rank}{suit}" for suit in "SH" for rank in "A23"]
shuffler = random.Random(5)
# %% step:shuffle
shuffler.shuffle(deck)
hand = deck[:2]
# %% step:sort-copy
sorted_deck = sorted(deck)
# %% step:report
print(deck, hand, sorted_deck)
