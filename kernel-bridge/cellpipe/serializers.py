"""Type-aware saving and loading of step outputs: npy, parquet, pickle (protocol 5), cloudpickle.

Optional libraries are used only when the value already comes from them (numpy, pandas) or when
plain pickle cannot save a value (cloudpickle); nothing here imports them otherwise.

Functions defined in `__main__` (the notebook's) travel by value, with the standard library only: their code
object as `marshal` bytes, their defaults, closure cells and `__dict__` pickled as usual. Loading re-binds them to
the loading process's `__main__` globals, so the globals they read at call time are the consumer's, as in the
notebook. `marshal` is specific to a Python minor version: the producer and consumer must run the same one.
Outputs that share objects are saved together as one pickle of `{name: value}` (a group) to keep them shared.
"""

import hashlib
import io
import json
import marshal
import os
import pickle
import queue
import sys
import threading
import types

from cellpipe import tracebacks

NPY, PARQUET, PICKLE, CLOUDPICKLE = "npy", "parquet", "pickle", "cloudpickle"
EXTENSIONS = {NPY: ".npy", PARQUET: ".parquet", PICKLE: ".pkl", CLOUDPICKLE: ".pkl"}
_CHUNK = 16 * 1024 * 1024
_SERIES_COLUMN = "__cellpipe_series__"
_METADATA_KEY = b"cellpipe"
# numpy kinds .npy stores without pickle: bool, ints, floats, complex, datetimes, bytes, str, plain records.
_NPY_KINDS = frozenset("biufcmMSUV")


class Untravelable(Exception):
    """A value that cannot be saved for another process; `kind` says what it is in words.

    `member` names the group member holding it, when a group was being saved.
    """

    def __init__(self, value_type, kind, member=None):
        super().__init__(kind)
        self.value_type = value_type
        self.kind = kind
        self.member = member


class LoadError(Exception):
    pass


def type_name(value_or_type):
    cls = value_or_type if isinstance(value_or_type, type) else type(value_or_type)
    return cls.__qualname__ if cls.__module__ == "builtins" else "{}.{}".format(cls.__module__, cls.__qualname__)


class HashingWriter:
    """A write-only file wrapper that hashes what goes through it on a second thread, overlapping hashing with disk
    writes (both release the GIL), so the sha256 costs neither a second read nor write speed."""

    def __init__(self, handle):
        self._handle = handle
        self._sha256 = hashlib.sha256()
        self._pending = queue.Queue(maxsize=8)
        self._hasher = threading.Thread(target=self._hash_pending, name="cellpipe-sha256", daemon=True)
        self._hasher.start()
        self.bytes = 0

    def _hash_pending(self):
        for data in iter(self._pending.get, None):
            self._sha256.update(data)

    def write(self, data):
        self._pending.put(data)
        self.bytes += memoryview(data).nbytes
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._pending.put(None)
        self._hasher.join()

    def hexdigest(self):
        """The digest of everything written; valid once the `with` block ended."""
        return self._sha256.hexdigest()


def _hash_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest(), os.path.getsize(path)


# --- what cannot travel ---------------------------------------------------------------------------


def _untravelable_kinds():
    """(type, words) pairs for values bound to this process; modules not yet imported cannot have instances."""
    import _thread
    import threading
    import types

    kinds = [
        (types.GeneratorType, "generator"),
        (types.CoroutineType, "coroutine"),
        (types.AsyncGeneratorType, "async generator"),
        (types.FrameType, "stack frame"),
        (types.TracebackType, "traceback"),
        (_thread.LockType, "lock"),
        (_thread.RLock, "lock"),
        (threading.Condition, "lock"),
        (threading.Semaphore, "lock"),
        (threading.Event, "threading event"),
        (threading.Thread, "thread"),
        (io.IOBase, "open file"),
    ]
    lazy = [
        ("socket", "socket", "socket"),
        ("sqlite3", "Connection", "database connection"),
        ("sqlite3", "Cursor", "database cursor"),
        ("subprocess", "Popen", "running subprocess"),
        ("mmap", "mmap", "memory map"),
        ("asyncio", "AbstractEventLoop", "event loop"),
        ("concurrent.futures", "Executor", "executor"),
        ("multiprocessing.pool", "Pool", "process pool"),
    ]
    for module_name, attribute, words in lazy:
        module = sys.modules.get(module_name)
        cls = getattr(module, attribute, None) if module is not None else None
        if isinstance(cls, type):
            kinds.append((cls, words))
    return kinds


