# %% step:classes
from dataclasses import dataclass, field


@dataclass
class Account:
    owner: str
    balance: float = 0.0
    entries: list = field(default_factory=list)

    def deposit(self, amount):
        self.balance += amount
        self.entries.append(amount)


class Ledger:
    def __init__(self):
        self.accounts = {}

    def open(self, owner):
        self.accounts[owner] = Account(owner)
        return self.accounts[owner]
# %% step:open-accounts
ledger = Ledger()
alice = ledger.open("alice")
bob = ledger.open("bob")
# %% step:transactions
alice.deposit(100)
bob.deposit(40)
alice.deposit(-25)
# %% step:statement
statement = {name: (acct.balance, len(acct.entries)) for name, acct in ledger.accounts.items()}
print(statement, alice.balance)
