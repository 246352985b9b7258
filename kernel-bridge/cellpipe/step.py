"""Runs one pipeline step from a StepSpec: prepare the namespace, run the cells, save outputs and the manifest."""

import builtins
import hashlib
import json
import os
import pickle
import platform
import re
import sys
import types
import weakref

import cellpipe
from cellpipe import cells as cell_code
from cellpipe import parameters as parameter_values, randomstate
from cellpipe import check, dependencies, mapped, metrics, serializers, shipped, tracebacks
from cellpipe.events import EventWriter
from cellpipe.spec import InvalidSpec, validate

EXIT_OK, EXIT_STEP_FAILED, EXIT_INVALID = 0, 1, 2
MANIFEST = "manifest.json"
# The manifest entry of an output a dynamic step left unbound: no file; hashed as empty, so caching still works.
UNBOUND = {"unbound": True, "sha256": hashlib.sha256(b"").hexdigest(), "bytes": 0}
# What loading an unbound output gives: the name stays unbound in the consumer.
_UNBOUND_INPUT = object()
_UNDEFINED_NAME = re.compile(r"name '([^']+)' is not defined")


class StepFailed(Exception):
    """The step's own code failed; `record` is the manifest error."""

    def __init__(self, record):
        super().__init__(record["message"])
        self.record = record


class InvalidInput(Exception):
    """The spec or an input cannot be used; the message names the field, input or file."""


def runtime_version():
    """Version, a digest of the runtime's sources and the Python version: everything that changes what a step computes."""
    here = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for name in sorted(os.listdir(here)):
        if name.endswith(".py") and not name.startswith("test_"):
            digest.update(name.encode() + b"\0")
            with open(os.path.join(here, name), "rb") as handle:
                digest.update(handle.read() + b"\0")
    return "cellpipe-runtime {} (sources {}, python {})".format(
        cellpipe.__version__, digest.hexdigest()[:12], platform.python_version()
    )


def write_json_atomic(path, document):
    """Readers see the old file or the complete new one, never a partial write."""
    temporary = "{}.tmp-{}".format(path, os.getpid())
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fresh_main():
    """A new module installed as the real `__main__`, so pickle finds classes and functions the cells define."""
    module = types.ModuleType("__main__")
    module.__dict__.update({"__builtins__": builtins, "__spec__": None, "__package__": None})
    sys.modules["__main__"] = module
    # Like an interactive interpreter: the runtime's own arguments are not the notebook's.
    sys.argv = [""]
    return module


def _simple_error(kind, message):
    return {"type": kind, "message": message, "traceback": "{}: {}\n".format(kind, message)}


