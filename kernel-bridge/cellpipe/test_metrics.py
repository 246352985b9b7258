"""Metrics: names read from the namespace, values logged with cellpipe.log_metric (live events, series)."""

import subprocess
import sys

from cellpipe.api import RUNTIME_PARENT, make_spec, run_spec


def test_namespace_metrics_and_logged_series_reach_the_manifest(tmp_path):
    cells = [
        "import numpy as np\nimport cellpipe\naccuracy = np.float64(0.93)\nn_rows = np.int32(150)\nmodel_name = 'forest'\nconverged = True",
        "for epoch in range(3):\n    cellpipe.log_metric('loss', 1.0 / (epoch + 1), index=epoch)\ncellpipe.log_metric('best', np.float32(0.5))",
        "fold_scores = [0.8, np.float64(0.9)]\ndiverged = float('nan')\nper_class = np.array([0.25, 0.75])",
    ]
    spec = make_spec("train", cells, metrics=["accuracy", "n_rows", "model_name", "converged", "fold_scores", "diverged", "per_class"])
    result = run_spec(spec, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.manifest["metrics"] == {
        "accuracy": 0.93,
        "n_rows": 150,
        "model_name": "forest",
        "converged": True,
        "fold_scores": [0.8, 0.9],
        "diverged": "NaN",
        "per_class": [0.25, 0.75],
        "loss": [1.0, 0.5, 1.0 / 3],
        "best": 0.5,
    }
    assert type(result.manifest["metrics"]["n_rows"]) is int


def test_logged_values_stream_as_events_between_cell_events(tmp_path):
    cells = ["import cellpipe\ncellpipe.log_metric('loss', 0.5, 0)", "cellpipe.log_metric('loss', 0.25, 1)\ncellpipe.log_metric('note', 'done')"]
    result = run_spec(make_spec("train", cells), tmp_path / "out")
    assert result.events == [
        {"event": "cell", "cellId": "c0", "cellIndex": 0},
        {"event": "metric", "name": "loss", "value": 0.5, "index": 0},
        {"event": "cell", "cellId": "c1", "cellIndex": 1},
        {"event": "metric", "name": "loss", "value": 0.25, "index": 1},
        {"event": "metric", "name": "note", "value": "done"},
    ]


def test_a_metric_that_is_not_a_metric_value_fails_naming_it(tmp_path):
    result = run_spec(make_spec("train", ["report = {'a': 1}"], metrics=["report"]), tmp_path / "out")
    assert result.returncode == 1
    assert result.manifest["error"]["message"] == "metric 'report' must be a number, string or bool, not dict"


def test_a_metric_the_cells_never_define_fails_naming_it(tmp_path):
    result = run_spec(make_spec("train", ["x = 1"], metrics=["accuracy"]), tmp_path / "out")
    assert result.returncode == 1
    assert result.manifest["error"]["message"] == "metric 'accuracy' is not defined by the step's cells"


def test_log_metric_with_a_bad_value_raises_in_the_cell(tmp_path):
    result = run_spec(make_spec("train", ["import cellpipe\ncellpipe.log_metric('m', [1, 2])"]), tmp_path / "out")
    assert result.returncode == 1
    assert (result.manifest["error"]["type"], result.manifest["error"]["line"]) == ("TypeError", 2)


def test_outside_a_run_log_metric_prints_and_records():
    script = (
        "import cellpipe\n"
        "cellpipe.log_metric('acc', 0.93)\n"
        "cellpipe.log_metric('loss', 0.5, 0)\n"
        "cellpipe.log_metric('loss', 0.4, 1)\n"
        "print(cellpipe.logged_metrics())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, universal_newlines=True, check=True, env={"PYTHONPATH": RUNTIME_PARENT}
    )
    assert completed.stdout.splitlines() == [
        "cellpipe metric acc = 0.93",
        "cellpipe metric loss [0] = 0.5",
        "cellpipe metric loss [1] = 0.4",
        "{'acc': 0.93, 'loss': [0.5, 0.4]}",
    ]
