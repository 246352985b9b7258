"""IPython syntax in cells: through a real IPython shell when installed, else the documented fallback."""

import os

import pytest

from cellpipe.api import load_output, make_spec, run_spec

MODES = {"ipython": {}, "fallback": {"CELLPIPE_NO_IPYTHON": "1"}}


def _run(tmp_path, mode, cells, **spec_fields):
    env = dict(os.environ, **MODES[mode])
    return run_spec(make_spec("magic", cells, **spec_fields), tmp_path / "out", env=env, cwd=str(tmp_path))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_common_magics_run_and_bind_values_in_the_step(tmp_path, mode):
    cells = [
        "%matplotlib inline\n%load_ext autoreload\n%time squares = [n * n for n in range(5)]",
        "%%time\ntotal = sum(squares)",
        "%%capture captured\nprint('hidden text')\nshown = 1",
        "%%writefile notes.txt\nfirst line\nsecond line",
        "!echo shell says hi\nlisting = !echo one two",
        "%timeit -n 3 -r 2 sum(squares)",
    ]
    result = _run(tmp_path, mode, cells, outputs=["squares", "total", "shown", "listing"], metrics=["total"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.manifest["metrics"] == {"total": 30}
    assert (tmp_path / "notes.txt").read_text() == "first line\nsecond line\n"
    assert "hidden text" not in result.stdout
    assert "shell says hi" in result.stdout
    assert "Wall time" in result.stdout
    assert "per loop" in result.stdout


@pytest.mark.parametrize("mode", sorted(MODES))
def test_captured_output_and_shell_output_are_values(tmp_path, mode):
    cells = ["%%capture captured\nprint('hidden text')", "text = captured.stdout", "words = !echo alpha beta\nword_line = words[0]"]
    result = _run(tmp_path, mode, cells, metrics=["text", "word_line"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.manifest["metrics"] == {"text": "hidden text\n", "word_line": "alpha beta"}


def test_get_ipython_is_a_real_shell_bound_to_the_step_namespace(tmp_path):
    cells = ["value = 41", "shell = get_ipython()\nkind = type(shell).__name__\nseen = shell.user_ns['value'] + 1\nsame = shell.user_module is __import__('sys').modules['__main__']"]
    result = _run(tmp_path, "ipython", cells, metrics=["kind", "seen", "same"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.manifest["metrics"] == {"kind": "InteractiveShell", "seen": 42, "same": True}


def test_the_fallback_has_no_get_ipython(tmp_path):
    cells = ["try:\n    get_ipython\n    has_shell = True\nexcept NameError:\n    has_shell = False"]
    result = _run(tmp_path, "fallback", cells, metrics=["has_shell"])
    assert result.manifest["metrics"] == {"has_shell": False}


def test_the_fallback_runs_shell_commands_without_a_shell(tmp_path):
    # Without a shell, `;` and `$HOME` reach echo as plain text instead of being interpreted.
    result = _run(tmp_path, "fallback", ["words = !echo 'a;b' $HOME\nline = words[0]"], metrics=["line"])
    assert result.manifest["metrics"] == {"line": "a;b $HOME"}


def test_an_unsupported_magic_in_the_fallback_fails_naming_it_and_its_cell_line(tmp_path):
    result = _run(tmp_path, "fallback", [{"id": "m", "index": 2, "source": "x = 1\n%prun x"}])
    assert result.returncode == 1
    error = result.manifest["error"]
    assert error["message"] == "%prun needs IPython, which is not installed in this step's environment"
    assert (error["cellIndex"], error["line"]) == (2, 2)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_an_error_inside_a_timed_cell_maps_to_its_cell(tmp_path, mode):
    result = _run(tmp_path, mode, [{"id": "t", "index": 5, "source": "%%time\nx = 1\ny = 1 / 0"}])
    assert result.returncode == 1
    error = result.manifest["error"]
    assert error["type"] == "ZeroDivisionError"
    # IPython compiles a cell magic's body under its own name, so only the fallback knows the body's lines.
    assert (error["cellId"], error["cellIndex"], error["line"]) == ("t", 5, 1 if mode == "ipython" else 3)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_magic_looking_lines_inside_a_string_stay_text(tmp_path, mode):
    cells = ['doc = """\n%not a magic\n!nor a command\n"""\n%time size = len(doc)']
    result = _run(tmp_path, mode, cells, metrics=["size"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.manifest["metrics"] == {"size": len("\n%not a magic\n!nor a command\n")}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_display_prints_the_plain_text_form(tmp_path, mode):
    result = _run(tmp_path, mode, ["display({'a': 1}, [2, 3])\nshown = True"], metrics=["shown"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.stdout == "{'a': 1}\n[2, 3]\n"


@pytest.mark.parametrize("mode", sorted(MODES))
def test_an_error_inside_capture_is_printed_into_the_capture_as_ipython_does(tmp_path, mode):
    cells = ["%%capture captured\nprint('before')\nraise ValueError('boom')", "text = captured.stdout\nafter = True"]
    result = _run(tmp_path, mode, cells, metrics=["after"], outputs=["text"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    text = load_output(tmp_path / "out", "text")
    assert text.startswith("before\n") and "ValueError" in text and "boom" in text


@pytest.mark.parametrize("mode", sorted(MODES))
def test_bash_cells_run_their_script(tmp_path, mode):
    result = _run(tmp_path, mode, ["%%bash\nfor word in alpha beta; do echo \"$word\"; done"])
    assert result.returncode == 0, (result.stderr, result.manifest)
    assert result.stdout == "alpha\nbeta\n"