class _Checker:
    def __init__(self):
        self._kinds = _untravelable_kinds()
        self._types = tuple(cls for cls, _ in self._kinds)
        self.last_seen = None

    def check(self, obj):
        self.last_seen = obj
        # In-memory buffers pickle fine even though they are file objects.
        if isinstance(obj, self._types) and not isinstance(obj, (io.BytesIO, io.StringIO)):
            words = next(words for cls, words in self._kinds if isinstance(obj, cls))
            raise Untravelable(type(obj), words)


def _generic_words(cls, error):
    if cls.__name__ == "function" and cls.__module__ == "builtins" and not _has_cloudpickle():
        return "lambda or nested function, which only cloudpickle can save, and cloudpickle is not installed"
    lowered = "{}.{}".format(cls.__module__, cls.__name__).lower()
    if any(part in lowered for part in ("connection", "cursor", "sql", "psycopg", "mongo", "redis", "engine")):
        return "database connection"
    return "object that pickle cannot save ({})".format(str(error).splitlines()[0] if str(error) else type(error).__name__)


# --- functions by value ---------------------------------------------------------------------------

_PYTHON = tuple(sys.version_info[:2])


def _function_skeleton(python, code, name, closure):
    """A function of the saved code bound to this process's `__main__`; its state is set once it is memoized."""
    if tuple(python) != _PYTHON:
        raise ValueError(
            "function {} was saved by Python {}.{} and cannot be loaded by Python {}.{}: run every step with the "
            "same Python".format(name, python[0], python[1], *_PYTHON)
        )
    return types.FunctionType(marshal.loads(code), sys.modules["__main__"].__dict__, name, None, closure)


def _set_function_state(function, state):
    function.__defaults__ = state["defaults"]
    function.__kwdefaults__ = state["kwdefaults"]
    function.__dict__.update(state["dict"])
    function.__qualname__ = state["qualname"]
    function.__annotations__ = state["annotations"]
    function.__doc__ = state["doc"]
    function.__module__ = state["module"]
    # Tracebacks through the function name its notebook cell and show its lines in this process too.
    tracebacks.adopt(function.__code__.co_filename, state.get("origin"))
    return function


def _empty_cell():
    return types.CellType()


def _fill_cell(cell, state):
    cell.cell_contents = state[0]
    return cell


def _reduce_by_value(obj):
    """The reduction of a notebook function or closure cell; None for anything else."""
    if isinstance(obj, types.FunctionType) and obj.__module__ == "__main__":
        state = {
            "defaults": obj.__defaults__,
            "kwdefaults": obj.__kwdefaults__,
            "dict": obj.__dict__,
            "qualname": obj.__qualname__,
            "annotations": obj.__annotations__,
            "doc": obj.__doc__,
            "module": obj.__module__,
            "origin": tracebacks.portable_origin(obj.__code__.co_filename),
        }
        arguments = (_PYTHON, marshal.dumps(obj.__code__), obj.__name__, obj.__closure__)
        return _function_skeleton, arguments, state, None, None, _set_function_state
    if isinstance(obj, types.CellType):
        try:
            contents = (obj.cell_contents,)
        except ValueError:
            # An empty cell (a free variable not yet bound) stays empty: no state.
            contents = None
        return _empty_cell, (), contents, None, None, _fill_cell
    return None


def _standard_stream(obj):
    """A reference to `sys.stdout` (or stderr, stdin) when `obj` is one: the loading process uses its own."""
    if not isinstance(obj, io.IOBase):
        return None
    for name in ("stdout", "stderr", "stdin"):
        if obj is getattr(sys, name, None) or obj is getattr(sys, "__{}__".format(name), None):
            return getattr, (sys, name)
    return None


def _pickle_to(writer, value, checker):
    class CheckingPickler(pickle.Pickler):
        def reducer_override(self, obj):
            stream = _standard_stream(obj)
            if stream:
                return stream
            checker.check(obj)
            return _reduce_by_value(obj) or NotImplemented

    CheckingPickler(writer, protocol=5).dump(value)


def _cloudpickle_to(writer, value, checker):
    import cloudpickle

    class CheckingCloudPickler(cloudpickle.Pickler):
        def reducer_override(self, obj):
            stream = _standard_stream(obj)
            if stream:
                return stream
            checker.check(obj)
            return _reduce_by_value(obj) or super().reducer_override(obj)

    CheckingCloudPickler(writer, protocol=5).dump(value)


