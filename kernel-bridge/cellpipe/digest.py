"""Stable content digests of Python values, for detecting mutation and comparing values across processes.

Two values that are equal after a pickle round trip get the same digest: numpy arrays hash dtype, shape
and bytes; pandas objects hash their values (``pd.util.hash_pandas_object``), columns, dtypes and index;
containers are walked recursively (dicts and sets without regard to order, as ``==`` does); other objects are walked through the same ``__reduce_ex__`` protocol
pickle uses, so their digest covers exactly the state that travels. Values that cannot be reduced (open
files, generators, locks) get an identity digest, which never matches a value from another process.
Standard library only; numpy and pandas are used when the value is one of theirs.
"""

from __future__ import annotations

import functools
import hashlib
import types
import weakref
from typing import Any

_SCALARS = (type(None), bool, int, float, complex, str, bytes, bytearray)
# Past this many objects a value is a structure (a figure, a shell), not data to compare: its identity is digested.
_MAX_OBJECTS = 200_000
_CODE_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType, type)


def digest(value: Any) -> str:
    """Hex sha256 of the value's content; ``opaque:`` prefixed when only its identity can be hashed."""
    if _is_heavy(value):
        return _identity(value)
    walker = _Walker(value)
    try:
        walker.feed(value)
    except _Opaque as opaque:
        # Walked once to the budget, never again: the tracer and the check digest the same objects step after step.
        _remember_heavy(opaque.value)
        return _identity(opaque.value)
    except RecursionError:
        return _identity(value)
    return walker.hash.hexdigest()


# id -> reference of the objects that exceeded the budget in this process (the reference keeps the id theirs).
_HEAVY: dict = {}


def _identity(value: Any) -> str:
    return f"opaque:{type(value).__module__}.{type(value).__qualname__}:{id(value):x}"


def _is_heavy(value: Any) -> bool:
    reference = _HEAVY.get(id(value))
    return reference is not None and reference() is value


def _remember_heavy(value: Any) -> None:
    try:
        _HEAVY[id(value)] = weakref.ref(value)
    except TypeError:
        _HEAVY[id(value)] = lambda: value