def _global_names(code):
    """Every name a code object and the functions and classes nested in it may look up globally."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


class _Definitions:
    """Defines notebook functions and classes from `spec.definitions` when unpickling needs them."""

    def __init__(self, definitions, namespace, cell_indexes):
        self._definitions = definitions
        self._namespace = namespace
        self._cell_indexes = cell_indexes

    def define(self, name, waiting=()):
        definition = self._definitions.get(name)
        if definition is None:
            return
        line = definition.get("line")
        filename = tracebacks.register(
            definition["source"],
            definition["cellId"],
            definition.get("cellIndex", self._cell_indexes.get(definition["cellId"])),
            kind="definition",
            line_known=line is not None,
            label="the definition of {}".format(name),
        )
        code = compile("\n" * ((line or 1) - 1) + definition["source"], filename, "exec", dont_inherit=True)
        for _ in range(len(self._definitions) + 1):
            try:
                exec(code, self._namespace)
                break
            except NameError as error:
                match = _UNDEFINED_NAME.search(str(error))
                missing = match.group(1) if match else None
                if missing in waiting or missing == name:
                    chain = (waiting[waiting.index(missing) :] if missing in waiting else ()) + (name, missing)
                    message = "cannot define {} on demand: definitions that need each other ({})"
                    raise NameError(message.format(name, " -> ".join(chain))) from error
                # An import, base class or decorator from an earlier cell: define it first, then retry.
                if missing in self._definitions:
                    self.define(missing, waiting + (name,))
                    continue
                raise
        self.define_globals_of(code, waiting + (name,))

    def define_globals_of(self, code, waiting=()):
        """Functions called from inside a definition or function (at call time, not now) must exist too."""
        for used in sorted(_global_names(code)):
            if used in self._definitions and used not in self._namespace and used not in waiting:
                self.define(used, waiting)

    def _loaded_function(self, *arguments):
        function = serializers._function_skeleton(*arguments)
        self.define_globals_of(function.__code__)
        return function

    def unpickler(self, handle):
        definitions, namespace = self, self._namespace

        class StepUnpickler(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) == (serializers.__name__, serializers._function_skeleton.__name__):
                    return definitions._loaded_function
                top = name.split(".")[0]
                if module == "__main__" and top not in namespace:
                    definitions.define(top)
                return super().find_class(module, name)

        return StepUnpickler(handle)


class StepRun:
    """One execution of a validated spec, writing into `out_dir`."""

    def __init__(self, spec, out_dir, events):
        self.spec = spec
        self.out_dir = out_dir
        self.events = events
        self.producers = {}
        # id of each loaded input -> (a reference to it, the (step, name) outputs it is).
        self.loaded = {}
        self.compiler = cell_code.CellCompiler()
        self.unchanged = None
        self.cell_indexes = {cell["id"]: cell["index"] for cell in spec["cells"]}
        for action in spec["prepare"]:
            if action["action"] == "exec":
                self.cell_indexes.setdefault(action["cellId"], action["cellIndex"])

    def run(self):
        module = _fresh_main()
        namespace = module.__dict__
        compiled = self._compile_cells()
        if self.compiler.needs_shell:
            cell_code.start_shell(module)
        else:
            cell_code.provide_display()
        namespace.update(parameter_values.values(self.spec))
        metrics.set_listener(lambda name, value, index: self.events.emit("metric", name=name, value=value, index=index))
        runner = cell_code.CellRunner(namespace)
        self.unchanged = check.UnchangedCheck(self.spec.get("unchanged", []), namespace) if check.enabled() else None
        file_reads = dependencies.FileReads()
        file_reads.start()
        try:
            self._prepare(namespace, runner)
            shipped.import_files(self.spec)
            randomstate.before_cells(self.spec)
            if self.unchanged:
                self.unchanged.snapshot()
            self._run_cells(namespace, runner, compiled)
        finally:
            file_reads.stop()
            runner.close()
        change = self.unchanged.find_change(self.spec["step"], compiled) if self.unchanged else None
        if change:
            raise StepFailed(change)
        randomstate.after_cells(self.spec, self.out_dir)
        shipped.export_files(self.spec, self.out_dir)
        step_metrics = self._collect_metrics(namespace)
        outputs = self._save_outputs(namespace)
        inputs = [action["dir"] for action in self.spec["prepare"] if action["action"] == "load"]
        # The RNG state a step continues is an input too: its content is in the cache key.
        inputs += [self.spec["randomState"]["dir"]] if (self.spec.get("randomState") or {}).get("dir") else []
        return {
            "step": self.spec["step"],
            "outputs": outputs,
            "metrics": step_metrics,
            "status": "succeeded",
            "dependencies": dependencies.collect(file_reads, [self.out_dir] + inputs),
        }

    def _compile_cells(self):
        compiled = []
        for cell in self.spec["cells"]:
            filename = tracebacks.register(cell["source"], cell["id"], cell["index"])
            try:
                compiled.append((cell, self.compiler.compile(cell["source"], filename)))
            except SyntaxError as error:
                raise StepFailed(tracebacks.error_record(error))
        return compiled

    def _prepare(self, namespace, runner):
        definitions = _Definitions(self.spec["definitions"], namespace, self.cell_indexes)
        # Group files already loaded in this run, by path: their members keep the objects they share.
        manifests, groups = {}, {}
        for action in self.spec["prepare"]:
            if action["action"] == "exec":
                line = action.get("line")
                filename = tracebacks.register(
                    action["source"],
                    action["cellId"],
                    action["cellIndex"],
                    kind="statement",
                    line_known=line is not None,
                    label="the statement defining {}".format(", ".join(action["names"]) or "names"),
                )
                try:
                    runner.run(compile("\n" * ((line or 1) - 1) + action["source"], filename, "exec", dont_inherit=True))
                except BaseException as error:  # noqa: BLE001 - any failure of notebook code fails the step
                    raise StepFailed(tracebacks.error_record(error))
            else:
                value, entry = self._load(action, manifests, groups, definitions)
                if value is _UNBOUND_INPUT:
                    namespace.pop(action["name"], None)
                    continue
                namespace[action["name"]] = value
                tags = self._names_of(value)
                tags.add((action["from"], action["name"]))
                tags.update(_same_as(entry, action["name"], action["from"]))
                self.loaded[id(value)] = (_reference(value), tags)
        self._rejoin_aliases(namespace)

    def _rejoin_aliases(self, namespace):
        """An input that an earlier step bound under another name too (`alias = base`) is one object, as in the notebook.

        Of the loaded objects that are (or are aliases of) the output `name` of step `from`, the one with the
        longest history of names is the most recent: every name of the action binds it.
        """
        for action in self.spec["prepare"]:
            if action["action"] != "load":
                continue
            tag = (action["from"], action["name"])
            candidates = [(len(tags), reference()) for reference, tags in self.loaded.values() if tag in tags]
            candidates = [candidate for candidate in candidates if candidate[1] is not None]
            if candidates:
                namespace[action["name"]] = max(candidates, key=lambda candidate: candidate[0])[1]

    def _names_of(self, value):
        """The (step, name) outputs `value` was loaded as; empty for anything else (also for a new object reusing an id)."""
        reference, tags = self.loaded.get(id(value), (None, set()))
        return tags if reference is not None and reference() is value else set()

    def _load(self, action, manifests, groups, definitions):
        name, producer, directory = action["name"], action["from"], action["dir"]
        where = "input '{}' from step '{}'".format(name, producer)
        if directory not in manifests:
            manifest_path = os.path.join(directory, MANIFEST)
            try:
                with open(manifest_path, encoding="utf-8") as handle:
                    manifests[directory] = json.load(handle)
            except (OSError, ValueError) as error:
                raise InvalidInput("{}: cannot read {}: {}".format(where, manifest_path, error))
        manifest = manifests[directory]
        if manifest.get("status") != "succeeded":
            raise InvalidInput("{}: step '{}' did not succeed (manifest status {!r})".format(where, producer, manifest.get("status")))
        entry = (manifest.get("outputs") or {}).get(name)
        if not isinstance(entry, dict):
            raise InvalidInput("{}: {} has no output '{}'".format(where, os.path.join(directory, MANIFEST), name))
        if entry.get("unbound") is True:
            return _UNBOUND_INPUT, entry
        file_name = entry.get("file")
        if not isinstance(file_name, str) or os.path.basename(file_name) != file_name or file_name in ("", ".", ".."):
            raise InvalidInput("{}: manifest field outputs.{}.file must be a plain file name, not {!r}".format(where, name, file_name))
        path = os.path.join(directory, file_name)
        try:
            size = os.path.getsize(path)
        except OSError:
            raise InvalidInput("{}: file {} is missing".format(where, path))
        if size != entry.get("bytes"):
            raise InvalidInput("{}: file {} has {} bytes, its manifest says {}".format(where, path, size, entry.get("bytes")))
        key = entry.get("key")
        if key is not None and not isinstance(key, str):
            raise InvalidInput("{}: manifest field outputs.{}.key must be a string, not {!r}".format(where, name, key))
        try:
            if key is None:
                # An array the check holds is mapped from its file, so checking it costs no hashing.
                held = self.unchanged is not None and name in self.unchanged.names() and mapped.available()
                return serializers.load(path, entry.get("serializer"), definitions.unpickler, mapped=held), entry
            if path not in groups:
                groups[path] = serializers.load_group(path, entry.get("serializer"), definitions.unpickler)
        except serializers.LoadError as error:
            raise InvalidInput("{}: {}".format(where, error))
        except Exception as error:  # noqa: BLE001 - a value that does not load is an unusable input
            raise InvalidInput("{}: cannot load {}: {}: {}".format(where, path, type(error).__name__, error))
        if key not in groups[path]:
            raise InvalidInput("{}: group file {} has no member '{}'".format(where, path, key))
        return groups[path][key], entry

    def _run_cells(self, namespace, runner, compiled):
        outputs = self.spec["outputs"]
        for cell, code in compiled:
            self.events.emit("cell", cellId=cell["id"], cellIndex=cell["index"])
            before = {name: id(namespace[name]) for name in outputs if name in namespace}
            try:
                runner.run(code)
            except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt in a cell fail the step too
                raise StepFailed(tracebacks.error_record(error))
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            for name in outputs:
                if name in namespace and before.get(name) != id(namespace[name]):
                    self.producers[name] = cell

    def _collect_metrics(self, namespace):
        logged = metrics.logged_metrics()
        collected = {}
        for name in self.spec["metrics"]:
            if name in logged:
                continue
            if name not in namespace:
                raise StepFailed(_simple_error("MissingMetric", "metric '{}' is not defined by the step's cells".format(name)))
            value = namespace[name]
            if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 1:
                value = value.tolist()
            try:
                if isinstance(value, (list, tuple)):
                    collected[name] = [metrics.metric_value(name, item) for item in value]
                else:
                    collected[name] = metrics.metric_value(name, value)
            except TypeError as error:
                raise StepFailed(_simple_error("InvalidMetric", str(error)))
        collected.update(logged)
        return collected

    def _untravelable(self, name, value, error):
        cell = self.producers.get(name)
        where = " (bound in cell {}, id {})".format(cell["index"] + 1, cell["id"]) if cell else ""
        what = "{} ({})".format(serializers.type_name(error.value_type), error.kind)
        if error.value_type is not type(value):
            what = "{} holding a {}".format(serializers.type_name(value), what)
        message = (
            "output '{}'{} cannot travel to later steps: it is a {}; "
            "recreate it in the consumer step, or tag these cells into one step"
        ).format(name, where, what)
        record = _simple_error("UntravelableValue", message)
        if cell:
            record.update(cellId=cell["id"], cellIndex=cell["index"])
        return StepFailed(record)

    def _save_outputs(self, namespace):
        """Every output goes to a temporary file first; they are renamed into place only once all of them saved."""
        missing = [name for name in self.spec["outputs"] if name not in namespace]
        # A dynamic step (exec, %run) is asked for every name it may bind; one it did not bind travels as unbound.
        if missing and not self.spec.get("dynamic"):
            raise StepFailed(
                _simple_error("MissingOutput", "the step's cells did not define {}, which a later step reads".format(
                    ", ".join("'{}'".format(name) for name in missing)))
            )
        entries = self._save_bound(namespace, [name for name in self.spec["outputs"] if name in namespace])
        entries.update({name: dict(UNBOUND) for name in missing})
        return entries

    def _save_bound(self, namespace, names):
        staged, entries, used = [], {}, set()
        try:
            values = {name: namespace[name] for name in names}
            for group in serializers.sharing_groups(values):
                stem = group[0] if len(group) == 1 else "group-" + group[0]
                while stem.lower() in used:
                    stem += "_"
                used.add(stem.lower())
                temporary_stem = os.path.join(self.out_dir, ".{}.tmp-{}".format(stem, os.getpid()))
                try:
                    if len(group) == 1:
                        path, entry = serializers.save(values[group[0]], temporary_stem)
                    else:
                        path, entry = serializers.save_group({name: values[name] for name in group}, temporary_stem)
                except serializers.Untravelable as error:
                    name = error.member or group[0]
                    raise self._untravelable(name, values[name], error)
                file_name = stem + serializers.EXTENSIONS[entry["serializer"]]
                staged.append((path, os.path.join(self.out_dir, file_name)))
                for name in group:
                    entries[name] = dict(entry, file=file_name, type=serializers.type_name(values[name]))
                    if len(group) > 1:
                        entries[name]["key"] = name
                    same_as = sorted(self._names_of(values[name]))
                    if same_as:
                        entries[name]["sameAs"] = [{"step": step, "name": other} for step, other in same_as]
        except BaseException:
            for path, _ in staged:
                if os.path.exists(path):
                    os.remove(path)
            raise
        for temporary, final in staged:
            os.replace(temporary, final)
        return entries


def _reference(value):
    """A weak reference where the type allows one, so a loaded input the cells rebind can be freed."""
    try:
        return weakref.ref(value)
    except TypeError:
        # Builtin containers cannot be weakly referenced: holding them keeps their id from being reused.
        return lambda: value


def _same_as(entry, name, producer):
    """The (step, name) pairs a manifest entry says its object also is; InvalidInput naming the field if malformed."""
    same_as = entry.get("sameAs", [])
    valid = isinstance(same_as, list) and all(
        isinstance(item, dict) and isinstance(item.get("step"), str) and isinstance(item.get("name"), str) for item in same_as
    )
    if not valid:
        raise InvalidInput(
            "input '{}' from step '{}': manifest field outputs.{}.sameAs must be a list of {{step, name}} objects".format(
                name, producer, name)
        )
    return {(item["step"], item["name"]) for item in same_as}


def _fail(out_dir, events, step_name, record, code):
    events.emit("error", **record)
    manifest = {"step": step_name, "outputs": {}, "metrics": metrics.logged_metrics(), "status": "failed", "error": record}
    write_json_atomic(os.path.join(out_dir, MANIFEST), manifest)
    return code


def run_step(spec_path, out_dir):
    """Runs the step described by the JSON file `spec_path`; returns the process exit code (0, 1 or 2)."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        # A crash must not leave an earlier run's manifest looking like this run's result.
        if os.path.exists(os.path.join(out_dir, MANIFEST)):
            os.remove(os.path.join(out_dir, MANIFEST))
        events = EventWriter.open(out_dir)
    except (OSError, ValueError) as error:
        print("cellpipe: {}".format(error), file=sys.stderr)
        return EXIT_INVALID
    step_name = ""
    try:
        try:
            with open(spec_path, encoding="utf-8") as handle:
                spec = json.load(handle)
        except (OSError, ValueError) as error:
            raise InvalidSpec("cannot read spec {}: {}".format(spec_path, error))
        if isinstance(spec, dict) and isinstance(spec.get("step"), str):
            step_name = spec["step"]
        validate(spec)
        manifest = StepRun(spec, out_dir, events).run()
        write_json_atomic(os.path.join(out_dir, MANIFEST), manifest)
        return EXIT_OK
    except StepFailed as failure:
        return _fail(out_dir, events, step_name, failure.record, EXIT_STEP_FAILED)
    except (InvalidSpec, InvalidInput) as error:
        kind = "InvalidSpec" if isinstance(error, InvalidSpec) else "InvalidInput"
        print("cellpipe: {}".format(error), file=sys.stderr)
        return _fail(out_dir, events, step_name, _simple_error(kind, str(error)), EXIT_INVALID)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        events.close()
