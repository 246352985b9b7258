"""The corpus's own digest of every notebook variable, written at a probe cell; independent of cellpipe's digest.

The harness appends a probe cell, `import realworld_probe as _realworld_probe; _realworld_probe.dump("LABEL")`, after
the last cell of every step, both in the pipeline and in the top-to-bottom run; each probe writes one JSON file into
$REALWORLD_PROBE_DIR. The digest follows a value's content (arrays by bytes, frames column by column, objects
by their attributes, random generators by their state), never an object's identity or address.
"""

import functools
import hashlib
import io
import json
import math
import os
import re
import sys
import types

_MAX_DEPTH = 8
_MAX_NODES = 200_000
# Parts of a value recorded separately (path -> digest) down to this depth, for containers this small: a part
# that differs between two top-to-bottom runs (a timestamp inside a fit result) then excludes only that part.
_PART_DEPTH = 4
_PART_FANOUT = 64
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# IPython's own names in a kernel namespace; they are not notebook variables.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class _Walk:
    """A Merkle digest: a node's digest covers its type, its own data and its children's digests."""

    def __init__(self):
        self.nodes = 0
        self.truncated = False
        self.parts = {}
        self._path = set()

    def digest(self, value, path="", depth=0):
        self.nodes += 1
        if self.nodes > _MAX_NODES or depth > _MAX_DEPTH:
            self.truncated = True
            return _hash("cut")
        kind = type(value)
        if value is None or kind in (bool, int, str, bytes, complex):
            return _hash(kind.__name__, repr(value))
        if kind is float:
            return _hash("float", "nan" if math.isnan(value) else repr(value))
        if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
            # Code is re-executed in every step, not transferred: its name is what must match.
            return _hash("code", getattr(value, "__module__", ""), value.__qualname__)
        if isinstance(value, types.ModuleType):
            return _hash("module", value.__name__)
        if id(value) in self._path:
            return _hash("cycle")
        self._path.add(id(value))
        try:
            own, children = _parts_of(value, kind)
            keep = depth < _PART_DEPTH and len(children) <= _PART_FANOUT
            child_digests = []
            for key, child in children:
                child_path = f"{path}/{key}"
                child_digest = self.digest(child, child_path, depth + 1)
                if keep:
                    self.parts[child_path] = child_digest.hex()
                child_digests.append(_hash(key, child_digest))
            return _hash(*own, *child_digests)
        finally:
            self._path.discard(id(value))


def _hash(*parts):
    sha = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        sha.update(len(data).to_bytes(8, "little"))
        sha.update(data)
    return sha.digest()


def _parts_of(value, kind):
    """(the node's own data, its (key, child) pairs) for one value."""
    module = kind.__module__ or ""
    own = ["type", f"{module}.{kind.__qualname__}"]
    if module.startswith(("matplotlib", "mpl_toolkits")):
        return own, []  # figures and artists hold renderer state that differs from one draw to the next
    if isinstance(value, io.IOBase):
        return ["stream"], []  # where output goes (a library keeps sys.stderr: a kernel's, a step's), not a value
    if module.startswith("numpy"):
        found = _numpy(value)
        if found is not None:
            return own + found[0], found[1]
    if module.startswith("pandas"):
        found = _pandas(value)
        if found is not None:
            return own + found[0], found[1]
    if isinstance(value, (list, tuple)):
        return own + [len(value)], list(enumerate(value))
    if isinstance(value, dict):
        children = []
        for position, (key, item) in enumerate(value.items()):
            children.append((f"k{position}", key))
            children.append((_key(key, position), item))
        return own + [len(value)], children
    if isinstance(value, (set, frozenset)):
        return own + [len(value)] + sorted(_single(item) for item in value), []
    if module == "random" and hasattr(value, "getstate"):
        return own, [("state", value.getstate())]
    if getattr(kind, "__getstate__", None) not in (None, getattr(object, "__getstate__", None)):
        # The class says what its state is (what pickling, and so a pipeline, keeps): caches it leaves out do not count.
        try:
            return own + ["getstate"], [("state", value.__getstate__())]
        except Exception:  # a __getstate__ that needs more than the object: fall back to its attributes
            pass
    state = getattr(value, "__dict__", None)
    slots = [s for cls in kind.__mro__ for s in getattr(cls, "__slots__", ()) if isinstance(s, str)]
    if not isinstance(state, dict) and not slots:
        return own + ["repr", _ADDRESS.sub("", _safe_repr(value))], []
    # A functools.cached_property entry is a cache of the rest (networkx's `G.pred`), filled on first access.
    items = {key: item for key, item in (state or {}).items() if key not in _cached_properties(kind)}
    for slot in slots:
        if slot not in items and slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
            items[slot] = getattr(value, slot)
    return own, [(str(key), items[key]) for key in sorted(items, key=str)]


def _cached_properties(kind):
    return {
        name
        for cls in kind.__mro__
        for name, attribute in vars(cls).items()
        if isinstance(attribute, functools.cached_property)
    }


def _key(key, position):
    return str(key) if isinstance(key, (str, int)) else f"v{position}"


def _numpy(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        own = [value.dtype.str, value.shape]
        if value.dtype.hasobject:
            return own, list(enumerate(value.ravel()))
        return own + [np.ascontiguousarray(value).tobytes()], []
    if isinstance(value, np.generic):
        return [value.dtype.str, np.asarray(value).tobytes()], []
    if isinstance(value, np.random.RandomState):
        return [], [("state", value.get_state(legacy=False))]
    if isinstance(value, np.random.Generator):
        return [], [("state", value.bit_generator.state)]
    return None


def _pandas(value):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        columns = [(f"col{i}", value.iloc[:, i]) for i in range(value.shape[1])]
        return [value.shape], [("index", value.index), ("columns", value.columns)] + columns
    if isinstance(value, pd.Series):
        return [str(value.dtype), repr(value.name)], [("index", value.index), ("values", value.to_numpy())]
    if isinstance(value, pd.Index):
        return [type(value).__name__, str(value.dtype), repr(value.names)], [("values", value.to_numpy())]
    return None


def _single(value):
    return _Walk().digest(value).hex()


def _safe_repr(value):
    try:
        return repr(value)
    except Exception as error:  # a repr that raises still says what the value is not
        return f"<repr failed: {type(error).__name__}>"


def digest_value(value):
    """{"": digest of the whole value, "/path": digest of a part, ...}; '~' marks a walk that was cut short."""
    walk = _Walk()
    try:
        whole = walk.digest(value).hex()
    except Exception as error:  # an attribute that raises on access: the digest names the failure instead
        return {"": f"error:{type(error).__name__}"}
    return {"": whole + ("~" if walk.truncated else ""), **walk.parts}


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
