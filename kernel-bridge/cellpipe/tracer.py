"""Runs a notebook top to bottom in one process and records, per pipeline step, what it really read and wrote.

    python -m cellpipe.tracer --plan PLAN.json --out TRACE.json

PLAN (written by ``packages/core/src/verify``) lists the cells to execute in notebook order, each with
the step it belongs to, plus the pipeline parameters (bound first, as the step runtime does) and the
metric names. Skip, parameter and metrics cells are not in the plan: the pipeline never runs them.

Reads are decoded from the bytecode of every frame whose globals are the notebook namespace (cells,
functions and lambdas defined in cells, class bodies, ``exec``/``eval`` strings, IPython magics), with
``sys.monitoring`` instruction events on Python 3.12+ and ``sys.settrace`` with ``f_trace_opcodes`` before; a site
with nothing left to record in the cell is switched off. A read counts when the step had not written the name itself.
Writes are ``STORE``/``DELETE`` of notebook globals plus any name whose binding changed. Mutations are
names still bound to the same object whose content digest (``cellpipe.digest``) changed during the step;
a step that mutates a value needs its earlier content, so a mutation is also a read.
The truth edge for a step reading a name comes from the nearest earlier step that wrote or mutated it.

    python -m cellpipe.tracer --digest-outputs STEPS.json --out DIGESTS.json

loads each listed step's saved outputs with the runtime's own loaders (notebook classes defined on demand
from the step spec's ``definitions``) and writes their digests, for comparison with a trace (``run --verify``).

Exit codes: 0 traced to the end, 1 a cell raised (the trace up to that cell is still written), 2 bad plan.
"""

from __future__ import annotations

import argparse
import builtins
import dis
import json
import os
import re
import sys
import tempfile
import traceback
import types
from typing import Any

from cellpipe import parameters as parameter_values
from cellpipe.digest import digest, value_kind

PARAMETERS_STEP = "(parameters)"
_READ_OPS = {"LOAD_NAME", "LOAD_GLOBAL", "LOAD_FROM_DICT_OR_GLOBALS"}
_WRITE_OPS = {"STORE_NAME", "STORE_GLOBAL", "DELETE_NAME", "DELETE_GLOBAL"}
# IPython's own bookkeeping names (input/output history), never notebook data.
_IPYTHON_NAMES = re.compile(r"^(_+|_i+|_i?\d+|_[iod]h|_exit_code|In|Out|get_ipython|exit|quit|display)$")


class PlanError(Exception):
    """The plan is not something the tracer can run; the message names the field."""


class _StepTrace:
    def __init__(self, name: str) -> None:
        self.name = name
        self.cells: list = []
        self.reads: dict = {}
        self.written: set = set()

    def to_json(self, mutated: set, rebound: set, digests: dict, kinds: dict) -> dict:
        return {
            "name": self.name,
            "cells": self.cells,
            "reads": {name: {"cells": cells, "kind": kinds.get(name, "value")} for name, cells in sorted(self.reads.items())},
            "writes": sorted(self.written | rebound),
            "mutates": sorted(mutated),
            "digests": digests,
        }


