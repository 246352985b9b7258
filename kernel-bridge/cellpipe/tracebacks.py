"""Maps code compiled from notebook cells back to the notebook: cell index, cell id and line."""

import linecache
import os
import traceback

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


class CodeOrigin:
    """Where a compiled piece of code comes from; `line_known` is False for a statement whose offset in its cell is unknown."""

    def __init__(self, cell_id, cell_index, line_known=True, label=None):
        self.cell_id = cell_id
        self.cell_index = cell_index
        self.line_known = line_known
        self.label = label

    def describe(self, line):
        # Numbered from 1, as Jupyter and VS Code show cells; the 0-based index stays in the machine fields.
        cell = "cell {}".format(self.cell_index + 1) if self.cell_index is not None else "cell {}".format(self.cell_id)
        if self.line_known:
            return "{}, line {}".format(cell, line)
        return "{}, line {} of {}".format(cell, line, self.label or "a re-run statement")


_origins = {}


def register(source, cell_id, cell_index, kind="cell", line_known=True, label=None):
    """A unique fake filename for `source`, registered so that tracebacks show its lines and map to its cell."""
    index_text = "?" if cell_index is None else str(cell_index)
    base = "<{} {}:{}>".format(kind, index_text, cell_id)
    filename = base
    serial = 1
    while filename in _origins:
        serial += 1
        filename = "{}#{}>".format(base[:-1], serial)
    _origins[filename] = CodeOrigin(cell_id, cell_index, line_known, label)
    # linecache keeps entries whose mtime is None; that is how tracebacks find lines of exec'd code.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


def origin(filename):
    return _origins.get(filename)


def portable_origin(filename):
    """What another process needs to map code compiled from `filename` to its cell; None if it is not notebook code."""
    code_origin = _origins.get(filename)
    if code_origin is None:
        return None
    lines = linecache.cache.get(filename, (None, None, [], None))[2]
    return {
        "cellId": code_origin.cell_id,
        "cellIndex": code_origin.cell_index,
        "lineKnown": code_origin.line_known,
        "label": code_origin.label,
        "lines": list(lines),
    }


def adopt(filename, portable):
    """Registers code compiled in another process (a function that travelled by value) under its own filename."""
    if portable is None or filename in _origins:
        return
    _origins[filename] = CodeOrigin(portable["cellId"], portable["cellIndex"], portable["lineKnown"], portable["label"])
    lines = portable["lines"]
    linecache.cache[filename] = (sum(len(line) for line in lines), None, lines, filename)


def _is_runtime_frame(frame):
    if frame.filename.startswith("<"):
        return False
    return os.path.dirname(os.path.abspath(frame.filename)) == _RUNTIME_DIR


def _format_frames(tb):
    frames = traceback.extract_tb(tb)
    first_cell = next((i for i, frame in enumerate(frames) if frame.filename in _origins), None)
    if first_cell is not None:
        frames = frames[first_cell:]
    lines = []
    for frame in frames:
        if _is_runtime_frame(frame):
            continue
        code_origin = _origins.get(frame.filename)
        if code_origin is not None:
            lines.append("  {}, in {}\n".format(code_origin.describe(frame.lineno), frame.name))
        else:
            lines.append('  File "{}", line {}, in {}\n'.format(frame.filename, frame.lineno, frame.name))
        if frame.line:
            lines.append("    {}\n".format(frame.line.strip()))
    return lines


def _format_exception_only(error):
    if isinstance(error, SyntaxError) and error.filename in _origins:
        lines = ["  {}\n".format(_origins[error.filename].describe(error.lineno))]
        if error.text:
            text = error.text.rstrip("\n")
            stripped = text.lstrip()
            lines.append("    {}\n".format(stripped))
            if error.offset:
                caret = max(error.offset - (len(text) - len(stripped)), 1)
                lines.append("    {}^\n".format(" " * (caret - 1)))
        lines.append("{}: {}\n".format(type(error).__name__, error.msg))
        return lines
    return traceback.format_exception_only(type(error), error)


def format_traceback(error, _seen=None):
    """The traceback of `error` (and its chain) with cell frames shown as `cell N, line L` and runtime frames dropped."""
    seen = _seen if _seen is not None else set()
    seen.add(id(error))
    lines = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += format_traceback(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += format_traceback(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    frames = _format_frames(error.__traceback__)
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines += frames
    lines += _format_exception_only(error)
    return lines if _seen is not None else "".join(lines)


def error_type_name(error):
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else "{}.{}".format(cls.__module__, cls.__qualname__)


def error_record(error):
    """The manifest/event form of an exception raised by notebook code: type, message, cell, line, traceback."""
    record = {"type": error_type_name(error), "message": _message(error), "traceback": format_traceback(error)}
    location = None
    if isinstance(error, SyntaxError) and error.filename in _origins:
        location = (_origins[error.filename], error.lineno)
    else:
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename in _origins:
                location = (_origins[frame.filename], frame.lineno)
    if location is not None:
        code_origin, line = location
        record["cellId"] = code_origin.cell_id
        if code_origin.cell_index is not None:
            record["cellIndex"] = code_origin.cell_index
        if code_origin.line_known and line is not None:
            record["line"] = line
    return record


def _message(error):
    if isinstance(error, SyntaxError):
        return error.msg or ""
    text = str(error)
    if isinstance(error, KeyError) and len(error.args) == 1:
        text = repr(error.args[0])
    return text
