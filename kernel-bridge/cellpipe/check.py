"""The run-time check: a step leaves alone every name a later step reads as an earlier step left it.

The spec's `unchanged` list (computed by core from the graph) names them. Their content digests are taken
after the step's inputs are loaded and again after its cells ran; a name rebound to a different value,
mutated or deleted means the analysis missed a dependency, and the later step would get a value the notebook
never had there. The step then fails with one line naming the name, the step, the cell and the fix: a missed
dependency may cost a failed run, never a wrong number.

`CELLPIPE_CHECK=0` turns the check off (for benchmarks measuring its cost); it is on by default.
"""

import os

from cellpipe import mapped
from cellpipe.digest import digest

CHECK_VARIABLE = "CELLPIPE_CHECK"
ERROR_TYPE = "UnpredictedChange"
_ABSENT = "absent"


def enabled(environ=None):
    environ = os.environ if environ is None else environ
    return environ.get(CHECK_VARIABLE, "1").strip().lower() not in ("0", "off", "false", "no")


def names_in(code):
    """Every name a code object and the code nested in it (functions, classes, comprehensions) refers to."""
    names = set(code.co_names) | set(code.co_varnames)
    for constant in code.co_consts:
        if hasattr(constant, "co_names"):
            names |= names_in(constant)
    return names


class UnchangedCheck:
    """Digests of the `unchanged` names before the cells run, compared with the same names after."""

    def __init__(self, entries, namespace):
        self._entries = entries
        self._namespace = namespace
        self._before = {}
        # Arrays loaded as private maps of their files: compared with the file afterwards, never hashed.
        self._mapped = {}

    def names(self):
        return {entry["name"] for entry in self._entries}

    def snapshot(self):
        for entry in self._entries:
            name = entry["name"]
            if mapped.is_mapped(self._namespace.get(name)):
                self._mapped[name] = self._namespace[name]
            else:
                self._before[name] = self._state(name)

    def _state(self, name):
        if name not in self._namespace:
            return _ABSENT
        return digest(self._namespace[name])

    def find_change(self, step, cells):
        """The error record of the first name the cells changed, or None; `cells` are (cell, code) pairs in order."""
        for entry in self._entries:
            name = entry["name"]
            if name in self._mapped:
                before, after = self._mapped_states(name)
            else:
                before, after = self._before.get(name, _ABSENT), self._state(name)
                # A value whose digest moves on its own (a cache filled on access) cannot be judged: not flagged.
                if after not in (before, _ABSENT) and self._state(name) != after:
                    continue
            if after == before:
                continue
            return _record(step, entry, before, after, cells)
        return None

    def _mapped_states(self, name):
        """(before, after) for a mapped array: equal unless the name now holds something else than its file."""
        original = self._mapped[name]
        if name not in self._namespace:
            return "mapped", _ABSENT
        current = self._namespace[name]
        if current is original:
            return ("mapped", "written") if mapped.changed(original) else ("mapped", "mapped")
        # Rebound: the new value must equal the file's, read afresh in case the old array was written too.
        pristine = mapped.reload(original)
        return digest(pristine), digest(current)


def _record(step, entry, before, after, cells):
    name = entry["name"]
    if before == _ABSENT:
        change = "bound"
    elif after == _ABSENT:
        change = "deleted"
    else:
        change = "changed"
    naming = [cell for cell, code in cells if name in names_in(code)]
    blamed = naming or [cell for cell, _ in cells]
    where = ", ".join("cell {} (id {})".format(cell["index"] + 1, cell["id"]) for cell in blamed[:3])
    if len(blamed) > 3:
        where += " and {} more".format(len(blamed) - 3)
    source = "as the parameter value" if entry["from"] == "(parameters)" else "as step '{}' left it".format(entry["from"])
    message = (
        "step '{step}' {change} '{name}' in {where}, but step '{reader}' reads it {source} (the dependency analysis "
        "missed this change): tag the cells of '{step}' and '{reader}' as one step"
    ).format(step=step, change=change, name=name, where=where, reader=entry["readBy"], source=source)
    record = {"type": ERROR_TYPE, "message": message, "traceback": ""}
    if blamed:
        record.update(cellId=blamed[0]["id"], cellIndex=blamed[0]["index"])
    return record
