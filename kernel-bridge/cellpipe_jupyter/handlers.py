"""REST and WebSocket endpoints under `<base_url>/cellpipe/`, behind jupyter_server's auth and XSRF checks."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.utils import url_path_join
from tornado import web, websocket

from .engine import Engine, EngineError

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# The tail of each step log a logs request returns; the whole file stays in the run record.
MAX_LOG_BYTES = 2_000_000
# Runs whose notebook the server remembers (for logs without a path); the records on disk hold the rest.
MAX_REMEMBERED_RUNS = 500
# jupyter_server's authorization resource for every cellpipe endpoint (`read`, `write`, `execute`).
AUTH_RESOURCE = "cellpipe"


class RunHub:
    """Which notebook each recent run belongs to; relays events to sockets. Logs stay on disk, not in memory."""

    def __init__(self, engine: Engine, root_dir: str, python: str) -> None:
        self.engine = engine
        self.root = Path(root_dir).resolve()
        self.python = python
        self.sockets: set[EventsSocket] = set()
        self.live: OrderedDict[str, dict[str, Any]] = OrderedDict()
        engine.add_listener(self.on_event)

    def remember(self, run_id: str) -> dict[str, Any]:
        run = self.live.setdefault(run_id, {"state": "running"})
        self.live.move_to_end(run_id)
        while len(self.live) > MAX_REMEMBERED_RUNS:
            self.live.popitem(last=False)
        return run

    def unrecorded_runs(self, notebook: Path, recorded: set[str]) -> list[dict[str, Any]]:
        """This server's runs of a notebook that left no local record (cluster runs), newest first."""
        path = self.relative(str(notebook))
        return [
            {"runId": run_id, "failedSteps": [], **run}
            for run_id, run in reversed(self.live.items())
            if run_id not in recorded and run.get("notebookPath") == path and "backend" in run
        ]

    def notebook_file(self, relative: str) -> Path:
        """The notebook at a contents-API path, refused when it escapes the server root or is not a notebook."""
        if not isinstance(relative, str) or not relative.strip():
            raise ValueError("path: missing (the notebook's path relative to the Jupyter root)")
        target = (self.root / relative.lstrip("/")).resolve()
        if target != self.root and self.root not in target.parents:
            raise ValueError(f"path: '{relative}' is outside the Jupyter root")
        if target.suffix != ".ipynb":
            raise ValueError(f"path: '{relative}' is not a .ipynb notebook")
        if not target.is_file():
            raise ValueError(f"path: '{relative}' does not exist")
        return target

    def relative(self, absolute: str) -> str:
        try:
            return Path(absolute).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return absolute

    def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "run-started":
            run = self.remember(str(event.get("runId")))
            run["startedAt"] = event.get("time")
            run["notebookPath"] = self.relative(str(event.get("notebook", "")))
            run["backend"] = event.get("backend", "local")
        elif kind == "step-state" and event.get("state") == "failed":
            self.remember(str(event.get("runId"))).setdefault("failedSteps", []).append(event.get("step"))
        elif kind == "run-finished":
            run = self.remember(str(event.get("runId")))
            run["state"] = event.get("state")
            run["elapsedMs"] = event.get("elapsedMs")
            run["metrics"] = event.get("metrics") or {}
        message = json.dumps({"event": event})
        for socket in list(self.sockets):
            socket.send(message)


class CellpipeHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    @property
    def hub(self) -> RunHub:
        return self.settings["cellpipe_hub"]

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def fail(self, status: int, message: str) -> None:
        self.reply(status, {"message": message.splitlines()[0] if message else "error"})


