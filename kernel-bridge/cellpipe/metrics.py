"""Metric values as notebooks log them: ``cellpipe.log_metric(name, value, index)``."""

import math
import numbers
import sys

_recorded = {}
_listener = None


def metric_value(name, value):
    """The JSON-safe form of a metric value; raises TypeError naming the metric when it is not one."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return metric_value(name, value.item())
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        # JSON has no NaN or infinity; JavaScript spells them this way.
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number
    raise TypeError(
        "metric '{}' must be a number, string or bool, not {}".format(name, type(value).__name__)
    )


def log_metric(name, value, index=None):
    """Record one value of metric `name`; logging a name several times makes a series (`index`: epoch, fold)."""
    if not isinstance(name, str) or not name:
        raise TypeError("metric name must be a non-empty string, not {!r}".format(name))
    value = metric_value(name, value)
    if index is not None:
        if type(index).__module__ == "numpy" and hasattr(index, "item"):
            index = index.item()
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError("index of metric '{}' must be an integer, not {!r}".format(name, index))
        index = int(index)
    _recorded.setdefault(name, []).append(value)
    if _listener is not None:
        _listener(name, value, index)
    else:
        suffix = "" if index is None else " [{}]".format(index)
        print("cellpipe metric {}{} = {!r}".format(name, suffix, value), file=sys.stdout)


def logged_metrics():
    """Every metric logged so far: one value, or the list of values when logged several times."""
    return {name: values[0] if len(values) == 1 else list(values) for name, values in _recorded.items()}


def set_listener(listener):
    """Send each logged value to `listener(name, value, index)` instead of printing it (the step runtime does)."""
    global _listener
    _listener = listener