def _has_cloudpickle():
    try:
        import cloudpickle  # noqa: F401
    except ImportError:
        return False
    return True


def _save_pickled(value, path):
    """Plain pickle first (notebook classes by reference); cloudpickle for what pickle rejects (lambdas, closures)."""
    attempts = [(PICKLE, _pickle_to)] + ([(CLOUDPICKLE, _cloudpickle_to)] if _has_cloudpickle() else [])
    failure = None
    for serializer, dump in attempts:
        checker = _Checker()
        try:
            with open(path, "wb") as handle, HashingWriter(handle) as writer:
                dump(writer, value, checker)
            return path, _entry(serializer, value, writer.hexdigest(), writer.bytes)
        except Untravelable:
            raise
        except Exception as error:  # noqa: BLE001 - picklers raise many types for values they reject
            failure = (error, checker.last_seen)
    error, offender = failure
    offender_type = type(offender) if offender is not None else type(value)
    raise Untravelable(offender_type, _generic_words(offender_type, error))


# --- saving ---------------------------------------------------------------------------------------


def _is_npy_array(value):
    if type(value).__module__ != "numpy" or type(value).__name__ != "ndarray":
        return False
    return value.dtype.kind in _NPY_KINDS and not value.dtype.hasobject


def _is_pandas(value):
    pandas = sys.modules.get("pandas")
    return pandas is not None and type(value) in (pandas.DataFrame, pandas.Series)