class RunsHandler(CellpipeHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        try:
            notebook = self.hub.notebook_file(path)
            result = await self.hub.engine.request("runs", {"notebookPath": str(notebook)})
        except ValueError as error:
            return self.fail(400, str(error))
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        runs = [summary(record, self.hub) for record in (result or {}).get("runs", [])]
        self.reply(200, {"runs": self.hub.unrecorded_runs(notebook, {run["runId"] for run in runs}) + runs})

    # Starting a run executes the notebook's code on the server, as a kernel does.
    @web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("request body: expected a JSON object")
            notebook = self.hub.notebook_file(body.get("path", ""))
            params = run_params(body, notebook, self.hub.python)
        except (ValueError, json.JSONDecodeError) as error:
            return self.fail(400, str(error))
        try:
            result = await self.hub.engine.request("run", params)
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        run_id = str(result["runId"])
        run = self.hub.remember(run_id)
        run["notebookPath"] = self.hub.relative(str(notebook))
        self.reply(201, {"runId": run_id})


class CancelHandler(CellpipeHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        if not RUN_ID.match(run_id):
            return self.fail(400, f"runId: '{run_id}' is not a run id")
        try:
            result = await self.hub.engine.request("cancel", {"runId": run_id})
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        self.reply(200, {"cancelled": bool((result or {}).get("cancelled"))})


class LatestRunHandler(CellpipeHandler):
    """The latest run record of a notebook, so a reloaded page can put results back on its cells (by cell id)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        try:
            notebook = self.hub.notebook_file(self.get_query_argument("path", ""))
            result = await self.hub.engine.request("runs", {"notebookPath": str(notebook)})
        except ValueError as error:
            return self.fail(400, str(error))
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        records = (result or {}).get("runs", [])
        latest = dict(records[0]) if records else None
        if latest is not None:
            latest["notebook"] = self.hub.relative(str(latest.get("notebook", "")))
        self.reply(200, {"run": latest})


class CompileHandler(CellpipeHandler):
    """The saved notebook compiled to Argo Workflow or KFP YAML, for the editor's export commands."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("request body: expected a JSON object")
            notebook = self.hub.notebook_file(body.get("path", ""))
            target = body.get("target")
            if target not in ("argo", "kfp"):
                raise ValueError("target: expected 'argo' or 'kfp'")
        except (ValueError, json.JSONDecodeError) as error:
            return self.fail(400, str(error))
        try:
            result = await self.hub.engine.request("compile", {"notebookPath": str(notebook), "target": target})
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        self.reply(200, {"target": target, "text": result["text"]})


class LogsHandler(CellpipeHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        if not RUN_ID.match(run_id):
            return self.fail(400, f"runId: '{run_id}' is not a run id")
        path = self.get_query_argument("path", "") or self.hub.live.get(run_id, {}).get("notebookPath", "")
        try:
            notebook = self.hub.notebook_file(path)
        except ValueError as error:
            return self.fail(404, f"run '{run_id}': {error}")
        self.reply(200, {"text": read_record_logs(notebook, run_id)})


class EventsSocket(WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """Every run event, as `{"event": RunEvent}` text frames, for users who may read cellpipe runs.

    The origin is checked by jupyter_server's WebSocketMixin (same host, or the server's allow_origin settings).
    """

    auth_resource = AUTH_RESOURCE

    @property
    def hub(self) -> RunHub:
        return self.settings["cellpipe_hub"]

    async def get(self, *args: Any, **kwargs: Any) -> None:
        user = self.current_user
        if user is None:
            raise web.HTTPError(403, "cellpipe events: not authenticated")
        if not await ensure_async(self.authorizer.is_authorized(self, user, "read", AUTH_RESOURCE)):
            raise web.HTTPError(403, "cellpipe events: not authorized to read cellpipe runs")
        await super().get(*args, **kwargs)

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        self.hub.sockets.add(self)

    def on_close(self) -> None:
        self.hub.sockets.discard(self)

    def on_message(self, message: str | bytes) -> None:
        """The stream is one-way; client messages are ignored."""

    def send(self, message: str) -> None:
        try:
            self.write_message(message)
        except websocket.WebSocketClosedError:
            self.hub.sockets.discard(self)


def run_params(body: dict[str, Any], notebook: Path, python: str) -> dict[str, Any]:
    """The engine's `run` params from a request body, each field type-checked with a one-line error."""
    if "python" in body:
        raise ValueError("python: set on the server (c.Cellpipe.python), not by a request")
    params: dict[str, Any] = {"notebookPath": str(notebook), "python": python}
    if "jobs" in body:
        jobs = body["jobs"]
        if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= 64:
            raise ValueError("jobs: expected an integer from 1 to 64")
        params["jobs"] = jobs
    for flag in ("cache", "warm"):
        if flag in body:
            if not isinstance(body[flag], bool):
                raise ValueError("{}: expected true or false".format(flag))
            params[flag] = body[flag]
    if "parameters" in body:
        if not isinstance(body["parameters"], dict):
            raise ValueError("parameters: expected an object of name → value")
        params["parameters"] = body["parameters"]
    backend = body.get("backend", "local")
    if backend not in ("local", "argo"):
        raise ValueError("backend: expected 'local' or 'argo'")
    if backend == "argo":
        # Core's ArgoBackend talks to the cluster with the server's kubeconfig; this extension only passes the choice.
        params["backend"] = "argo"
        for field, param in (("kubeContext", "context"), ("namespace", "namespace"), ("image", "image")):
            value = body.get(field, "")
            if not isinstance(value, str):
                raise ValueError(f"{field}: expected a string")
            if value:
                params[param] = value
    return params


def summary(record: dict[str, Any], hub: RunHub) -> dict[str, Any]:
    return {
        "runId": record.get("runId"),
        "notebookPath": hub.relative(str(record.get("notebook", ""))),
        "state": record.get("state"),
        "startedAt": record.get("startedAt"),
        "elapsedMs": record.get("elapsedMs"),
        "metrics": {step["name"]: step.get("metrics", {}) for step in record.get("steps", []) if step.get("metrics")},
        "failedSteps": [step["name"] for step in record.get("steps", []) if step.get("state") == "failed"],
        "backend": "local",
    }


def read_record_logs(notebook: Path, run_id: str) -> str:
    """Logs of a past run from its record folder (`<notebook dir>/.cellpipe/runs/<runId>/`)."""
    run_dir = notebook.parent / ".cellpipe" / "runs" / run_id
    try:
        record = json.loads((run_dir / "run.json").read_text())
    except (OSError, json.JSONDecodeError):
        return f"(no record for run {run_id})"
    parts: list[str] = []
    for step in record.get("steps", []):
        parts.append(f"── {step.get('name')} ──\n")
        for key in ("stdout", "stderr"):
            relative = step.get(key)
            if not relative:
                continue
            file = (run_dir / relative).resolve()
            if run_dir.resolve() in file.parents and file.is_file():
                parts.append(read_tail(file, MAX_LOG_BYTES))
    return "".join(parts)


def read_tail(file: Path, limit: int) -> str:
    """The last `limit` bytes of a log file, read without loading the rest; says how much was left out."""
    with file.open("rb") as stream:
        size = stream.seek(0, 2)
        stream.seek(max(0, size - limit))
        tail = stream.read(limit).decode(errors="replace")
    if size <= limit:
        return tail
    return f"[{size - limit} earlier bytes are in the run record's {file.name}]\n{tail}"


def setup_handlers(web_app: Any, hub: RunHub) -> None:
    base = url_path_join(web_app.settings["base_url"], "cellpipe")
    web_app.settings["cellpipe_hub"] = hub
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "runs"), RunsHandler),
            (url_path_join(base, "runs/latest"), LatestRunHandler),
            (url_path_join(base, "compile"), CompileHandler),
            (url_path_join(base, r"runs/([^/]+)/cancel"), CancelHandler),
            (url_path_join(base, r"runs/([^/]+)/logs"), LogsHandler),
            (url_path_join(base, "events"), EventsSocket),
        ],
    )
