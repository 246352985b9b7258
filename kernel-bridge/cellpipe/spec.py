"""Validation of the StepSpec document (packages/core/src/compile/step/spec.ts); errors name the field."""


class InvalidSpec(ValueError):
    pass


def _require(condition, field, expectation):
    if not condition:
        raise InvalidSpec("spec.{} must be {}".format(field, expectation))


def _string(value, field):
    _require(isinstance(value, str), field, "a string")


def _relative_path(value, field):
    # Copied between the working folder and an output folder: it must stay inside both.
    inside = isinstance(value, str) and value and not value.startswith(("/", "\\")) and ".." not in value.replace("\\", "/").split("/")
    _require(inside, field, "a relative path inside the working folder, not {!r}".format(value))


def _identifier(value, field):
    _require(isinstance(value, str) and value.isidentifier(), field, "a Python identifier, not {!r}".format(value))


def _integer(value, field):
    _require(isinstance(value, int) and not isinstance(value, bool), field, "an integer")


def _optional_line(entry, field):
    if entry.get("line") is not None:
        _integer(entry["line"], field + ".line")
        _require(entry["line"] >= 1, field + ".line", "at least 1")


def validate(spec):
    """Returns `spec` when it is a StepSpec version 1; raises InvalidSpec naming the first bad field."""
    if not isinstance(spec, dict):
        raise InvalidSpec("spec must be a JSON object")
    _require(spec.get("version") == 1, "version", "1 (this runtime reads StepSpec version 1)")
    for key in ("pipeline", "step"):
        _string(spec.get(key), key)
    for key, kind in (("prepare", list), ("cells", list), ("outputs", list), ("metrics", list)):
        _require(isinstance(spec.get(key), kind), key, "a list")
    for key in ("parameters", "definitions"):
        _require(isinstance(spec.get(key), dict), key, "an object")
    for number, cell in enumerate(spec["cells"]):
        field = "cells[{}]".format(number)
        _require(isinstance(cell, dict), field, "an object")
        _string(cell.get("id"), field + ".id")
        _integer(cell.get("index"), field + ".index")
        _string(cell.get("source"), field + ".source")
    for number, action in enumerate(spec["prepare"]):
        field = "prepare[{}]".format(number)
        _require(isinstance(action, dict), field, "an object")
        kind = action.get("action")
        if kind == "exec":
            _string(action.get("source"), field + ".source")
            _string(action.get("cellId"), field + ".cellId")
            _integer(action.get("cellIndex"), field + ".cellIndex")
            _require(isinstance(action.get("names"), list), field + ".names", "a list")
            _optional_line(action, field)
        elif kind == "load":
            _identifier(action.get("name"), field + ".name")
            _string(action.get("from"), field + ".from")
            _string(action.get("dir"), field + ".dir")
        else:
            raise InvalidSpec("spec.{}.action must be 'exec' or 'load', not {!r}".format(field, kind))
    seen = set()
    for number, name in enumerate(spec["outputs"]):
        _identifier(name, "outputs[{}]".format(number))
        _require(name not in seen, "outputs[{}]".format(number), "unique ({!r} is listed twice)".format(name))
        seen.add(name)
    _require(isinstance(spec.get("dynamic", False), bool), "dynamic", "true or false")
    for number, name in enumerate(spec["metrics"]):
        _require(isinstance(name, str) and name, "metrics[{}]".format(number), "a non-empty string")
    for name in spec["parameters"]:
        _identifier(name, "parameters key")
    unchanged = spec.get("unchanged", [])
    _require(isinstance(unchanged, list), "unchanged", "a list")
    for number, entry in enumerate(unchanged):
        field = "unchanged[{}]".format(number)
        _require(isinstance(entry, dict), field, "an object")
        _identifier(entry.get("name"), field + ".name")
        _string(entry.get("from"), field + ".from")
        _string(entry.get("readBy"), field + ".readBy")
    files = spec.get("files", {})
    _require(isinstance(files, dict), "files", "an object")
    for number, entry in enumerate(files.get("import", [])):
        field = "files.import[{}]".format(number)
        _require(isinstance(entry, dict), field, "an object")
        _relative_path(entry.get("path"), field + ".path")
        _string(entry.get("from"), field + ".from")
        _string(entry.get("dir"), field + ".dir")
    for number, path in enumerate(files.get("export", [])):
        _relative_path(path, "files.export[{}]".format(number))
    for name, definition in spec["definitions"].items():
        field = "definitions[{!r}]".format(name)
        _require(isinstance(definition, dict), field, "an object")
        _string(definition.get("source"), field + ".source")
        _string(definition.get("cellId"), field + ".cellId")
        _optional_line(definition, field)
    return spec
