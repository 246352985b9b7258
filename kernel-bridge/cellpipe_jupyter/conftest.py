import os
from pathlib import Path

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"cellpipe_jupyter": True}}}


@pytest.fixture(autouse=True)
def cellpipe_cli(monkeypatch):
    """The engine from this checkout (built CLI) unless a bundle path is given."""
    cli = os.environ.get("CELLPIPE_CLI") or str(REPO / "packages" / "cli" / "bin" / "cellpipe.js")
    monkeypatch.setenv("CELLPIPE_CLI", cli)