def value_kind(name: str, value: Any) -> str:
    """How cellpipe moves the value bound to ``name``: re-executed code ('module', 'function', 'class') or a 'value'."""
    if isinstance(value, types.ModuleType):
        return "module"
    defined_here = getattr(value, "__module__", None) == "__main__"
    if isinstance(value, type):
        return "class" if defined_here else "module"
    if isinstance(value, types.FunctionType):
        if not defined_here:
            return "module"
        # A `def` binds its own name; a lambda or a closure returned by a factory is bound by assignment.
        return "function" if value.__qualname__ == name else "value"
    if isinstance(value, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return "module"
    return "value"


class _Opaque(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class _Walker:
    def __init__(self, root: Any) -> None:
        self.hash = hashlib.sha256()
        self.memo: dict = {}
        # Temporaries made while walking (reduce tuples) must stay alive, or their ids could be reused.
        self.keep: list = []
        self.root = root
        # Objects with huge graphs (a shell, a figure) are not data to compare: give up and use their identity.
        self.budget = _MAX_OBJECTS

    def write(self, *parts: Any) -> None:
        for part in parts:
            data = part if isinstance(part, (bytes, bytearray, memoryview)) else str(part).encode("utf-8", "surrogatepass")
            self.hash.update(memoryview(data).nbytes.to_bytes(8, "little"))
            self.hash.update(data)

    def feed(self, value: Any) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _Opaque(self.root)
        kind = type(value)
        if kind in _SCALARS:
            self.write(kind.__name__, value if isinstance(value, (bytes, bytearray)) else repr(value))
            return
        key = id(value)
        if key in self.memo:
            self.write("ref", self.memo[key])
            return
        self.memo[key] = len(self.memo)
        self.keep.append(value)
        module = getattr(kind, "__module__", "") or ""
        if module.startswith("numpy") and self.feed_numpy(value):
            return
        if module.startswith("pandas") and self.feed_pandas(value):
            return
        if kind in (list, tuple):
            if all(type(item) in _SCALARS for item in value):
                # One repr for a sequence of plain numbers or strings: exact, and C speed for big lists.
                self.write(kind.__name__ + " of scalars", len(value), repr(value))
                return
            self.write(kind.__name__, len(value))
            for item in value:
                self.feed(item)
        elif kind is dict:
            self.feed_mapping("dict", value.items())
        elif kind in (set, frozenset):
            self.write(kind.__name__, *sorted(self.sub_digest(item) for item in value))
        elif isinstance(value, _CODE_TYPES):
            self.feed_code(value)
        else:
            self.feed_reduced(value)

    def sub_digest(self, value: Any) -> str:
        """The digest of a set item or mapping key, for sorting: its repr for a scalar; else walked within this budget."""
        kind = type(value)
        if kind in _SCALARS:
            return f"{kind.__name__}:{value!r}"
        walker = _Walker(self.root)
        walker.budget = self.budget
        walker.feed(value)
        self.budget = walker.budget
        return walker.hash.hexdigest()

    def feed_mapping(self, label: str, items: Any) -> None:
        """Order-insensitive, like ``==`` on dicts: insertion order can follow set iteration, which differs per process."""
        keyed = sorted(((self.sub_digest(key), key, item) for key, item in items), key=lambda entry: entry[0])
        self.write(label, len(keyed))
        for key_digest, _key, item in keyed:
            self.write(key_digest)
            self.feed(item)

    def feed_items(self, label: str, items: Any) -> None:
        pairs = list(items)
        self.write(label, len(pairs))
        for key, item in pairs:
            self.feed(key)
            self.feed(item)

    def feed_code(self, value: Any) -> None:
        if isinstance(value, types.ModuleType):
            self.write("module", value.__name__)
        elif isinstance(value, types.MethodType):
            owner = value.__self__
            self.write("method", value.__func__.__qualname__, type(owner).__module__, type(owner).__qualname__)
            # A method of a library object (``get_ipython``) would drag that whole object graph in.
            if getattr(type(owner), "__module__", "") == "__main__":
                self.feed(owner)
        elif isinstance(value, types.FunctionType):
            self.write("function", value.__module__, value.__qualname__)
            self.feed_codeobject(value.__code__)
            self.feed(value.__defaults__)
            self.feed(value.__kwdefaults__)
            self.feed(tuple(_cell_contents(cell) for cell in value.__closure__ or ()))
            self.feed(dict(value.__dict__))
        elif isinstance(value, type):
            self.write("class", value.__module__, value.__qualname__)
            if value.__module__ == "__main__":
                state = {k: v for k, v in vars(value).items() if not (k.startswith("__") and k.endswith("__"))}
                self.feed_items("classdict", sorted(state.items()))
        else:
            self.write("builtin", getattr(value, "__module__", ""), getattr(value, "__qualname__", repr(value)))

    def feed_codeobject(self, code: types.CodeType) -> None:
        self.write("code", code.co_code, code.co_names, code.co_varnames)
        for constant in code.co_consts:
            if isinstance(constant, types.CodeType):
                self.feed_codeobject(constant)
            else:
                self.feed(constant)

    def feed_numpy(self, value: Any) -> bool:
        import numpy as np

        if isinstance(value, np.ndarray):
            self.write("ndarray", type(value).__name__, value.dtype.str, value.shape)
            if value.dtype.hasobject:
                for item in value.ravel(order="C").tolist():
                    self.feed(item)
            else:
                # Hashed in place: a copy would double the memory and the time for a big array.
                contiguous = value if value.flags.c_contiguous else np.ascontiguousarray(value)
                self.write(memoryview(contiguous.reshape(-1).view(np.uint8)) if contiguous.nbytes else b"")
            return True
        if isinstance(value, np.generic):
            self.write("npscalar", value.dtype.str, value.tobytes() if not value.dtype.hasobject else repr(value))
            return True
        if isinstance(value, np.dtype):
            self.write("dtype", value.str, repr(value))
            return True
        return False

    def feed_pandas(self, value: Any) -> bool:
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            self.write("DataFrame", value.shape, [str(t) for t in value.dtypes])
            self.feed_index(value.columns)
            self.feed_index(value.index)
            for position in range(value.shape[1]):
                self.feed_column(value.iloc[:, position])
            self.feed(dict(value.attrs))
            return True
        if isinstance(value, pd.Series):
            self.write("Series", str(value.dtype))
            self.feed(value.name)
            self.feed_index(value.index)
            self.feed_column(value)
            return True
        if isinstance(value, pd.Index):
            self.feed_index(value)
            return True
        return False

    def feed_index(self, index: Any) -> None:
        self.write("Index", type(index).__name__, str(index.dtype))
        self.feed(list(index.names))
        self.feed_column(index.to_series(index=None) if hasattr(index, "to_series") else index)

    def feed_column(self, column: Any) -> None:
        import pandas as pd

        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            self.write("categories", dtype.ordered)
            self.feed_index(dtype.categories)
        try:
            hashed = pd.util.hash_pandas_object(column, index=False, categorize=False)
        except TypeError:
            for item in column.tolist():
                self.feed(item)
            return
        self.write(str(dtype), hashed.to_numpy().tobytes())

    def feed_reduced(self, value: Any) -> None:
        try:
            reduced = value.__reduce_ex__(4)
        except Exception:
            raise _Opaque(value) from None
        if isinstance(reduced, str):
            self.write("global", type(value).__module__, reduced)
            return
        self.keep.append(reduced)
        self.write("object", type(value).__module__, type(value).__qualname__)
        constructor, args = reduced[0], reduced[1]
        self.write(getattr(constructor, "__qualname__", repr(constructor)))
        self.feed(args)
        state = reduced[2] if len(reduced) > 2 else None
        if isinstance(state, dict):
            # A `functools.cached_property` entry is derived from the rest, filled on first access (networkx's `G.adj`).
            cached = _cached_properties(type(value))
            items = [pair for pair in state.items() if pair[0] not in cached]
            self.feed_items("state", sorted(items, key=lambda pair: str(pair[0])))
        else:
            self.feed(state)
        if len(reduced) > 3 and reduced[3] is not None:
            self.feed(list(reduced[3]))
        if len(reduced) > 4 and reduced[4] is not None:
            self.feed_mapping("dictitems", reduced[4])


_CACHED_PROPERTIES: dict = {}


def _cached_properties(cls: type) -> frozenset:
    """Names of the `functools.cached_property` attributes of `cls` and its bases."""
    names = _CACHED_PROPERTIES.get(cls)
    if names is None:
        names = frozenset(
            name
            for klass in getattr(cls, "__mro__", ())
            for name, attribute in vars(klass).items()
            if isinstance(attribute, functools.cached_property)
        )
        _CACHED_PROPERTIES[cls] = names
    return names


def _cell_contents(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return "<empty cell>"
