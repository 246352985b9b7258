"""cellpipe: notebook code calls ``cellpipe.log_metric(...)``; the step runtime lives in ``cellpipe.runtime``.

Importing this package stays cheap and standard-library only: it runs inside every pipeline step and
inside plain Jupyter kernels, where ``log_metric`` just records and prints.
"""

from cellpipe.metrics import log_metric, logged_metrics

__version__ = "0.1.0"

__all__ = ["__version__", "log_metric", "logged_metrics"]