def _write_npy(array, writer):
    """The .npy format written straight from the array's memory in large slices: no whole-array copy."""
    import numpy

    header = numpy.lib.format.header_data_from_array_1_0(array)
    try:
        numpy.lib.format.write_array_header_1_0(writer, header)
    except ValueError:
        numpy.lib.format.write_array_header_2_0(writer, header)
    if array.flags.c_contiguous or array.flags.f_contiguous:
        # A Fortran-ordered array is written as its transpose, which is C-contiguous; the header says so.
        contiguous = array if array.flags.c_contiguous else array.T
        _write_contiguous(contiguous, writer)
    elif array.ndim and array.shape[0]:
        rows = max(1, _CHUNK // max(1, array[0].nbytes))
        for start in range(0, array.shape[0], rows):
            _write_contiguous(numpy.ascontiguousarray(array[start : start + rows]), writer)


def _write_contiguous(array, writer):
    import numpy

    if not array.size or not array.itemsize:
        return
    flat = memoryview(array.reshape(-1).view(numpy.uint8))
    for start in range(0, flat.nbytes, _CHUNK):
        writer.write(flat[start : start + _CHUNK])


def _try_parquet(value, path):
    """Writes `value` as parquet when reading it back gives an identical object; False (and no file) otherwise."""
    try:
        import pyarrow  # noqa: F401 - only to know the fast path is there
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    try:
        _write_parquet(value, path)
        if _round_trips_exactly(value, path):
            return True
    except Exception:  # noqa: BLE001 - any failure of the fast path means pickle keeps the value exact
        pass
    if os.path.exists(path):
        os.remove(path)
    return False


def _write_parquet(value, path):
    import pyarrow
    import pyarrow.parquet

    pandas = sys.modules["pandas"]
    is_series = isinstance(value, pandas.Series)
    frame = value.to_frame(name=_SERIES_COLUMN) if is_series else value
    table = pyarrow.Table.from_pandas(frame)
    marker = json.dumps({"series": is_series, "name": value.name if is_series else None}).encode()
    metadata = dict(table.schema.metadata or {})
    metadata[_METADATA_KEY] = marker
    pyarrow.parquet.write_table(table.replace_schema_metadata(metadata), path)


# Rows read back to prove the schema of a frame whose every value Arrow stores exactly.
_SAMPLE_ROWS = 1000


def _round_trips_exactly(value, path):
    """True when reading `path` back gives `value`.

    Numbers, booleans, datetimes, categoricals and pure-string columns keep every value through Arrow, so for
    those a small sample proves dtypes, index and names without reading the whole file back; anything else
    (objects, mixed types) is compared in full.
    """
    if len(value) > _SAMPLE_ROWS and _arrow_keeps_values(value):
        sample = value.iloc[:_SAMPLE_ROWS]
        sample_path = path + ".sample"
        try:
            _write_parquet(sample, sample_path)
            loaded = _read_parquet(sample_path)
            return _pandas_identical(sample, loaded) and _block_layout(value) == _block_layout(loaded)
        finally:
            if os.path.exists(sample_path):
                os.remove(sample_path)
    loaded = _read_parquet(path)
    return _pandas_identical(value, loaded) and _block_layout(value) == _block_layout(loaded)


def _block_layout(value):
    """How a frame's columns sit in memory: which columns share a 2-D block, and each block's memory order.

    numpy sums a contiguous array in memory order, so a frame whose `to_numpy()` comes back in the other order
    gives different float results: such a frame must travel by pickle, which keeps its blocks as they are.
    The block manager is pandas' internal API; without it nothing is compared.
    """
    pandas = sys.modules["pandas"]
    if isinstance(value, pandas.Series):
        return None
    try:
        blocks = value._mgr.blocks
        return sorted(
            (
                tuple(int(location) for location in block.mgr_locs.as_array),
                str(block.dtype),
                getattr(block.values, "ndim", 1),
                bool(getattr(getattr(block.values, "flags", None), "c_contiguous", True)),
                bool(getattr(getattr(block.values, "flags", None), "f_contiguous", True)),
            )
            for block in blocks
        )
    except AttributeError:
        return None


def _arrow_keeps_values(value):
    pandas = sys.modules["pandas"]
    frame = value.to_frame() if isinstance(value, pandas.Series) else value
    columns = [frame.iloc[:, position] for position in range(frame.shape[1])]
    levels = [frame.index.get_level_values(level) for level in range(frame.index.nlevels)]
    infer = pandas.api.types.infer_dtype
    return all(values.dtype != object or infer(values, skipna=False) == "string" for values in columns + levels)


def _index_identical(left, right):
    if type(left) is not type(right) or list(left.names) != list(right.names) or left.dtype != right.dtype:
        return False
    if hasattr(left, "levels") and [level.dtype for level in left.levels] != [level.dtype for level in right.levels]:
        return False
    return left.equals(right)


def _pandas_identical(original, loaded):
    pandas = sys.modules["pandas"]
    if type(original) is not type(loaded) or not _index_identical(original.index, loaded.index):
        return False
    if original.attrs != loaded.attrs:
        return False
    if isinstance(original, pandas.Series):
        same_name = type(original.name) is type(loaded.name) and (original.name == loaded.name or original.name is None)
        return same_name and original.dtype == loaded.dtype and original.equals(loaded)
    if not _index_identical(original.columns, loaded.columns):
        return False
    return list(original.dtypes) == list(loaded.dtypes) and original.equals(loaded)


def _read_parquet(path):
    import pandas
    import pyarrow.parquet

    metadata = pyarrow.parquet.read_schema(path).metadata or {}
    marker = json.loads(metadata.get(_METADATA_KEY, b"{}"))
    frame = pandas.read_parquet(path, engine="pyarrow")
    if marker.get("series"):
        series = frame[_SERIES_COLUMN]
        series.name = marker.get("name")
        return series
    return frame


def save(value, path_stem):
    """Writes `value` to `path_stem` + extension; returns (path, manifest entry without `file`).

    Raises Untravelable for a value that cannot be saved; then no file is left behind.
    """
    try:
        return _save(value, path_stem)
    except BaseException:
        for extension in set(EXTENSIONS.values()):
            if os.path.exists(path_stem + extension):
                os.remove(path_stem + extension)
        raise


def _save(value, path_stem):
    if _is_npy_array(value):
        path = path_stem + EXTENSIONS[NPY]
        with open(path, "wb") as handle, HashingWriter(handle) as writer:
            _write_npy(value, writer)
        return path, _entry(NPY, value, writer.hexdigest(), writer.bytes)
    if _is_pandas(value):
        path = path_stem + EXTENSIONS[PARQUET]
        if _try_parquet(value, path):
            digest, size = _hash_file(path)
            return path, _entry(PARQUET, value, digest, size)
    return _save_pickled(value, path_stem + EXTENSIONS[PICKLE])


class _Discard:
    def write(self, data):
        return memoryview(data).nbytes


def save_group(values, path_stem):
    """Writes the `{name: value}` dict `values` as one pickle, so objects shared among them stay shared on load."""
    path = path_stem + EXTENSIONS[PICKLE]
    try:
        return _save_pickled(values, path)
    except BaseException as error:
        if os.path.exists(path):
            os.remove(path)
        if isinstance(error, Untravelable):
            error.member = next((name for name in values if not _travels(values[name])), None)
        raise


def _travels(value):
    """Whether `value` alone pickles (for naming the member of a group that does not)."""
    dumps = [_pickle_to] + ([_cloudpickle_to] if _has_cloudpickle() else [])
    for dump in dumps:
        try:
            dump(_Discard(), value, _Checker())
            return True
        except Untravelable:
            return False
        except Exception:  # noqa: BLE001 - picklers raise many types for values they reject
            continue
    return False


# Immutable leaves whose identity no notebook can observe usefully (small ints and strings are shared by CPython).
_IDENTITYLESS = (int, float, complex, str, bytes, bool, type(None), range, type, types.ModuleType)


def _is_opaque(value):
    """numpy and pandas objects: shared as a whole, never walked (cheap on big data)."""
    return type(value).__module__.split(".")[0] in ("numpy", "pandas")


def _children(current):
    """What `current` holds that may be shared: container items, closure and default values, instance attributes."""
    children = []
    if isinstance(current, dict):
        children.extend(dict.keys(current))
        children.extend(dict.values(current))
    elif isinstance(current, (list, tuple, set, frozenset)):
        children.extend(current)
    elif isinstance(current, types.FunctionType):
        # Functions travel by value: what their closures and defaults hold is shared like any contents.
        children.extend(current.__closure__ or ())
        children.extend(current.__defaults__ or ())
        children.extend((current.__kwdefaults__ or {}).values())
    elif isinstance(current, types.CellType) and current.cell_contents is not None:
        children.append(current.cell_contents)
    instance_dict = getattr(current, "__dict__", None)
    if isinstance(instance_dict, dict):
        children.append(instance_dict)
    return children


def _reachable_ids(value):
    """Ids of the objects with identity reachable from `value` through containers and instance `__dict__`s."""
    seen = set()
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, _IDENTITYLESS) or id(current) in seen:
            continue
        seen.add(id(current))
        if _is_opaque(current):
            continue
        try:
            pending.extend(_children(current))
        except Exception:  # noqa: BLE001 - an empty cell, or an object whose attributes raise, is a leaf
            continue
    return seen


