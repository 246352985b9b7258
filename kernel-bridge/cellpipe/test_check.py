"""The run-time check: a step that changes a name a later step reads from an earlier producer stops with one line."""

import pytest

from cellpipe.api import load_action, make_spec, run_spec
from cellpipe.check import enabled


def _unchanged(name, from_step="load", read_by="report"):
    return {"name": name, "from": from_step, "readBy": read_by}


def _loaded(tmp_path, source, names):
    producer = tmp_path / "load"
    result = run_spec(make_spec("load", [source], outputs=names), producer)
    assert result.returncode == 0, result.manifest.get("error")
    return [load_action(name, "load", producer) for name in names]


def _check_run(tmp_path, cells, unchanged, prepare=(), parameters=None, env=None, outputs=()):
    spec = make_spec("clean", cells, prepare=prepare, parameters=parameters, outputs=outputs)
    spec["unchanged"] = unchanged
    return run_spec(spec, tmp_path / "clean", env=env)


def test_a_mutated_input_stops_the_step_naming_name_step_cell_and_fix(tmp_path):
    prepare = _loaded(tmp_path, "rows = [3, 1, 2]", ["rows"])
    result = _check_run(tmp_path, ["total = 0", "rows.sort()", "print('done')"], [_unchanged("rows")], prepare)
    assert result.returncode == 1
    error = result.manifest["error"]
    assert error["type"] == "UnpredictedChange"
    assert error["message"] == (
        "step 'clean' changed 'rows' in cell 2 (id c1), but step 'report' reads it as step 'load' left it "
        "(the dependency analysis missed this change): tag the cells of 'clean' and 'report' as one step"
    )
    assert (error["cellId"], error["cellIndex"]) == ("c1", 1)
    assert "\n" not in error["message"]
    assert [event for event in result.events if event["event"] == "error"][0]["type"] == "UnpredictedChange"


def test_a_change_through_another_name_blames_every_cell_when_none_names_it(tmp_path):
    prepare = _loaded(tmp_path, "import numpy as np\nvalues = np.arange(5.0)", ["values"])
    cells = ["g = globals()", "g['val' + 'ues'][0] = 99"]
    result = _check_run(tmp_path, cells, [_unchanged("values")], prepare)
    assert result.returncode == 1
    assert "in cell 1 (id c0), cell 2 (id c1)" in result.manifest["error"]["message"]


def test_numpy_view_writes_are_changes(tmp_path):
    prepare = _loaded(tmp_path, "import numpy as np\nvalues = np.arange(5.0)", ["values"])
    result = _check_run(tmp_path, ["view = values[:2]", "view[0] = 99"], [_unchanged("values")], prepare)
    assert result.manifest["error"]["type"] == "UnpredictedChange"


def test_binding_a_name_a_later_step_reads_from_elsewhere_is_a_change(tmp_path):
    result = _check_run(tmp_path, ["exec('thr' + 'eshold = 5')"], [_unchanged("threshold", "(parameters)")])
    assert result.returncode == 1
    message = result.manifest["error"]["message"]
    assert message.startswith("step 'clean' bound 'threshold' in cell 1 (id c0), but step 'report' reads it as the parameter value")


def test_deleting_or_mutating_a_parameter_is_a_change(tmp_path):
    deleted = _check_run(tmp_path, ["del cols"], [_unchanged("cols", "(parameters)")], parameters={"cols": ["a"]})
    assert "deleted 'cols'" in deleted.manifest["error"]["message"]
    mutated = _check_run(tmp_path, ["cols.append('b')"], [_unchanged("cols", "(parameters)")], parameters={"cols": ["a"]})
    assert "changed 'cols'" in mutated.manifest["error"]["message"]


def test_reading_and_rebinding_to_an_equal_value_pass(tmp_path):
    prepare = _loaded(tmp_path, "import pandas as pd\nframe = pd.DataFrame({'a': [1.5, 2.5]})", ["frame"])
    cells = ["total = frame['a'].sum()", "frame = frame.copy()", "summary = frame.describe()"]
    result = _check_run(tmp_path, cells, [_unchanged("frame")], prepare, outputs=["total"])
    assert result.returncode == 0, result.manifest.get("error")


def test_names_not_listed_may_change(tmp_path):
    prepare = _loaded(tmp_path, "rows = [3, 1, 2]", ["rows"])
    result = _check_run(tmp_path, ["rows.sort()"], [], prepare)
    assert result.returncode == 0


def test_the_switch_turns_the_check_off(tmp_path):
    import os

    prepare = _loaded(tmp_path, "rows = [3, 1, 2]", ["rows"])
    result = _check_run(tmp_path, ["rows.sort()"], [_unchanged("rows")], prepare, env=dict(os.environ, CELLPIPE_CHECK="0"))
    assert result.returncode == 0


@pytest.mark.parametrize("value, expected", [(None, True), ("1", True), ("0", False), ("off", False), ("false", False)])
def test_enabled_reads_the_variable(value, expected):
    assert enabled({} if value is None else {"CELLPIPE_CHECK": value}) is expected


def test_a_malformed_unchanged_entry_is_an_invalid_spec(tmp_path):
    result = _check_run(tmp_path, ["x = 1"], [{"name": "x", "from": "load"}])
    assert result.returncode == 2
    assert "spec.unchanged[0].readBy must be a string" in result.stderr


def test_a_held_array_is_mapped_from_its_file_and_only_real_writes_count(tmp_path):
    from cellpipe import mapped

    if not mapped.available():
        pytest.skip("no /proc/self/pagemap here: held arrays are digested instead")
    prepare = _loaded(tmp_path, "import numpy as np\nvalues = np.arange(300000.0)", ["values"])
    same_bytes = ["values[5] = values[5]", "peak = float(values.max())", "values = values.copy()"]
    assert _check_run(tmp_path, same_bytes, [_unchanged("values")], prepare).returncode == 0
    written = _check_run(tmp_path, ["values[200000] += 1"], [_unchanged("values")], prepare)
    assert "changed 'values' in cell 1 (id c0)" in written.manifest["error"]["message"]
    rebound = _check_run(tmp_path, ["import numpy as np", "values = np.zeros(3)"], [_unchanged("values")], prepare)
    assert "changed 'values' in cell 2 (id c1)" in rebound.manifest["error"]["message"]
    deleted = _check_run(tmp_path, ["del values"], [_unchanged("values")], prepare)
    assert "deleted 'values'" in deleted.manifest["error"]["message"]


def test_mapped_arrays_load_as_plain_arrays_equal_to_the_file(tmp_path):
    import numpy as np

    from cellpipe import mapped

    if not mapped.available():
        pytest.skip("no /proc/self/pagemap here")
    for name, array in {"c": np.arange(12.0).reshape(3, 4), "f": np.asfortranarray(np.arange(12).reshape(3, 4)), "s": np.array(2.5)}.items():
        np.save(tmp_path / (name + ".npy"), array)
        loaded = mapped.load_npy(str(tmp_path / (name + ".npy")))
        assert type(loaded) is np.ndarray and loaded.flags.writeable
        assert loaded.dtype == array.dtype and loaded.shape == array.shape
        assert loaded.flags.f_contiguous == array.flags.f_contiguous and np.array_equal(loaded, array)
        assert mapped.is_mapped(loaded) and not mapped.changed(loaded)
    loaded.fill(7.0)
    assert mapped.changed(loaded)
    assert np.load(tmp_path / "s.npy") == 2.5
