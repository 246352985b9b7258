"""What a Jupyter admin configures for cellpipe (`c.Cellpipe.<name>` in jupyter_server_config.py)."""

from __future__ import annotations

import sys

from traitlets import Unicode
from traitlets.config import LoggingConfigurable


class Cellpipe(LoggingConfigurable):
    """Server-side settings: a request can choose a notebook and parameters, never what runs them."""

    python = Unicode(
        sys.executable,
        config=True,
        help="Python executable that runs the steps of local runs (default: the Jupyter server's own Python).",
    )