def sharing_groups(named_values):
    """The names of `named_values` partitioned so that names whose values share an object are in one group, in order."""
    owner = {}
    parent = {name: name for name in named_values}

    def root(name):
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name, value in named_values.items():
        for object_id in _reachable_ids(value):
            if object_id in owner:
                parent[root(name)] = root(owner[object_id])
            else:
                owner[object_id] = name
    groups = {}
    for name in named_values:
        groups.setdefault(root(name), []).append(name)
    return list(groups.values())


def _entry(serializer, value, digest, size):
    return {"serializer": serializer, "type": type_name(value), "sha256": digest, "bytes": size}


# --- loading --------------------------------------------------------------------------------------


def load(path, serializer, make_unpickler, key=None, mapped=False):
    """The value saved at `path`; `make_unpickler(file)` builds the Unpickler (it defines notebook classes on demand).

    `key` (a manifest entry's `key`) names the member to return from a group file. `mapped` loads an array as a
    private map of its file (`cellpipe.mapped`), so the run-time check can see what the step wrote into it.
    """
    if key is not None:
        return load_group(path, serializer, make_unpickler)[key]
    if serializer == NPY:
        try:
            import numpy
        except ImportError:
            raise LoadError("it was saved as a numpy array, and numpy is not installed here")
        if mapped:
            from cellpipe import mapped as mapped_arrays

            return mapped_arrays.load_npy(path)
        return numpy.load(path, allow_pickle=False)
    if serializer == PARQUET:
        try:
            return _read_parquet(path)
        except ImportError:
            raise LoadError("it was saved as parquet, and pandas with pyarrow is not installed here")
    if serializer in (PICKLE, CLOUDPICKLE):
        with open(path, "rb") as handle:
            return make_unpickler(handle).load()
    raise LoadError("unknown serializer {!r}".format(serializer))


def load_group(path, serializer, make_unpickler):
    """Every member of the group file at `path`, as a `{name: value}` dict."""
    if serializer not in (PICKLE, CLOUDPICKLE):
        raise LoadError("a group of outputs must be a pickle, not {!r}".format(serializer))
    members = load(path, serializer, make_unpickler)
    if not isinstance(members, dict):
        raise LoadError("{} holds a {}, not a group of outputs".format(path, type_name(members)))
    return members
