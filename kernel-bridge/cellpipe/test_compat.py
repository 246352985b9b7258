"""The runtime is embedded in workflows that may run Python 3.9 with nothing but the standard library."""

import ast
import glob
import os
import shutil
import subprocess
import sys

import pytest

from cellpipe.api import RUNTIME_PARENT, exec_action, load_action, make_spec, run_spec

PACKAGE_DIR = os.path.join(RUNTIME_PARENT, "cellpipe")
RUNTIME_FILES = sorted(path for path in glob.glob(os.path.join(PACKAGE_DIR, "*.py")) if not os.path.basename(path).startswith("test_"))
STDLIB = set(sys.stdlib_module_names) if hasattr(sys, "stdlib_module_names") else None
OPTIONAL = {"numpy", "pandas", "pyarrow", "cloudpickle", "IPython", "traitlets", "cellpipe"}


def _interpreter(version):
    """A Python `version` ('3.9') installed on this machine without third-party packages in reach, else None."""
    pattern = os.path.expanduser("~/.pyenv/versions/{}.*/bin/python{}".format(version, version))
    for candidate in [shutil.which("python" + version)] + sorted(glob.glob(pattern)):
        if not candidate:
            continue
        completed = subprocess.run([candidate, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if completed.returncode == 0 and completed.stdout.startswith("Python {}.".format(version)):
            return candidate
    return None


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=os.path.basename)
def test_every_runtime_file_parses_as_python_3_9(path):
    with open(path, encoding="utf-8") as handle:
        ast.parse(handle.read(), filename=path, feature_version=(3, 9))


@pytest.mark.skipif(STDLIB is None, reason="sys.stdlib_module_names needs Python 3.10")
@pytest.mark.parametrize("path", RUNTIME_FILES, ids=os.path.basename)
def test_runtime_files_import_only_the_standard_library_at_top_level(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            top = name.split(".")[0]
            assert top in STDLIB or top == "cellpipe", "{} imports {} at module level".format(os.path.basename(path), name)


@pytest.mark.parametrize("version", ["3.9", "3.12", "3.13"])
def test_a_pipeline_of_two_steps_runs_with_only_the_standard_library(tmp_path, version):
    python = _interpreter(version)
    if python is None:
        pytest.skip("no Python {} interpreter on this machine".format(version))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"}
    cells = [
        "import collections\nclass Tally(collections.Counter):\n    pass\ncounts = Tally('abracadabra')\nsquare = lambda v: v * v",
        "%time total = sum(counts.values())\nimport cellpipe\ncellpipe.log_metric('letters', total)",
    ]
    producer = run_spec(make_spec("count", cells, outputs=["counts"], metrics=["total"]), tmp_path / "count", python=python, env=env)
    assert producer.returncode == 0, producer.stderr
    assert producer.manifest["metrics"] == {"total": 11, "letters": 11}
    assert producer.manifest["outputs"]["counts"]["serializer"] == "pickle"
    consumer = run_spec(
        make_spec(
            "use",
            ["most = counts.most_common(1)[0][0]"],
            metrics=["most"],
            prepare=[exec_action("import collections", ["collections"], "c0", 0), load_action("counts", "count", tmp_path / "count")],
            definitions={"Tally": {"source": "class Tally(collections.Counter):\n    pass\n", "cellId": "c0"}},
        ),
        tmp_path / "use",
        python=python,
        env=env,
    )
    assert consumer.returncode == 0, consumer.stderr
    assert consumer.manifest["metrics"] == {"most": "a"}
    # Functions travel by value without cloudpickle, and read the consumer's globals at call time.
    maker = run_spec(make_spec("make", ["square = lambda v: v * v + shift"], outputs=["square"]), tmp_path / "make", python=python, env=env)
    assert maker.returncode == 0, maker.stderr
    user = run_spec(
        make_spec("call", ["shift = 1\nresult = square(3)"], metrics=["result"], prepare=[load_action("square", "make", tmp_path / "make")]),
        tmp_path / "call",
        python=python,
        env=env,
    )
    assert user.returncode == 0, user.stderr
    assert user.manifest["metrics"] == {"result": 10}
