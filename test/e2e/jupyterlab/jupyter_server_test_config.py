"""JupyterLab for the UI tests: Galata's test setup, but with token auth and XSRF checks left on."""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.port = int(os.environ.get("CELLPIPE_E2E_PORT", "8931"))  # noqa: F821
c.IdentityProvider.token = os.environ["CELLPIPE_E2E_TOKEN"]  # noqa: F821
c.ServerApp.disable_check_xsrf = False  # noqa: F821
