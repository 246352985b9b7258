"""The corpus's own digest of every notebook variable, written at a probe cell; independent of cellpipe's digest.

The harness appends a probe cell, `__import__("realworld_probe").dump("LABEL")`, after the last cell of every step, both
in the pipeline and in the top-to-bottom run; each probe writes one JSON file, name -> digest, into
$REALWORLD_PROBE_DIR. The digest follows a value's content (arrays by bytes, frames column by column, objects
by their attributes, random generators by their state), never an object's identity or address.
"""

import hashlib
import json
import math
import os
import re
import sys
import types

_MAX_DEPTH = 8
_MAX_NODES = 200_000
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# IPython's own names in a kernel namespace; they are not notebook variables.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class _Digest:
    def __init__(self):
        self._hash = hashlib.sha256()
        self._nodes = 0
        self._path = set()
        self.truncated = False

    def hexdigest(self):
        return self._hash.hexdigest()

    def _feed(self, *parts):
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
            self._hash.update(len(data).to_bytes(8, "little"))
            self._hash.update(data)

    def visit(self, value, depth=0):
        self._nodes += 1
        if self._nodes > _MAX_NODES or depth > _MAX_DEPTH:
            self.truncated = True
            self._feed("cut")
            return
        kind = type(value)
        if value is None or kind in (bool, int, str, bytes, complex):
            self._feed(kind.__name__, repr(value))
        elif kind is float:
            self._feed("float", repr(value) if not math.isnan(value) else "nan")
        elif isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)):
            # Code is re-executed in every step, not transferred: its name is what must match.
            self._feed("code", getattr(value, "__module__", ""), getattr(value, "__qualname__", value.__name__))
        elif id(value) in self._path:
            self._feed("cycle")
        else:
            self._path.add(id(value))
            try:
                self._container(value, kind, depth)
            finally:
                self._path.discard(id(value))

    def _container(self, value, kind, depth):
        module = kind.__module__ or ""
        name = f"{module}.{kind.__qualname__}"
        self._feed("type", name)
        if module.startswith("matplotlib"):
            return  # figures and artists hold renderer state that differs from one draw to the next
        if module.startswith("numpy") and _numpy(self, value, depth):
            return
        if module.startswith("pandas") and _pandas(self, value, depth):
            return
        if isinstance(value, (list, tuple)):
            self._feed(len(value))
            for item in value:
                self.visit(item, depth + 1)
        elif isinstance(value, dict):
            self._feed(len(value))
            for key, item in value.items():
                self.visit(key, depth + 1)
                self.visit(item, depth + 1)
        elif isinstance(value, (set, frozenset)):
            self._feed(len(value), *sorted(_single(item) for item in value))
        elif hasattr(value, "getstate") and hasattr(value, "random") and module == "random":
            self.visit(value.getstate(), depth + 1)
        else:
            self._attributes(value, depth)

    def _attributes(self, value, depth):
        state = getattr(value, "__dict__", None)
        slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ()) if isinstance(s, str)]
        if state is None and not slots:
            self._feed("repr", _ADDRESS.sub("", _safe_repr(value)))
            return
        items = dict(state or {})
        for slot in slots:
            if slot not in items and slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
                items[slot] = getattr(value, slot)
        for key in sorted(items, key=str):
            self._feed(key)
            self.visit(items[key], depth + 1)


def _numpy(digest, value, depth):
    import numpy as np

    if isinstance(value, np.ndarray):
        digest._feed(value.dtype.str, value.shape)
        if value.dtype.hasobject:
            digest._feed(len(value.ravel()))
            for item in value.ravel():
                digest.visit(item, depth + 1)
        else:
            digest._feed(np.ascontiguousarray(value).tobytes())
        return True
    if isinstance(value, np.generic):
        digest._feed(value.dtype.str, np.asarray(value).tobytes())
        return True
    if isinstance(value, np.random.RandomState):
        digest.visit(value.get_state(legacy=False), depth + 1)
        return True
    if isinstance(value, np.random.Generator):
        digest.visit(value.bit_generator.state, depth + 1)
        return True
    return False


def _pandas(digest, value, depth):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        digest._feed(value.shape)
        _pandas(digest, value.index, depth)
        _pandas(digest, value.columns, depth)
        for position in range(value.shape[1]):
            column = value.iloc[:, position]
            digest._feed(str(column.dtype))
            digest.visit(column.to_numpy(), depth + 1)
        return True
    if isinstance(value, pd.Series):
        digest._feed(str(value.dtype), repr(value.name))
        _pandas(digest, value.index, depth)
        digest.visit(value.to_numpy(), depth + 1)
        return True
    if isinstance(value, pd.Index):
        digest._feed(type(value).__name__, str(value.dtype), repr(value.names))
        digest.visit(value.to_numpy(), depth + 1)
        return True
    return False


def _single(value):
    inner = _Digest()
    inner.visit(value)
    return inner.hexdigest()


def _safe_repr(value):
    try:
        return repr(value)
    except Exception as error:  # a repr that raises still says what the value is not
        return f"<repr failed: {type(error).__name__}>"


def digest_value(value):
    """The digest of one value: its hex SHA-256, suffixed with '~' when the walk was cut short."""
    walk = _Digest()
    try:
        walk.visit(value)
    except Exception as error:  # an attribute that raises on access: the digest names the failure instead
        return f"error:{type(error).__name__}"
    return walk.hexdigest() + ("~" if walk.truncated else "")


def variables(namespace):
    """The notebook's variables in a namespace: every global except dunder, private and kernel names."""
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and name not in _KERNEL_NAMES
    }


def dump(label):
    """Writes the digest of every variable of the caller's namespace to $REALWORLD_PROBE_DIR/LABEL.json."""
    namespace = sys._getframe(1).f_globals
    digests = {name: digest_value(value) for name, value in variables(namespace).items()}
    folder = os.environ["REALWORLD_PROBE_DIR"]
    path = os.path.join(folder, f"{label}.json")
    with open(f"{path}.tmp", "w", encoding="utf-8") as handle:
        json.dump(digests, handle, sort_keys=True)
    os.replace(f"{path}.tmp", path)
