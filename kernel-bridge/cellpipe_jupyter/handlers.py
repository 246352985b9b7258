"""REST and WebSocket endpoints under `<base_url>/cellpipe/`, behind jupyter_server's auth and XSRF checks."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web, websocket

from .engine import Engine, EngineError

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_LOG_CHARS = 2_000_000


class RunHub:
    """What the server remembers about runs it started: notebook, state and logs; relays events to sockets."""

    def __init__(self, engine: Engine, root_dir: str) -> None:
        self.engine = engine
        self.root = Path(root_dir).resolve()
        self.sockets: set[EventsSocket] = set()
        self.live: dict[str, dict[str, Any]] = {}
        engine.add_listener(self.on_event)

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
        run = self.live.setdefault(str(event.get("runId")), {"logs": [], "size": 0, "state": "running"})
        kind = event.get("type")
        if kind == "run-started":
            run["startedAt"] = event.get("time")
        elif kind == "step-log" and run["size"] < MAX_LOG_CHARS:
            text = str(event.get("text", ""))
            run["logs"].append((str(event.get("step")), text))
            run["size"] += len(text)
        elif kind == "run-finished":
            run["state"] = event.get("state")
            run["elapsedMs"] = event.get("elapsedMs")
            run["metrics"] = event.get("metrics")
        message = json.dumps({"event": event})
        for socket in list(self.sockets):
            socket.send(message)


class CellpipeHandler(APIHandler):
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
        self.reply(200, {"runs": runs})

    @web.authenticated
    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("request body: expected a JSON object")
            notebook = self.hub.notebook_file(body.get("path", ""))
            params = run_params(body, notebook)
        except (ValueError, json.JSONDecodeError) as error:
            return self.fail(400, str(error))
        try:
            result = await self.hub.engine.request("run", params)
        except EngineError as error:
            return self.fail(400 if error.kind == "input" else 500, str(error))
        run_id = str(result["runId"])
        run = self.hub.live.setdefault(run_id, {"logs": [], "size": 0, "state": "running"})
        run["notebookPath"] = self.hub.relative(str(notebook))
        self.reply(201, {"runId": run_id})


class CancelHandler(CellpipeHandler):
    @web.authenticated
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
    async def get(self, run_id: str) -> None:
        if not RUN_ID.match(run_id):
            return self.fail(400, f"runId: '{run_id}' is not a run id")
        live = self.hub.live.get(run_id)
        if live and live["logs"]:
            return self.reply(200, {"text": join_logs(live["logs"])})
        path = self.get_query_argument("path", "") or (live or {}).get("notebookPath", "")
        try:
            notebook = self.hub.notebook_file(path)
        except ValueError as error:
            return self.fail(404, f"run '{run_id}': no logs in memory and {error}")
        self.reply(200, {"text": read_record_logs(notebook, run_id)})


class EventsSocket(websocket.WebSocketHandler, JupyterHandler):
    """Every run event, as `{"event": RunEvent}` text frames; refused without a logged-in user."""

    @property
    def hub(self) -> RunHub:
        return self.settings["cellpipe_hub"]

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if self.current_user is None:
            raise web.HTTPError(403, "cellpipe events: not authenticated")
        await super().get(*args, **kwargs)

    def check_origin(self, origin: str) -> bool:
        return JupyterHandler.check_origin(self, origin)

    def open(self, *args: Any, **kwargs: Any) -> None:
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


def run_params(body: dict[str, Any], notebook: Path) -> dict[str, Any]:
    """The engine's `run` params from a request body, each field type-checked with a one-line error."""
    params: dict[str, Any] = {"notebookPath": str(notebook)}
    python = body.get("python") or sys.executable
    if not isinstance(python, str):
        raise ValueError("python: expected a string")
    params["python"] = python
    if "jobs" in body:
        jobs = body["jobs"]
        if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= 64:
            raise ValueError("jobs: expected an integer from 1 to 64")
        params["jobs"] = jobs
    if "cache" in body:
        if not isinstance(body["cache"], bool):
            raise ValueError("cache: expected true or false")
        params["cache"] = body["cache"]
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
    }


def join_logs(lines: list[tuple[str, str]]) -> str:
    out: list[str] = []
    current = None
    for step, text in lines:
        if step != current:
            out.append(f"── {step} ──\n")
            current = step
        out.append(text)
    return "".join(out)


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
                parts.append(file.read_text(errors="replace")[-MAX_LOG_CHARS:])
    return "".join(parts)


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
