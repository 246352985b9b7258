"""Jupyter server extension of cellpipe-jupyterlab: runs the cellpipe engine on the server for the browser."""

from __future__ import annotations

from typing import Any

from .config import Cellpipe
from .engine import Engine
from .handlers import RunHub, setup_handlers

__all__ = ["Cellpipe", "Engine", "RunHub"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "cellpipe_jupyter"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    settings = Cellpipe(parent=server_app)
    engine = Engine()
    hub = RunHub(engine, server_app.root_dir, python=settings.python)
    setup_handlers(server_app.web_app, hub)
    server_app.log.info("cellpipe: endpoints registered under %scellpipe/", server_app.base_url)
