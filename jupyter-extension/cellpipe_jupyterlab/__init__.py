"""cellpipe-jupyterlab: the prebuilt JupyterLab extension (frontend) of cellpipe; the server part is `cellpipe_jupyter`."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "cellpipe-jupyterlab"}]
