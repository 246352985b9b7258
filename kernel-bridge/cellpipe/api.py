"""A small Python API over the step runtime, for tests, tools and the Jupyter server extension."""

import json
import os
import subprocess
import sys
import tempfile

from cellpipe import serializers

RUNTIME_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class StepResult:
    """What one run of `python -m cellpipe.runtime` produced."""

    def __init__(self, returncode, stdout, stderr, manifest, events):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.manifest = manifest
        self.events = events

    def __repr__(self):
        return "StepResult(returncode={!r}, status={!r})".format(self.returncode, (self.manifest or {}).get("status"))


def make_spec(step, cells, outputs=(), metrics=(), parameters=None, prepare=(), definitions=None, pipeline="test"):
    """A StepSpec; `cells` are sources (ids `c0`, `c1`… and indexes 0, 1…) or complete `{id, index, source}` cells."""
    return {
        "version": 1,
        "pipeline": pipeline,
        "step": step,
        "prepare": list(prepare),
        "cells": [
            cell if isinstance(cell, dict) else {"id": "c{}".format(number), "index": number, "source": cell}
            for number, cell in enumerate(cells)
        ],
        "outputs": list(outputs),
        "metrics": list(metrics),
        "parameters": dict(parameters or {}),
        "definitions": dict(definitions or {}),
    }


def load_action(name, from_step, out_dir):
    return {"action": "load", "name": name, "from": from_step, "dir": os.fspath(out_dir)}


def exec_action(source, names, cell_id, cell_index, line=None):
    action = {"action": "exec", "names": list(names), "source": source, "cellId": cell_id, "cellIndex": cell_index}
    if line is not None:
        action["line"] = line
    return action


def read_manifest(out_dir):
    path = os.path.join(os.fspath(out_dir), "manifest.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_events(out_dir):
    path = os.path.join(os.fspath(out_dir), "events.ndjson")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_spec(spec, out_dir, python=None, env=None, cwd=None, pass_fds=()):
    """Runs `spec` in a new Python process (this interpreter unless `python`), the runtime on its PYTHONPATH."""
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    handle, spec_path = tempfile.mkstemp(suffix=".json", prefix="spec-", dir=os.path.dirname(os.path.abspath(out_dir)))
    with os.fdopen(handle, "w", encoding="utf-8") as spec_file:
        json.dump(spec, spec_file)
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [RUNTIME_PARENT, environment.get("PYTHONPATH")]))
    try:
        completed = subprocess.run(
            [python or sys.executable, "-m", "cellpipe.runtime", "--spec", spec_path, "--out", out_dir],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            env=environment,
            cwd=cwd,
            pass_fds=pass_fds,
        )
    finally:
        os.remove(spec_path)
    return StepResult(completed.returncode, completed.stdout, completed.stderr, read_manifest(out_dir), read_events(out_dir))


def load_output(out_dir, name):
    """One saved output of a finished step, loaded into this process (notebook classes must already be defined)."""
    manifest = read_manifest(out_dir)
    if manifest is None or name not in manifest.get("outputs", {}):
        raise KeyError("{} has no output {!r}".format(os.path.join(os.fspath(out_dir), "manifest.json"), name))
    entry = manifest["outputs"][name]
    import pickle

    return serializers.load(os.path.join(os.fspath(out_dir), entry["file"]), entry["serializer"], pickle.Unpickler)