class Tracer:
    """Executes cells in one namespace and decodes global reads and writes from their bytecode.

    Only the first execution of each read or write site per cell can add to the trace, so every site that
    has nothing left to record is switched off: on Python 3.12+ with ``sys.monitoring`` (a disabled site costs
    nothing until the next cell), before that with ``settrace`` opcode events turned off per line and per code
    object. Library code is never traced. A loop in a cell runs at close to full speed after its first pass.
    """

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace
        self.step: _StepTrace | None = None
        self.cell_id = ""
        self.read_kinds: dict = {}
        self._tables: dict = {}
        self._lines: dict = {}
        # Code objects and (code, line) pairs with nothing left to record in the current cell: done stays done.
        self._done_codes: set = set()
        self._done_lines: set = set()

    def _table(self, code: types.CodeType) -> dict:
        table = self._tables.get(code)
        if table is None:
            table, lines = {}, {}
            starts = sorted(dis.findlinestarts(code))
            position, line = 0, None
            for ins in dis.get_instructions(code):
                while position < len(starts) and starts[position][0] <= ins.offset:
                    line = starts[position][1]
                    position += 1
                if ins.opname in _READ_OPS or ins.opname in _WRITE_OPS:
                    table[ins.offset] = (ins.opname, ins.argval)
                    lines.setdefault(line, []).append((ins.opname, ins.argval))
            self._tables[code] = table
            self._lines[code] = lines
        return table

    def _done(self, opname: str, name: str) -> bool:
        """Whether a site can add nothing more to this cell's trace (class bodies are never switched off)."""
        step = self.step
        if name in step.written:
            return True
        if opname in _WRITE_OPS:
            return False
        if name not in self.namespace:
            return _is_builtin(name)
        return _hidden(name) or self.cell_id in step.reads.get(name, ())

    def _record(self, frame: types.FrameType, code: types.CodeType, offset: int) -> bool:
        """Records the read or write at ``offset``; True when the site has nothing more to record in this cell."""
        entry = self._table(code).get(offset)
        if entry is None:
            return True
        opname, name = entry
        step = self.step
        # Module-level code (cells, exec strings, magics) names globals; a class body names its own dict first.
        # Reading f_locals of a module frame is avoided: on 3.12 it disturbs inlined comprehensions.
        in_class_body = opname.endswith("_NAME") and code.co_name != "<module>"
        if opname in _WRITE_OPS:
            if not in_class_body:
                step.written.add(name)
            return not in_class_body
        if in_class_body and opname == "LOAD_NAME" and name in frame.f_locals:
            return False
        if name in step.written or _hidden(name):
            return not in_class_body
        if name not in self.namespace:
            # A builtin stays one unless this step binds the name, which then counts as its write.
            return _is_builtin(name) and not in_class_body
        cells = step.reads.setdefault(name, [])
        if self.cell_id not in cells:
            cells.append(self.cell_id)
            self.read_kinds.setdefault((step.name, name), value_kind(name, self.namespace[name]))
        return not in_class_body

    def _code_done(self, code: types.CodeType) -> bool:
        """A function whose every site is done; module code and class bodies (``*_NAME`` sites) never are."""
        if code in self._done_codes:
            return True
        self._table(code)
        entries = [entry for line in self._lines[code].values() for entry in line]
        if any(opname.endswith("_NAME") for opname, _ in entries):
            return False
        if all(self._done(opname, name) for opname, name in entries):
            self._done_codes.add(code)
            return True
        return False

    def _line_done(self, code: types.CodeType, line: int) -> bool:
        if (code, line) in self._done_lines:
            return True
        self._table(code)
        if all(self._done(opname, name) for opname, name in self._lines[code].get(line, ())):
            self._done_lines.add((code, line))
            return True
        return False

    # --- settrace (before Python 3.12) ---------------------------------------------------------------

    def _global_trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if frame.f_globals is not self.namespace:
            return None
        if self._code_done(frame.f_code):
            return None
        # Assigning f_trace too: Python 3.13 only honours f_trace_opcodes on a frame that has one.
        frame.f_trace = self._local_trace
        frame.f_trace_lines = True
        frame.f_trace_opcodes = True
        return self._local_trace

    def _local_trace(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            # Opcode events only on lines that still have a site to record.
            frame.f_trace_opcodes = not self._line_done(frame.f_code, frame.f_lineno)
        elif event == "opcode":
            self._record(frame, frame.f_code, frame.f_lasti)
        return self._local_trace

    # --- sys.monitoring (Python 3.12+) ---------------------------------------------------------------

    def _monitor_start(self, code: types.CodeType, offset: int) -> Any:
        # Library code is switched off for good; notebook code once its instruction events are on.
        if sys._getframe(1).f_globals is self.namespace:
            sys.monitoring.set_local_events(_MONITOR, code, sys.monitoring.events.INSTRUCTION)
        return sys.monitoring.DISABLE

    def _monitor_instruction(self, code: types.CodeType, offset: int) -> Any:
        return sys.monitoring.DISABLE if self._record(sys._getframe(1), code, offset) else None

    def _monitored(self, run: Any) -> None:
        monitoring = sys.monitoring
        monitoring.use_tool_id(_MONITOR, "cellpipe tracer")
        try:
            monitoring.register_callback(_MONITOR, monitoring.events.PY_START, self._monitor_start)
            monitoring.register_callback(_MONITOR, monitoring.events.INSTRUCTION, self._monitor_instruction)
            # Sites switched off in the last cell may have something to record in this one.
            monitoring.restart_events()
            monitoring.set_events(_MONITOR, monitoring.events.PY_START)
            run()
        finally:
            monitoring.set_events(_MONITOR, 0)
            monitoring.register_callback(_MONITOR, monitoring.events.PY_START, None)
            monitoring.register_callback(_MONITOR, monitoring.events.INSTRUCTION, None)
            monitoring.free_tool_id(_MONITOR)

    def warm_up(self) -> None:
        """Python 3.12 sends no opcode events to the first frame traced after ``settrace``: spend that on a no-op."""
        if _MONITORING:
            return
        sys.settrace(self._global_trace)
        try:
            exec(compile("None", "<cellpipe tracer warm-up>", "exec"), self.namespace)
        finally:
            sys.settrace(None)

    def run_cell(self, code: types.CodeType, cell_id: str) -> None:
        self.cell_id = cell_id
        self._done_codes.clear()
        self._done_lines.clear()
        if _MONITORING:
            # A cell's own code object starts before PY_START could enable it: enable it here.
            def run() -> None:
                sys.monitoring.set_local_events(_MONITOR, code, sys.monitoring.events.INSTRUCTION)
                exec(code, self.namespace)

            self._monitored(run)
            return
        sys.settrace(self._global_trace)
        try:
            exec(code, self.namespace)
        finally:
            sys.settrace(None)


# Python 3.12's sys.monitoring, where available, unless CELLPIPE_TRACER=settrace asks for the older mechanism.
_MONITORING = hasattr(sys, "monitoring") and os.environ.get("CELLPIPE_TRACER", "") != "settrace"
_MONITOR = 4  # a tool id not reserved for debuggers, coverage, profilers or optimizers


def _is_builtin(name: str) -> bool:
    return hasattr(builtins, name)


def _live_names(namespace: dict, ignored: set) -> dict:
    return {name: value for name, value in namespace.items() if name not in ignored and not _hidden(name)}


def _hidden(name: str) -> bool:
    """Module dunders (``__name__`` read by every class body) and IPython's history names are not notebook data."""
    return (name.startswith("__") and name.endswith("__")) or bool(_IPYTHON_NAMES.match(name))


def _digests(live: dict) -> dict:
    return {name: digest(value) for name, value in live.items()}


def _mark_unstable(live: dict, digests: dict, names: set) -> None:
    """Digests again the values that look changed; one whose digest differs at once (caches, ids inside) is unstable."""
    for name in names:
        if digest(live[name]) != digests[name]:
            kind = type(live[name])
            digests[name] = f"unstable:{kind.__module__}.{kind.__qualname__}"


def _make_namespace() -> tuple:
    """A fresh ``__main__`` module (pickling by reference must find notebook classes) and an IPython shell bound to it."""
    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = module
    transform = None
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance(user_module=module, user_ns=module.__dict__)
        # As in a step (cellpipe.cells.start_shell): `%matplotlib inline` needs a GUI loop a plain shell lacks.
        shell.register_magic_function(lambda line: None, "line", "matplotlib")
        transform = TransformerManager().transform_cell
    except ImportError:
        pass
    return module.__dict__, transform


def _load_plan(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            plan = json.load(handle)
    except (OSError, ValueError) as error:
        raise PlanError(f"cannot read plan {path}: {error}") from None
    if not isinstance(plan.get("cells"), list):
        raise PlanError("plan field 'cells' must be a list")
    for position, cell in enumerate(plan["cells"]):
        for field in ("id", "index", "source", "step"):
            if field not in cell:
                raise PlanError(f"plan cells[{position}] lacks field '{field}'")
    if not isinstance(plan.get("parameters", {}), dict):
        raise PlanError("plan field 'parameters' must be an object")
    return plan


def _jsonable_metric(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    return value if isinstance(value, (bool, int, float, str)) else repr(value)


def trace(plan: dict) -> dict:
    """Runs the plan's cells and returns the trace document (``status`` says whether every cell ran)."""
    namespace, transform = _make_namespace()
    sys.path.insert(0, os.getcwd())
    ignored = set(namespace)
    namespace.update(parameter_values.values(plan))
    tracer = Tracer(namespace)
    tracer.step = _StepTrace(PARAMETERS_STEP)
    tracer.warm_up()
    last_writer = {name: PARAMETERS_STEP for name in plan.get("parameters", {})}
    steps: list = []
    edges: list = []
    error = None

    groups: list = []
    for cell in plan["cells"]:
        if not groups or groups[-1][0] != cell["step"]:
            groups.append((cell["step"], []))
        groups[-1][1].append(cell)

    before = _live_names(namespace, ignored)
    before_digests = _digests(before)
    for step_name, cells in groups:
        step = _StepTrace(step_name)
        tracer.step = step
        for cell in cells:
            step.cells.append(cell["id"])
            source = transform(cell["source"]) if transform else cell["source"]
            try:
                code = compile(source, f"<cell {cell['index']}:{cell['id']}>", "exec")
                tracer.run_cell(code, cell["id"])
            except BaseException as raised:  # noqa: B036 - a notebook may raise SystemExit or KeyboardInterrupt too
                error = {
                    "cellId": cell["id"],
                    "cellIndex": cell["index"],
                    "step": step_name,
                    "type": type(raised).__name__,
                    "message": str(raised),
                    "traceback": "".join(traceback.format_exception(type(raised), raised, raised.__traceback__)),
                }
                break
        after = _live_names(namespace, ignored)
        after_digests = _digests(after)
        rebound = {n for n in set(before) | set(after) if n not in before or n not in after or before[n] is not after[n]}
        _mark_unstable(after, after_digests, {n for n in after if n in rebound or after_digests[n] != before_digests.get(n)})
        mutated = {n for n in after if n not in rebound and after_digests[n] != before_digests[n]}
        for name in mutated:
            if name not in step.reads and name not in step.written:
                step.reads[name] = list(step.cells)
                tracer.read_kinds.setdefault((step_name, name), value_kind(name, after[name]))
        kinds = {name: tracer.read_kinds.get((step_name, name), "value") for name in step.reads}
        for name, read_cells in sorted(step.reads.items()):
            producer = last_writer.get(name)
            if producer is not None and producer != step_name:
                edges.append({"name": name, "from": producer, "to": step_name, "kind": kinds[name], "cells": read_cells})
        changed = (step.written | rebound | mutated) & set(after)
        step_digests = {name: {"digest": after_digests[name], "kind": value_kind(name, after[name])} for name in sorted(changed)}
        steps.append(step.to_json(mutated, rebound, step_digests, kinds))
        for name in step.written | rebound | mutated:
            last_writer[name] = step_name
        before, before_digests = after, after_digests
        if error:
            break

    metrics = {name: _jsonable_metric(namespace[name]) for name in plan.get("metrics", []) if name in namespace}
    return {
        "version": 1,
        "notebook": plan.get("notebook", ""),
        "python": sys.version.split()[0],
        "status": "failed" if error else "succeeded",
        "error": error,
        "steps": steps,
        "edges": edges,
        "metrics": metrics,
    }


def digest_outputs(steps: list) -> dict:
    """Digest of every saved output of each ``{"step", "outDir", "spec", "definitions"?}``, or ``{"error": ...}``.

    ``definitions`` adds the notebook's defs and classes up to the step's last cell: a step's outputs may be
    instances of classes the step itself defines, which its own spec does not list.
    """
    from cellpipe import serializers
    from cellpipe.step import _Definitions

    result: dict = {}
    for entry in steps:
        digests: dict = {}
        result[entry["step"]] = digests
        try:
            with open(os.path.join(entry["outDir"], "manifest.json"), encoding="utf-8") as handle:
                manifest = json.load(handle)
            with open(entry["spec"], encoding="utf-8") as handle:
                spec = json.load(handle)
        except (OSError, ValueError) as error:
            digests["(manifest)"] = {"error": str(error)}
            continue
        namespace, _ = _make_namespace()
        definitions = _Definitions({**spec.get("definitions", {}), **entry.get("definitions", {})}, namespace, {})
        inputs_bound = False
        for name, output in sorted((manifest.get("outputs") or {}).items()):
            if output.get("unbound"):
                # Unbound after a dynamic step, as the name is in the notebook there: no value to compare.
                continue
            path = os.path.join(entry["outDir"], output["file"])
            for attempt in (1, 2):
                try:
                    # A member of an aliasing group is one key of the group's pickle.
                    value = serializers.load(path, output["serializer"], definitions.unpickler, output.get("key"))
                    digests[name] = {"digest": digest(value)}
                    break
                except NameError as error:
                    digests[name] = {"error": f"{type(error).__name__}: {error}"}
                    if attempt == 2 or inputs_bound:
                        break
                    # A class defined on demand may read values the step loaded (`class Rule: limit = THRESHOLD`).
                    _bind_inputs(spec, namespace, definitions)
                    inputs_bound = True
                except Exception as error:  # noqa: BLE001 - a value that does not load is a finding, not a crash
                    digests[name] = {"error": f"{type(error).__name__}: {error}"}
                    break
    return result


def _bind_inputs(spec: dict, namespace: dict, definitions: Any) -> None:
    """Binds the values the step loaded, as its runtime did; one that does not load is left out."""
    from cellpipe import serializers

    for action in spec.get("prepare", []):
        if action.get("action") != "load":
            continue
        try:
            with open(os.path.join(action["dir"], "manifest.json"), encoding="utf-8") as handle:
                output = json.load(handle)["outputs"][action["name"]]
            if output.get("unbound"):
                continue
            path = os.path.join(action["dir"], output["file"])
            namespace[action["name"]] = serializers.load(path, output["serializer"], definitions.unpickler, output.get("key"))
        except Exception:  # noqa: BLE001,S112 - the output that needs it reports the failure
            continue


def _write_atomically(path: str, document: dict) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=1)
    os.replace(temp, path)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cellpipe.tracer", description="Trace a notebook's real data flow per step.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--plan", help="plan JSON: cells with their steps, parameters, metrics")
    mode.add_argument("--digest-outputs", help='JSON list of {"step", "outDir", "spec"} whose saved outputs to digest')
    parser.add_argument("--out", required=True, help="where to write the trace (or digests) JSON")
    args = parser.parse_args(argv)
    if args.digest_outputs:
        try:
            with open(args.digest_outputs, encoding="utf-8") as handle:
                steps = json.load(handle)
        except (OSError, ValueError) as error:
            print(f"cellpipe.tracer: cannot read {args.digest_outputs}: {error}", file=sys.stderr)
            return 2
        _write_atomically(args.out, digest_outputs(steps))
        return 0
    try:
        plan = _load_plan(args.plan)
    except PlanError as problem:
        print(f"cellpipe.tracer: {problem}", file=sys.stderr)
        return 2
    document = trace(plan)
    _write_atomically(args.out, document)
    if document["error"]:
        failure = document["error"]
        print(f"cellpipe.tracer: cell {failure['cellIndex'] + 1} ({failure['cellId']}) raised {failure['type']}: {failure['message']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
