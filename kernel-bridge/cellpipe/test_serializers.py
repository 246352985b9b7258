"""Outputs saved by one real step process and loaded by another (or by this process) come back equal."""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd

from cellpipe.api import RUNTIME_PARENT, load_action, load_output, make_spec, run_spec

ARRAYS = """
import numpy as np
ints = np.arange(24, dtype=np.int64).reshape(4, 6)
fortran = np.asfortranarray(np.linspace(0, 1, 30, dtype=np.float32).reshape(5, 6))
strided = np.arange(100.0).reshape(10, 10)[::2, 1::3]
dates = np.array(['2020-01-01', '2021-06-30'], dtype='datetime64[ns]')
records = np.array([(1, 2.5, b'ab'), (3, 4.5, b'cd')], dtype=[('a', 'i4'), ('b', 'f8'), ('c', 'S2')])
scalar = np.array(7.5)
empty = np.zeros((0, 3))
flags = np.array([True, False, True])
objects = np.array([{'a': 1}, None], dtype=object)
"""
ARRAY_NAMES = ["ints", "fortran", "strided", "dates", "records", "scalar", "empty", "flags", "objects"]


def _expected(source):
    namespace = {}
    exec(source, namespace)
    return namespace


def _file_digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_numpy_arrays_round_trip_as_npy_unless_they_hold_objects(tmp_path):
    result = run_spec(make_spec("arrays", [ARRAYS], outputs=ARRAY_NAMES), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    expected = _expected(ARRAYS)
    for name in ARRAY_NAMES:
        entry = result.manifest["outputs"][name]
        assert entry["serializer"] == ("pickle" if name == "objects" else "npy"), name
        loaded = load_output(tmp_path / "out", name)
        assert type(loaded) is np.ndarray
        assert loaded.dtype == expected[name].dtype and loaded.shape == expected[name].shape
        if name == "objects":
            assert list(loaded) == list(expected[name])
        else:
            np.testing.assert_array_equal(loaded, expected[name])
    assert load_output(tmp_path / "out", "fortran").flags.f_contiguous


def test_manifest_records_the_sha256_and_size_of_every_file(tmp_path):
    result = run_spec(make_spec("arrays", [ARRAYS], outputs=ARRAY_NAMES), tmp_path / "out")
    for entry in result.manifest["outputs"].values():
        path = tmp_path / "out" / entry["file"]
        assert entry["bytes"] == os.path.getsize(path)
        assert entry["sha256"] == _file_digest(path)


FRAMES = """
import pandas as pd
frame = pd.DataFrame(
    {
        'count': [3, 1, 2],
        'kind': pd.Categorical(['b', 'a', 'b'], categories=['a', 'b', 'c'], ordered=True),
        'when': pd.to_datetime(['2024-01-01 10:00', '2024-02-01 00:00', '2024-03-01 12:30']).tz_localize('Europe/Paris'),
        'ratio': [0.5, float('nan'), 1.5],
        'label': ['x', None, 'z'],
    },
    index=pd.Index([10, 20, 30], name='row_id'),
)
multi = frame.set_index(['kind', 'count'])
series = pd.Series([1.5, 2.5], index=pd.Index(['a', 'b'], name='key'), name='score')
unnamed = pd.Series([1, 2, 3])
int_columns = pd.DataFrame({1: [1, 2], 2: [3, 4]})
mixed = pd.DataFrame({'m': [1, 'two', 3.0]})
"""
FRAME_NAMES = ["frame", "multi", "series", "unnamed", "int_columns", "mixed"]


def test_dataframes_round_trip_exactly_through_parquet_or_fall_back_to_pickle(tmp_path):
    result = run_spec(make_spec("frames", [FRAMES], outputs=FRAME_NAMES), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    outputs = result.manifest["outputs"]
    assert outputs["frame"]["serializer"] == "parquet"
    assert outputs["multi"]["serializer"] == "parquet"
    assert outputs["series"]["serializer"] == "parquet"
    # Parquet stores column names as strings, so integer column names only survive pickling.
    assert outputs["int_columns"]["serializer"] == "pickle"
    expected = _expected(FRAMES)
    for name in FRAME_NAMES:
        loaded = load_output(tmp_path / "out", name)
        assert type(loaded) is type(expected[name]), name
        if isinstance(loaded, pd.DataFrame):
            pd.testing.assert_frame_equal(loaded, expected[name], check_exact=True)
            assert list(loaded.dtypes) == list(expected[name].dtypes)
        else:
            pd.testing.assert_series_equal(loaded, expected[name], check_exact=True)
            assert loaded.name == expected[name].name
        pd.testing.assert_index_equal(loaded.index, expected[name].index, exact=True)


LARGE_FRAMES = """
import pandas as pd
rows = 5000
typed = pd.DataFrame({'n': range(rows), 'x': [i / 7 for i in range(rows)], 'word': ['w%d' % i for i in range(rows)]})
lists = pd.DataFrame({'n': range(rows), 'items': [[i, i + 1] for i in range(rows)]})
late_none = pd.DataFrame({'word': ['w'] * (rows - 1) + [None]})
"""


def test_large_frames_use_parquet_only_where_every_value_survives_it(tmp_path):
    # Past the sampled rows, only columns Arrow stores exactly may skip the full read-back check.
    names = ["typed", "lists", "late_none"]
    result = run_spec(make_spec("large", [LARGE_FRAMES], outputs=names), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    outputs = result.manifest["outputs"]
    assert outputs["typed"]["serializer"] == "parquet"
    # Arrow would turn the lists into arrays: the full check sends the frame to pickle.
    assert outputs["lists"]["serializer"] == "pickle"
    expected = _expected(LARGE_FRAMES)
    for name in names:
        pd.testing.assert_frame_equal(load_output(tmp_path / "out", name), expected[name], check_exact=True)
    assert load_output(tmp_path / "out", "lists")["items"].iloc[-1] == [4999, 5000]


def test_a_scikit_learn_model_predicts_the_same_after_travelling(tmp_path):
    train = (
        "from sklearn.datasets import load_iris\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "X, y = load_iris(return_X_y=True)\n"
        "model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)\n"
        "before = model.predict_proba(X)"
    )
    producer = run_spec(make_spec("train", [train], outputs=["model", "X", "before"]), tmp_path / "train")
    assert producer.returncode == 0, producer.stderr
    assert producer.manifest["outputs"]["model"]["serializer"] == "pickle"
    consumer_spec = make_spec(
        "score",
        [{"id": "s", "index": 1, "source": "import numpy as np\nsame = bool(np.array_equal(model.predict_proba(X), before))"}],
        metrics=["same"],
        prepare=[load_action(name, "train", tmp_path / "train") for name in ("model", "X", "before")],
    )
    consumer = run_spec(consumer_spec, tmp_path / "score")
    assert consumer.returncode == 0, consumer.stderr
    assert consumer.manifest["metrics"] == {"same": True}


POINT = "class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n\n    def norm2(self):\n        return self.x ** 2 + self.y ** 2\n"
LABELLED = "class Labelled(Point):\n    def __init__(self, x, y, label):\n        super().__init__(x, y)\n        self.label = label\n"


def test_instances_of_notebook_classes_travel_by_reference_and_are_defined_on_demand(tmp_path):
    producer_spec = make_spec(
        "make",
        [
            {"id": "defs", "index": 0, "source": POINT + "\n" + LABELLED},
            {"id": "use", "index": 1, "source": "points = [Point(3, 4), Labelled(1, 2, 'p')]"},
        ],
        outputs=["points"],
    )
    producer = run_spec(producer_spec, tmp_path / "make")
    assert producer.returncode == 0, producer.stderr
    entry = producer.manifest["outputs"]["points"]
    assert entry["serializer"] == "pickle"
    with open(tmp_path / "make" / entry["file"], "rb") as handle:
        assert b"norm2" not in handle.read()  # by reference: the class body is not in the file
    consumer_spec = make_spec(
        "use",
        [{"id": "c", "index": 2, "source": "norms = [p.norm2() for p in points]\nlabel = points[1].label\nkinds = [type(p).__name__ for p in points]"}],
        metrics=["norms", "label", "kinds"],
        prepare=[load_action("points", "make", tmp_path / "make")],
        definitions={"Point": {"source": POINT, "cellId": "defs"}, "Labelled": {"source": LABELLED, "cellId": "defs"}},
    )
    consumer = run_spec(consumer_spec, tmp_path / "use")
    assert consumer.returncode == 0, consumer.stderr
    assert consumer.manifest["metrics"] == {"norms": [25, 5], "label": "p", "kinds": ["Point", "Labelled"]}


FUNCTIONS = """
offset = 10
base = 3
shift = lambda v: v + offset
def weighted(x, factor=base, *, extra=base * 2):
    \"\"\"Weights x.\"\"\"
    return x * factor + extra
weighted.tag = 'w'
def make_counter():
    count = 0
    def bump():
        nonlocal count
        count += 1
        return count
    def read():
        return count
    return bump, read
bump, read = make_counter()
bump()
def countdown(n):
    return [] if n == 0 else [n] + countdown(n - 1)
"""


def test_notebook_functions_travel_by_value_and_read_the_consumers_globals(tmp_path):
    outputs = ["shift", "weighted", "bump", "read", "countdown"]
    producer = run_spec(make_spec("make", [FUNCTIONS], outputs=outputs), tmp_path / "make")
    assert producer.returncode == 0, producer.stderr
    assert {entry["serializer"] for entry in producer.manifest["outputs"].values()} == {"pickle"}
    consumer_source = (
        "offset = 1000\n"
        "base = 100\n"
        "results = repr([shift(1), weighted(2), bump(), bump(), read(), countdown(3)])\n"
        "details = [weighted.tag, weighted.__doc__, weighted.__qualname__, weighted.__module__, shift.__globals__ is globals()]"
    )
    consumer = run_spec(
        make_spec("use", [consumer_source], metrics=["results", "details"], prepare=[load_action(name, "make", tmp_path / "make") for name in outputs]),
        tmp_path / "use",
    )
    assert consumer.returncode == 0, consumer.stderr
    # Defaults keep their definition-time values (3 and 6); globals are read at call time (offset 1000);
    # bump and read share their closure cell; countdown finds itself through the consumer's globals.
    assert consumer.manifest["metrics"]["results"] == repr([1001, 12, 2, 3, 3, [3, 2, 1]])
    assert consumer.manifest["metrics"]["details"] == ["w", "Weights x.", "weighted", "__main__", True]


def test_a_registry_of_decorated_functions_loads_without_redefining_them(tmp_path):
    registry = "REGISTRY = {}\ndef register(name):\n    def wrap(fn):\n        REGISTRY[name] = fn\n        return fn\n    return wrap\n"
    plugins = "@register('upper')\ndef to_upper(s):\n    return s.upper()\n\n@register('reverse')\ndef to_reverse(s):\n    return s[::-1]\n"
    producer = run_spec(make_spec("plugins", [registry, plugins], outputs=["REGISTRY"]), tmp_path / "plugins")
    assert producer.returncode == 0, producer.stderr
    consumer = run_spec(
        make_spec(
            "run",
            ["outputs = repr({name: fn('cellpipe') for name, fn in sorted(REGISTRY.items())})\ncount = len(REGISTRY)"],
            metrics=["outputs", "count"],
            prepare=[load_action("REGISTRY", "plugins", tmp_path / "plugins")],
            definitions={name: {"source": source, "cellId": cell} for name, source, cell in (
                ("register", registry, "c0"), ("to_upper", plugins, "c1"), ("to_reverse", plugins, "c1"))},
        ),
        tmp_path / "run",
    )
    assert consumer.returncode == 0, consumer.stderr
    assert consumer.manifest["metrics"] == {"outputs": repr({"reverse": "epipllec", "upper": "CELLPIPE"}), "count": 2}


def test_a_missing_definition_makes_the_input_invalid_naming_it(tmp_path):
    producer = run_spec(make_spec("make", [POINT + "\np = Point(1, 2)"], outputs=["p"]), tmp_path / "make")
    assert producer.returncode == 0, producer.stderr
    consumer = run_spec(make_spec("use", ["q = p"], prepare=[load_action("p", "make", tmp_path / "make")]), tmp_path / "use")
    assert consumer.returncode == 2
    assert "input 'p' from step 'make'" in consumer.manifest["error"]["message"]
    assert "Point" in consumer.manifest["error"]["message"]


def test_large_arrays_stream_to_disk_without_a_whole_array_copy(tmp_path):
    size = 256 * 1024 * 1024
    source = "import numpy as np\nbig = np.ones({} // 8)\nbig[::1000] = 3.0".format(size)
    spec = make_spec("big", [source], outputs=["big"])
    # Measured in a child so the peak memory is the step's alone: a second copy of the array would add 256 MiB.
    probe = (
        "import resource, sys\n"
        "from cellpipe.api import run_spec\n"
        "result = run_spec({!r}, {!r})\n"
        "assert result.returncode == 0, result.stderr\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)"
    ).format(spec, str(tmp_path / "out"))
    completed = subprocess.run([sys.executable, "-c", probe], stdout=subprocess.PIPE, universal_newlines=True, check=True,
                               env=dict(os.environ, PYTHONPATH=RUNTIME_PARENT))
    peak = int(completed.stdout.split()[-1])
    assert size < peak < size * 1.5
    loaded = load_output(tmp_path / "out", "big")
    assert loaded.nbytes == size and loaded[1000] == 3.0 and loaded[1] == 1.0
    manifest_entry = json.loads((tmp_path / "out" / "manifest.json").read_text())["outputs"]["big"]
    assert manifest_entry["sha256"] == _file_digest(tmp_path / "out" / "big.npy")


def test_references_to_notebook_functions_are_defined_on_demand_with_their_helpers(tmp_path):
    helpers = "def clean(text):\n    return text.strip().lower()\n"
    tidy_source = "def tidy(text):\n    return clean(text).replace(' ', '_')\n"
    producer = run_spec(make_spec("make", [helpers + tidy_source + "steps = {'tidy': tidy}"], outputs=["steps"]), tmp_path / "make")
    assert producer.manifest["outputs"]["steps"]["serializer"] == "pickle"
    consumer = run_spec(
        make_spec(
            "use",
            ["result = steps['tidy']('  Hello World ')"],
            metrics=["result"],
            prepare=[load_action("steps", "make", tmp_path / "make")],
            definitions={"clean": {"source": helpers, "cellId": "c0"}, "tidy": {"source": tidy_source, "cellId": "c0"}},
        ),
        tmp_path / "use",
    )
    assert consumer.returncode == 0, consumer.manifest
    assert consumer.manifest["metrics"] == {"result": "hello_world"}


MATRIX_FRAMES = """
import numpy as np
import pandas as pd
values = np.random.default_rng(0).normal(size=(3000, 6)) * 1e6
matrix = pd.DataFrame(values, columns=list('abcdef'))
small = pd.DataFrame(values[:50], columns=list('abcdef'))
columns = pd.DataFrame({name: values[:, i] for i, name in enumerate('abcdef')})
total, small_total, columns_total = matrix.to_numpy().sum(), small.to_numpy().sum(), columns.to_numpy().sum()
"""


def test_frames_come_back_with_the_memory_layout_they_left_with(tmp_path):
    # A frame made from a 2-D array is one block whose to_numpy() is C-ordered; Arrow would give it back F-ordered,
    # and numpy sums the two orders differently: the float sum after loading must be the very same number.
    names = ["matrix", "small", "columns"]
    result = run_spec(make_spec("frames", [MATRIX_FRAMES], outputs=names), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    expected = _expected(MATRIX_FRAMES)
    for name, total in (("matrix", "total"), ("small", "small_total"), ("columns", "columns_total")):
        loaded = load_output(tmp_path / "out", name)
        pd.testing.assert_frame_equal(loaded, expected[name], check_exact=True)
        assert loaded.to_numpy().flags.c_contiguous == expected[name].to_numpy().flags.c_contiguous, name
        assert loaded.to_numpy().sum() == expected[total], name
    # Frames Arrow rebuilds in the same layout keep the fast path.
    assert result.manifest["outputs"]["columns"]["serializer"] == "parquet"
