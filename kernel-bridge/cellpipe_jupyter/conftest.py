import os
from pathlib import Path

import pytest

# Star import instead of `pytest_plugins`, which pytest only allows in a top-level conftest.
from pytest_jupyter.jupyter_server import *  # noqa: E402,F401,F403

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"cellpipe_jupyter": True}}}


@pytest.fixture(autouse=True)
def cellpipe_cli(monkeypatch):
    """The engine from this checkout (built CLI) unless a bundle path is given."""
    cli = os.environ.get("CELLPIPE_CLI") or str(REPO / "packages" / "cli" / "bin" / "cellpipe.js")
    monkeypatch.setenv("CELLPIPE_CLI", cli)
