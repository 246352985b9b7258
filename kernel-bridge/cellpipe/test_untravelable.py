"""Values bound to the producing process fail the step with one line naming the variable, type, cell and remedy."""

import os

import pytest

from cellpipe.api import load_action, make_spec, run_spec

REMEDY = "recreate it in the consumer step, or tag these cells into one step"

CASES = [
    ("handle = open(__import__('os').devnull)", "_io.TextIOWrapper", "open file"),
    ("handle = (n * n for n in range(3))", "generator", "generator"),
    ("import threading\nhandle = threading.Lock()", "_thread.lock", "lock"),
    ("import threading\nhandle = threading.RLock()", "_thread.RLock", "lock"),
    ("import socket\nhandle = socket.socket()", "socket.socket", "socket"),
    ("import sqlite3\nhandle = sqlite3.connect(':memory:')", "sqlite3.Connection", "database connection"),
    ("import threading\nhandle = threading.Thread(target=print)", "threading.Thread", "thread"),
    ("import subprocess, sys\nhandle = subprocess.Popen([sys.executable, '-c', 'pass'])\nhandle.wait()", "subprocess.Popen", "running subprocess"),
]


@pytest.mark.parametrize("source, type_name, words", CASES, ids=[case[2] + ":" + case[1] for case in CASES])
def test_each_kind_fails_the_step_naming_variable_type_cell_and_remedy(tmp_path, source, type_name, words):
    spec = make_spec(
        "produce",
        [
            {"id": "first", "index": 0, "source": "fine = [1, 2, 3]"},
            {"id": "maker", "index": 4, "source": source},
        ],
        outputs=["fine", "handle"],
    )
    result = run_spec(spec, tmp_path / "out")
    assert result.returncode == 1
    error = result.manifest["error"]
    assert error["type"] == "UntravelableValue"
    assert (error["cellId"], error["cellIndex"]) == ("maker", 4)
    message = error["message"]
    assert "\n" not in message
    assert "'handle'" in message and "cell 5" in message and type_name in message and "({})".format(words) in message
    assert message.endswith(REMEDY)
    # Nothing half-written: the output that did save was not kept either.
    assert sorted(os.listdir(tmp_path / "out")) == ["events.ndjson", "manifest.json"]
    assert result.manifest["outputs"] == {}
    assert result.events[-1]["event"] == "error" and result.events[-1]["message"] == message


def test_a_container_holding_an_untravelable_value_names_what_it_holds(tmp_path):
    spec = make_spec("produce", ["config = {'rows': [1, 2], 'source': open(__import__('os').devnull)}"], outputs=["config"])
    result = run_spec(spec, tmp_path / "out")
    assert result.returncode == 1
    assert "output 'config'" in result.manifest["error"]["message"]
    assert "it is a dict holding a _io.TextIOWrapper (open file);" in result.manifest["error"]["message"]


def test_an_object_that_drops_its_lock_when_pickled_still_travels(tmp_path):
    source = (
        "import threading\n"
        "class Counter:\n"
        "    def __init__(self):\n"
        "        self.count, self.lock = 3, threading.Lock()\n"
        "    def __getstate__(self):\n"
        "        return {'count': self.count}\n"
        "counter = Counter()"
    )
    result = run_spec(make_spec("produce", [source], outputs=["counter"]), tmp_path / "out")
    assert result.returncode == 0, result.manifest
    assert result.manifest["outputs"]["counter"]["serializer"] == "pickle"


def test_in_memory_buffers_travel(tmp_path):
    source = "import io\nbuffer = io.BytesIO(b'abc')\ntext = io.StringIO('xyz')"
    result = run_spec(make_spec("produce", [source], outputs=["buffer", "text"]), tmp_path / "out")
    assert result.returncode == 0, result.manifest


def test_an_object_holding_the_standard_streams_travels_and_writes_to_the_consumers_streams(tmp_path):
    # lmfit's ExpressionModel keeps `writer=sys.stdout` in its expression evaluator.
    source = (
        "import sys\n"
        "class Evaluator:\n"
        "    def __init__(self):\n"
        "        self.writer, self.errors, self.scale = sys.stdout, sys.__stderr__, 2\n"
        "evaluator = Evaluator()"
    )
    produced = run_spec(make_spec("produce", [source], outputs=["evaluator"]), tmp_path / "out")
    assert produced.returncode == 0, produced.manifest
    consume = make_spec(
        "consume",
        ["import sys\nprint(evaluator.scale, evaluator.writer is sys.stdout, evaluator.errors is sys.__stderr__)"],
        prepare=[load_action("evaluator", "produce", tmp_path / "out")],
    )
    consumed = run_spec(consume, tmp_path / "consumer")
    assert consumed.returncode == 0, consumed.manifest
    assert "2 True True" in consumed.stdout
