"""Failures of notebook code are mapped to the notebook: cell index, cell id, line, and a readable traceback."""

from cellpipe.api import exec_action, load_action, make_spec, run_spec


def _error(result):
    assert result.returncode == 1, (result.stderr, result.manifest)
    assert result.manifest["status"] == "failed"
    return result.manifest["error"]


def test_an_error_in_a_cell_names_its_cell_and_line_and_hides_runtime_frames(tmp_path):
    cells = [
        {"id": "load", "index": 0, "source": "rows = [1, 2, 3]"},
        {"id": "train-7f", "index": 3, "source": "total = 0\nfor row in rows:\n    total += row\nresult = total / (total - 6)"},
    ]
    error = _error(run_spec(make_spec("train", cells), tmp_path / "out"))
    assert (error["type"], error["message"]) == ("ZeroDivisionError", "division by zero")
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("train-7f", 3, 4)
    assert error["traceback"] == (
        "Traceback (most recent call last):\n"
        "  cell 4, line 4, in <module>\n"
        "    result = total / (total - 6)\n"
        "ZeroDivisionError: division by zero\n"
    )


def test_the_innermost_cell_frame_is_the_location_and_every_cell_frame_is_mapped(tmp_path):
    cells = [
        {"id": "defs", "index": 1, "source": "def ratio(a, b):\n    return a / b\n"},
        {"id": "use", "index": 2, "source": "import json\nvalues = [ratio(1, 0)]"},
    ]
    error = _error(run_spec(make_spec("s", cells), tmp_path / "out"))
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("defs", 1, 2)
    assert "  cell 3, line 2, in <module>\n    values = [ratio(1, 0)]\n  cell 2, line 2, in ratio\n    return a / b\n" in error["traceback"]
    assert "<cell" not in error["traceback"] and "step.py" not in error["traceback"]


def test_library_frames_stay_and_chained_exceptions_are_shown(tmp_path):
    source = "import json\ntry:\n    json.loads('{')\nexcept ValueError as error:\n    raise RuntimeError('bad config') from error"
    error = _error(run_spec(make_spec("s", [source]), tmp_path / "out"))
    assert error["type"] == "RuntimeError" and error["line"] == 5
    assert "json/decoder.py" in error["traceback"]
    assert "The above exception was the direct cause of the following exception:" in error["traceback"]
    assert "  cell 1, line 3, in <module>\n    json.loads('{')\n" in error["traceback"]


def test_a_syntax_error_is_reported_before_anything_runs(tmp_path):
    cells = [
        {"id": "side", "index": 0, "source": "print('ran')"},
        {"id": "broken", "index": 1, "source": "x = 1\nif x\n    y = 2"},
    ]
    result = run_spec(make_spec("s", cells), tmp_path / "out")
    error = _error(result)
    assert error["type"] == "SyntaxError"
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("broken", 1, 2)
    assert "  cell 2, line 2\n    if x\n" in error["traceback"]
    assert "ran" not in result.stdout


def test_an_error_in_a_re_run_statement_maps_to_its_cell(tmp_path):
    failing_import = exec_action("import module_that_does_not_exist", ["module_that_does_not_exist"], "imports", 0)
    error = _error(run_spec(make_spec("s", ["x = 1"], prepare=[failing_import]), tmp_path / "out"))
    assert error["type"] == "ModuleNotFoundError"
    assert (error["cellId"], error["cellIndex"]) == ("imports", 0)
    # Without the statement's line in its cell the runtime does not guess one.
    assert "line" not in error


def test_a_statement_with_its_line_keeps_the_cell_line(tmp_path):
    broken = exec_action("def f():\n    return undefined_name\nf()", ["f"], "defs", 2, line=5)
    error = _error(run_spec(make_spec("s", ["x = 1"], prepare=[broken]), tmp_path / "out"))
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("defs", 2, 6)
    assert "  cell 3, line 6, in f\n" in error["traceback"]


def test_system_exit_in_a_cell_fails_the_step(tmp_path):
    error = _error(run_spec(make_spec("s", ["import sys\nsys.exit(3)"]), tmp_path / "out"))
    assert (error["type"], error["line"]) == ("SystemExit", 2)


def test_the_error_event_carries_the_manifest_error(tmp_path):
    result = run_spec(make_spec("s", ["raise KeyError('missing')"]), tmp_path / "out")
    event = result.events[-1]
    assert event.pop("event") == "error"
    assert event == result.manifest["error"]
    assert event["message"] == "'missing'"


def test_a_function_from_another_step_fails_naming_its_own_cell_and_line(tmp_path):
    producer_cells = [{"id": "defs", "index": 4, "source": "scale = 2\ndef boom(x):\n    return scale / x\n"}]
    producer = run_spec(make_spec("make", producer_cells, outputs=["boom"]), tmp_path / "make")
    assert producer.returncode == 0, producer.stderr
    consumer_cells = [{"id": "use", "index": 6, "source": "scale = 3\nboom(0)"}]
    spec = make_spec("use", consumer_cells, prepare=[load_action("boom", "make", tmp_path / "make")])
    error = _error(run_spec(spec, tmp_path / "use"))
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("defs", 4, 3)
    assert error["traceback"] == (
        "Traceback (most recent call last):\n"
        "  cell 7, line 2, in <module>\n"
        "    boom(0)\n"
        "  cell 5, line 3, in boom\n"
        "    return scale / x\n"
        "ZeroDivisionError: division by zero\n"
    )
