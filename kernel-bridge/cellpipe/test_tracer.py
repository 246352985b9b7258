import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BRIDGE = Path(__file__).resolve().parents[1]


def run_tracer(tmp_path, cells, parameters=None, metrics=None):
    plan = {
        "notebook": "test.ipynb",
        "cells": [{"id": f"c{i}", "index": i, "source": source, "step": step} for i, (step, source) in enumerate(cells)],
        "parameters": parameters or {},
        "metrics": metrics or [],
    }
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    out = tmp_path / "trace.json"
    env = {**os.environ, "PYTHONPATH": str(BRIDGE)}
    done = subprocess.run(
        [sys.executable, "-m", "cellpipe.tracer", "--plan", str(plan_path), "--out", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    trace = json.loads(out.read_text()) if out.exists() else None
    return done, trace


def edges(trace):
    return {(e["from"], e["to"], e["name"]) for e in trace["edges"]}


def test_alias_mutation_in_loop_makes_edges_for_each_aliased_frame(tmp_path):
    done, trace = run_tracer(tmp_path, [
        ("load", "train = {'x': 1}\ntest = {'x': 2}\nother = 5"),
        ("features", "data = [train, test]\nfor d in data:\n    d['y'] = d['x'] * 2"),
        ("use", "print(train['y'] + test['y'])"),
    ])
    assert done.returncode == 0, done.stderr
    assert sorted(trace["steps"][1]["mutates"]) == ["test", "train"]
    assert edges(trace) == {
        ("load", "features", "train"), ("load", "features", "test"),
        ("features", "use", "train"), ("features", "use", "test"),
    }


def test_function_reads_globals_at_call_time_and_global_writes_count_for_the_caller(tmp_path):
    done, trace = run_tracer(tmp_path, [
        ("define", "scale = 2\ndef bump(v):\n    global last\n    last = v * scale\n    return last"),
        ("rebind", "scale = 10"),
        ("call", "result = bump(3)"),
        ("use", "print(last, result)"),
    ])
    assert done.returncode == 0, done.stderr
    assert edges(trace) == {
        ("define", "call", "bump"), ("rebind", "call", "scale"),
        ("call", "use", "last"), ("call", "use", "result"),
    }
    reads = trace["steps"][2]["reads"]
    assert reads["bump"]["kind"] == "function" and reads["scale"]["kind"] == "value"
    assert "last" in trace["steps"][2]["writes"]


def test_names_written_before_read_in_the_same_step_and_locals_are_not_reads(tmp_path):
    done, trace = run_tracer(tmp_path, [
        ("a", "x = 1\ne = 9\nrows = [1, 2]"),
        ("b", "x = 5\ny = x + 1\nsquares = [x * x for x in rows]\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    pass\nclass K:\n    rows = 3\n    z = rows"),
    ])
    assert done.returncode == 0, done.stderr
    assert set(trace["steps"][1]["reads"]) == {"rows"}
    assert "e" in trace["steps"][1]["writes"]


def test_parameters_are_bound_first_and_metrics_recorded(tmp_path):
    done, trace = run_tracer(tmp_path, [("only", "import numpy as np\nscore = np.float64(seed) / 2")], parameters={"seed": 3}, metrics=["score"])
    assert done.returncode == 0, done.stderr
    assert edges(trace) == {("(parameters)", "only", "seed")}
    assert trace["metrics"] == {"score": 1.5}


def test_magics_and_exec_are_traced(tmp_path):
    done, trace = run_tracer(tmp_path, [
        ("a", "base = 4\nhidden = 7"),
        ("b", "%time doubled = base * 2\nexec('tripled = hidden * 3')"),
        ("c", "%%capture out\nprint(doubled, tripled)"),
    ])
    assert done.returncode == 0, done.stderr
    assert edges(trace) == {("a", "b", "base"), ("a", "b", "hidden"), ("b", "c", "doubled"), ("b", "c", "tripled")}
    assert "out" in trace["steps"][2]["writes"]


def test_matplotlib_inline_is_accepted_as_in_a_step(tmp_path):
    done, trace = run_tracer(tmp_path, [("a", "%matplotlib inline\nx = 1"), ("b", "y = x + 1")])
    assert done.returncode == 0, done.stderr
    assert edges(trace) == {("a", "b", "x")}


def test_step_digests_are_recorded_for_written_and_mutated_names(tmp_path):
    done, trace = run_tracer(tmp_path, [("a", "items = [1]"), ("b", "items.append(2)\nn = len(items)")])
    assert done.returncode == 0, done.stderr
    first, second = trace["steps"]
    assert set(second["digests"]) == {"items", "n"}
    assert first["digests"]["items"]["digest"] != second["digests"]["items"]["digest"]


def test_a_failing_cell_exits_1_naming_the_cell_and_keeps_the_partial_trace(tmp_path):
    done, trace = run_tracer(tmp_path, [("a", "x = 1"), ("b", "y = undefined_name"), ("c", "z = 3")])
    assert done.returncode == 1
    assert "cell 2 (c1)" in done.stderr and "NameError" in done.stderr
    assert trace["status"] == "failed" and trace["error"]["cellId"] == "c1"
    assert [s["name"] for s in trace["steps"]] == ["a", "b"]


@pytest.mark.parametrize("plan, message", [("{not json", "cannot read plan"), ('{"cells": [{"id": "x"}]}', "cells[0] lacks field 'index'")])
def test_a_bad_plan_exits_2_with_one_line(tmp_path, plan, message):
    (tmp_path / "plan.json").write_text(plan)
    env = {**os.environ, "PYTHONPATH": str(BRIDGE)}
    done = subprocess.run([sys.executable, "-m", "cellpipe.tracer", "--plan", "plan.json", "--out", "t.json"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t.json").exists()


def test_tracer_sources_parse_as_python_3_9():
    import ast

    for name in ("tracer.py", "digest.py"):
        ast.parse((BRIDGE / "cellpipe" / name).read_text(), feature_version=(3, 9))


def test_values_whose_digest_is_not_stable_are_not_taken_for_mutations(tmp_path):
    source = "class Noisy:\n    def __reduce__(self):\n        import random\n        return (Noisy, (), {'r': random.random()})\nnoisy = Noisy()"
    done, trace = run_tracer(tmp_path, [("a", source), ("b", "other = 1"), ("c", "print(other)")])
    assert done.returncode == 0, done.stderr
    assert trace["steps"][0]["digests"]["noisy"]["digest"].startswith("unstable:")
    assert trace["steps"][1]["mutates"] == [] and "noisy" not in trace["steps"][1]["reads"]


VERSION_PLAN_CELLS = [
    ("a", "train = {'x': 1}\ntest = {'x': 2}\nscale = 2\nrows = [1, 2, 3]\ne = 5\ndef bump(v):\n    global last\n    last = v * scale\n    return last"),
    ("b", "data = [train, test]\nfor d in data:\n    d['y'] = d['x'] * 2\nsq = [x * x for x in rows]\nhigh = [w := r for r in rows if r > seed - 2]\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    pass\nclass K:\n    rows = 3\n    z = rows\nf = lambda q: q + scale"),
    ("c", "r = bump(3)\nprint(f(1), w, sq, train['y'], test['y'], high)"),
    ("d", "print(last, r, K.z)"),
]
VERSION_PLAN_EDGES = {
    ("(parameters)", "b", "seed"), ("a", "b", "rows"), ("a", "b", "test"), ("a", "b", "train"),
    ("a", "c", "bump"), ("a", "c", "scale"), ("b", "c", "f"), ("b", "c", "high"), ("b", "c", "sq"),
    ("b", "c", "test"), ("b", "c", "train"), ("b", "c", "w"), ("b", "d", "K"), ("c", "d", "last"), ("c", "d", "r"),
}


def _interpreters():
    import shutil

    import glob

    candidates = [shutil.which(f"python3.{minor}") for minor in range(9, 14)]
    # pyenv installs (a shim only runs the active version): every 3.9+ interpreter on this machine.
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3"))
    found = {sys.executable}
    for path in filter(None, candidates):
        probe = subprocess.run([path, "-c", "import sys; print(sys.version_info >= (3, 9))"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "True":
            found.add(path)
    return sorted(found)


@pytest.mark.parametrize("python", _interpreters())
def test_bytecode_decoding_gives_the_same_edges_on_every_python(tmp_path, python):
    plan = {
        "notebook": "versions.ipynb",
        "cells": [{"id": f"c{i}", "index": i, "source": source, "step": step} for i, (step, source) in enumerate(VERSION_PLAN_CELLS)],
        "parameters": {"seed": 3},
        "metrics": [],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    env = {**os.environ, "PYTHONPATH": str(BRIDGE)}
    done = subprocess.run([python, "-m", "cellpipe.tracer", "--plan", "plan.json", "--out", "t.json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    trace = json.loads((tmp_path / "t.json").read_text())
    assert edges(trace) == VERSION_PLAN_EDGES


def test_a_loop_records_each_site_once_per_cell_then_runs_untraced():
    from cellpipe.tracer import Tracer, _StepTrace

    namespace = {"__builtins__": __builtins__, "limit": 3}
    tracer = Tracer(namespace)
    tracer.step = _StepTrace("s")
    recorded = []
    record = tracer._record
    tracer._record = lambda *arguments: recorded.append(arguments[2]) or record(*arguments)
    tracer.warm_up()
    cell = "def bump(x):\n    return x + limit\ntotal = 0\nfor i in range(5000):\n    total = bump(total)\nlate = limit"
    tracer.run_cell(compile(cell, "<cell 0>", "exec"), "c0")
    assert namespace["total"] == 15000
    assert tracer.step.reads == {"limit": ["c0"]}
    assert {"bump", "total", "i", "late"} <= tracer.step.written
    # Each read or write site is decoded about once, not once per iteration.
    assert len(recorded) < 60
    tracer.run_cell(compile("again = limit", "<cell 1>", "exec"), "c1")
    assert tracer.step.reads == {"limit": ["c0", "c1"]}
