"""The step process contract: namespace, exit codes, manifest written atomically, events, logs, version."""

import json
import os
import subprocess
import sys

from cellpipe.api import RUNTIME_PARENT, load_action, load_output, make_spec, run_spec


def test_cells_run_in_a_fresh_main_with_parameters_bound(tmp_path):
    cells = ["import sys\nsame_module = sys.modules['__main__'].__dict__ is globals()\nmain_name = __name__", "scaled = rate * 2"]
    result = run_spec(make_spec("s", cells, metrics=["same_module", "main_name", "scaled"], parameters={"rate": 0.25}), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.manifest["metrics"] == {"same_module": True, "main_name": "__main__", "scaled": 0.5}
    assert result.manifest["status"] == "succeeded" and "error" not in result.manifest


def test_a_class_defined_in_the_step_pickles_by_reference(tmp_path):
    cells = ["class Box:\n    def __init__(self, v):\n        self.v = v\nbox = Box(3)"]
    result = run_spec(make_spec("s", cells, outputs=["box"]), tmp_path / "out")
    assert result.manifest["outputs"]["box"] == dict(result.manifest["outputs"]["box"], serializer="pickle", type="__main__.Box")


def test_user_stdout_and_stderr_are_left_untouched(tmp_path):
    result = run_spec(make_spec("s", ["import sys\nprint('out line')\nprint('err line', file=sys.stderr)", "print('second')"]), tmp_path / "out")
    assert result.stdout == "out line\nsecond\n"
    assert result.stderr == "err line\n"


def test_top_level_await_runs_like_in_jupyter(tmp_path):
    cells = ["import asyncio\nasync def answer():\n    await asyncio.sleep(0)\n    return 42", "value = await answer()"]
    result = run_spec(make_spec("s", cells, metrics=["value"]), tmp_path / "out")
    assert result.manifest["metrics"] == {"value": 42}


def test_invalid_spec_exits_2_naming_the_field(tmp_path):
    spec = make_spec("s", ["x = 1"])
    spec["cells"][0]["index"] = "zero"
    result = run_spec(spec, tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == "cellpipe: spec.cells[0].index must be an integer\n"
    assert result.manifest["error"] == {"type": "InvalidSpec", "message": "spec.cells[0].index must be an integer", "traceback": "InvalidSpec: spec.cells[0].index must be an integer\n"}


def test_output_names_must_be_identifiers(tmp_path):
    result = run_spec(make_spec("s", ["x = 1"], outputs=["../x"]), tmp_path / "out")
    assert result.returncode == 2
    assert "spec.outputs[0] must be a Python identifier" in result.stderr


def test_a_missing_input_exits_2_naming_the_input(tmp_path):
    result = run_spec(make_spec("s", ["y = x"], prepare=[load_action("x", "load", tmp_path / "nowhere")]), tmp_path / "out")
    assert result.returncode == 2
    assert result.manifest["error"]["message"].startswith("input 'x' from step 'load': cannot read {}".format(tmp_path / "nowhere" / "manifest.json"))


def test_a_truncated_input_file_exits_2(tmp_path):
    run_spec(make_spec("p", ["x = list(range(100))"], outputs=["x"]), tmp_path / "p")
    with open(tmp_path / "p" / "x.pkl", "r+b") as handle:
        handle.truncate(10)
    result = run_spec(make_spec("s", ["y = x"], prepare=[load_action("x", "p", tmp_path / "p")]), tmp_path / "out")
    assert result.returncode == 2
    assert "has 10 bytes, its manifest says" in result.manifest["error"]["message"]


def test_an_output_the_cells_never_define_fails_the_step(tmp_path):
    result = run_spec(make_spec("s", ["x = 1"], outputs=["x", "y"]), tmp_path / "out")
    assert result.returncode == 1
    assert result.manifest["error"]["message"] == "the step's cells did not define 'y', which a later step reads"


def test_a_rerun_replaces_the_earlier_manifest_and_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "out"
    first = run_spec(make_spec("s", ["x = 1"], outputs=["x"]), out)
    assert first.returncode == 0
    second = run_spec(make_spec("s", ["x = 2\nraise ValueError('no')"], outputs=["x"]), out)
    assert second.returncode == 1 and second.manifest["status"] == "failed"
    third = run_spec(make_spec("s", ["x = 3"], outputs=["x"]), out)
    assert third.manifest["status"] == "succeeded" and load_output(out, "x") == 3
    assert not [name for name in os.listdir(out) if ".tmp-" in name]


def test_case_colliding_output_names_get_distinct_files(tmp_path):
    result = run_spec(make_spec("s", ["X = 1\nx = 2"], outputs=["X", "x"]), tmp_path / "out")
    files = [entry["file"] for entry in result.manifest["outputs"].values()]
    assert len({name.lower() for name in files}) == 2
    assert (load_output(tmp_path / "out", "X"), load_output(tmp_path / "out", "x")) == (1, 2)


def test_events_go_to_the_pipe_named_by_cellpipe_events_fd(tmp_path):
    read_end, write_end = os.pipe()
    env = dict(os.environ, CELLPIPE_EVENTS_FD=str(write_end))
    result = run_spec(make_spec("s", ["import cellpipe\ncellpipe.log_metric('m', 1)"]), tmp_path / "out", env=env, pass_fds=(write_end,))
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as pipe:
        events = [json.loads(line) for line in pipe]
    assert result.returncode == 0
    assert events == [{"event": "cell", "cellId": "c0", "cellIndex": 0}, {"event": "metric", "name": "m", "value": 1}]
    assert not (tmp_path / "out" / "events.ndjson").exists()


def test_a_bad_events_fd_exits_2_naming_the_variable(tmp_path):
    result = run_spec(make_spec("s", ["x = 1"]), tmp_path / "out", env=dict(os.environ, CELLPIPE_EVENTS_FD="97"))
    assert result.returncode == 2
    assert result.stderr.startswith("cellpipe: CELLPIPE_EVENTS_FD='97' is not an open file descriptor")


def test_version_names_the_runtime_sources_and_python():
    completed = subprocess.run(
        [sys.executable, "-m", "cellpipe.runtime", "--version"],
        stdout=subprocess.PIPE,
        universal_newlines=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=RUNTIME_PARENT),
    )
    import cellpipe
    import platform

    version = completed.stdout.strip()
    assert version.startswith("cellpipe-runtime {} (sources ".format(cellpipe.__version__))
    assert version.endswith("python {})".format(platform.python_version()))


def test_missing_arguments_exit_2():
    completed = subprocess.run(
        [sys.executable, "-m", "cellpipe.runtime", "--spec", "x.json"],
        stderr=subprocess.PIPE,
        universal_newlines=True,
        env=dict(os.environ, PYTHONPATH=RUNTIME_PARENT),
    )
    assert completed.returncode == 2 and "--spec and --out are both required" in completed.stderr


def test_the_notebook_sees_a_clean_interpreter_state(tmp_path):
    cells = ["import sys, builtins\nargv = sys.argv\nbuiltins_is_module = __builtins__ is builtins"]
    result = run_spec(make_spec("s", cells, metrics=["argv", "builtins_is_module"]), tmp_path / "out")
    assert result.manifest["metrics"] == {"argv": [""], "builtins_is_module": True}


def test_a_step_killed_mid_run_leaves_no_manifest_from_an_earlier_run(tmp_path):
    out = tmp_path / "out"
    assert run_spec(make_spec("s", ["x = 1"], outputs=["x"]), out).returncode == 0
    killed = run_spec(make_spec("s", ["x = 2", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"], outputs=["x"]), out)
    assert killed.returncode == -9
    assert killed.manifest is None
    assert [event["cellId"] for event in killed.events if event["event"] == "cell"][-2:] == ["c0", "c1"]


def test_an_output_the_cells_did_not_bind_fails_the_step_unless_the_step_is_dynamic(tmp_path):
    plain = run_spec(make_spec("s", ["x = 1"], outputs=["x", "m"]), tmp_path / "plain")
    assert plain.returncode == 1
    assert plain.manifest["error"]["type"] == "MissingOutput"
    assert "'m'" in plain.manifest["error"]["message"]

    spec = dict(make_spec("s", ["exec('x = 1')"], outputs=["x", "m"]), dynamic=True)
    dynamic = run_spec(spec, tmp_path / "dynamic")
    assert dynamic.returncode == 0, dynamic.manifest
    assert dynamic.manifest["outputs"]["m"]["unbound"] is True
    assert "file" not in dynamic.manifest["outputs"]["m"]

    cells = ["print('m' in globals(), x)\nfor m in range(2):\n    pass", "print(m)"]
    consume = make_spec("t", cells, prepare=[load_action(name, "s", tmp_path / "dynamic") for name in ("x", "m")])
    consumed = run_spec(consume, tmp_path / "consumer")
    assert consumed.returncode == 0, consumed.manifest
    assert consumed.stdout == "False 1\n1\n"


def test_files_travel_between_steps_with_their_own_working_folders(tmp_path):
    writer_dir, reader_dir = tmp_path / "writer-pod", tmp_path / "reader-pod"
    writer_dir.mkdir()
    reader_dir.mkdir()
    cells = ["import pathlib\npathlib.Path('data').mkdir()\npathlib.Path('data/clean.csv').write_text('a,b\\n1,2\\n')"]
    spec = dict(make_spec("write", cells), files={"export": ["data/clean.csv", "never-written.csv"]})
    written = run_spec(spec, tmp_path / "out", cwd=writer_dir)
    assert written.returncode == 0, written.manifest
    assert (tmp_path / "out" / "files" / "data" / "clean.csv").read_text() == "a,b\n1,2\n"

    cells = ["import os\nprint(open('data/clean.csv').read().splitlines()[1], os.path.exists('never-written.csv'))"]
    imports = [{"path": path, "from": "write", "dir": str(tmp_path / "out")} for path in ("data/clean.csv", "never-written.csv")]
    read = run_spec(dict(make_spec("read", cells), files={"import": imports}), tmp_path / "reader-out", cwd=reader_dir)
    assert read.returncode == 0, read.manifest
    assert read.stdout == "1,2 False\n"


def test_a_shipped_file_path_must_stay_inside_the_working_folder(tmp_path):
    result = run_spec(dict(make_spec("s", ["x = 1"]), files={"export": ["../etc/passwd"]}), tmp_path / "out")
    assert result.returncode == 2
    assert "spec.files.export[0] must be a relative path inside the working folder" in result.stderr
