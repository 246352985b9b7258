import asyncio
import json

import nbformat
import pytest
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClosedError

from cellpipe_jupyter.handlers import RunHub, read_record_logs, run_params


def write_notebook(root, name, cells):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        notebook.cells.append(cell)
    nbformat.write(notebook, str(root / name))
    return notebook


async def collect_until_finished(socket, run_id, timeout=120):
    events = []

    async def read():
        while True:
            message = await socket.read_message()
            if message is None:
                raise WebSocketClosedError()
            event = json.loads(message)["event"]
            if event["runId"] != run_id:
                continue
            events.append(event)
            if event["type"] == "run-finished":
                return events

    return await asyncio.wait_for(read(), timeout)


async def test_unauthenticated_requests_are_refused(http_server_client, jp_base_url):
    for method, path, body in [
        ("GET", "cellpipe/runs?path=a.ipynb", None),
        ("POST", "cellpipe/runs", b"{}"),
        ("POST", "cellpipe/runs/abc/cancel", b""),
        ("GET", "cellpipe/runs/abc/logs", None),
    ]:
        with pytest.raises(HTTPClientError) as raised:
            await http_server_client.fetch(jp_base_url + path, method=method, body=body)
        assert raised.value.code == 403, (method, path)


async def test_unauthenticated_event_socket_is_refused(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_ws_fetch("cellpipe", "events", headers={"Authorization": ""})
    assert raised.value.code == 403


async def test_bad_paths_get_one_line_errors(jp_fetch, jp_root_dir):
    (jp_root_dir / "notes.txt").write_text("x")
    for path, expected in [
        ("../outside.ipynb", "outside the Jupyter root"),
        ("notes.txt", "not a .ipynb notebook"),
        ("missing.ipynb", "does not exist"),
        ("", "missing"),
    ]:
        with pytest.raises(HTTPClientError) as raised:
            await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": path}))
        assert raised.value.code == 400
        message = json.loads(raised.value.response.body)["message"]
        assert expected in message and "\n" not in message


async def test_bad_fields_are_named(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"])])
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "nb.ipynb", "jobs": 0}))
    assert json.loads(raised.value.response.body)["message"].startswith("jobs:")


def test_argo_backend_settings_reach_the_engine(tmp_path):
    params = run_params(
        {"backend": "argo", "kubeContext": "lab", "namespace": "team-a", "image": ""}, tmp_path / "nb.ipynb", "python3"
    )
    assert params["backend"] == "argo"
    assert (params["context"], params["namespace"]) == ("lab", "team-a")
    assert "image" not in params
    assert "backend" not in run_params({"backend": "local"}, tmp_path / "nb.ipynb", "python3")


def test_the_warm_steps_setting_reaches_the_engine_and_is_type_checked(tmp_path):
    assert run_params({"warm": False}, tmp_path / "nb.ipynb", "python3")["warm"] is False
    assert "warm" not in run_params({}, tmp_path / "nb.ipynb", "python3")
    with pytest.raises(ValueError, match="^warm: expected true or false$"):
        run_params({"warm": "no"}, tmp_path / "nb.ipynb", "python3")


async def test_unknown_backend_and_bad_cluster_settings_are_named(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "nb.ipynb", [("a = 1", ["step:one"])])
    for body, field in (({"backend": "slurm"}, "backend:"), ({"backend": "argo", "namespace": 3}, "namespace:")):
        with pytest.raises(HTTPClientError) as raised:
            await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "nb.ipynb", **body}))
        assert raised.value.code == 400
        assert json.loads(raised.value.response.body)["message"].startswith(field)


async def test_run_streams_events_lists_runs_and_logs(jp_fetch, jp_ws_fetch, jp_root_dir):
    notebook = write_notebook(
        jp_root_dir,
        "pipe.ipynb",
        [
            ("numbers = list(range(5))", ["step:load"]),
            ("total = sum(numbers)\nprint('total is', total)", ["step:total"]),
            ("score = total / 10", ["pipeline-metrics"]),
        ],
    )
    socket = await jp_ws_fetch("cellpipe", "events")
    response = await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "pipe.ipynb", "jobs": 2}))
    assert response.code == 201
    run_id = json.loads(response.body)["runId"]
    events = await collect_until_finished(socket, run_id)
    socket.close()

    started = next(event for event in events if event["type"] == "run-started")
    cell_ids = {cell.id for cell in notebook.cells}
    assert {cell for step in started["steps"] for cell in step["cells"]} <= cell_ids
    final = {event["step"]: event["state"] for event in events if event["type"] == "step-state"}
    assert final == {"load": "succeeded", "total": "succeeded"}
    assert events[-1]["state"] == "succeeded"

    listed = json.loads((await jp_fetch("cellpipe", "runs", params={"path": "pipe.ipynb"})).body)["runs"]
    assert listed[0]["runId"] == run_id
    assert listed[0]["notebookPath"] == "pipe.ipynb"
    assert listed[0]["state"] == "succeeded"

    logs = json.loads((await jp_fetch("cellpipe", "runs", run_id, "logs")).body)["text"]
    assert "total is 10" in logs
    # After a server restart only the run record remains: logs come from its files.
    assert "total is 10" in read_record_logs(jp_root_dir / "pipe.ipynb", run_id)
    assert read_record_logs(jp_root_dir / "pipe.ipynb", "no-such-run") == "(no record for run no-such-run)"


async def test_failing_step_reports_the_cell(jp_fetch, jp_ws_fetch, jp_root_dir):
    notebook = write_notebook(
        jp_root_dir,
        "broken.ipynb",
        [("value = 1", ["step:ok"]), ("x = value\nraise ValueError('bad value')", ["step:boom"])],
    )
    socket = await jp_ws_fetch("cellpipe", "events")
    response = await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "broken.ipynb"}))
    run_id = json.loads(response.body)["runId"]
    events = await collect_until_finished(socket, run_id)
    socket.close()
    error = next(event for event in events if event["type"] == "step-error")
    assert error["step"] == "boom"
    assert error["cellId"] == notebook.cells[1].id
    assert "ValueError" in error["traceback"] and "bad value" in error["traceback"]
    assert events[-1]["state"] == "failed"


async def test_latest_run_record_puts_results_back_by_cell_id(jp_fetch, jp_ws_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "fresh.ipynb", [("a = 1", ["step:one"])])
    empty = json.loads((await jp_fetch("cellpipe", "runs", "latest", params={"path": "fresh.ipynb"})).body)
    assert empty == {"run": None}

    notebook = write_notebook(
        jp_root_dir,
        "again.ipynb",
        [("value = 3", ["step:ok"]), ("x = value\nraise ValueError('bad value')", ["step:boom"])],
    )
    socket = await jp_ws_fetch("cellpipe", "events")
    response = await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "again.ipynb"}))
    run_id = json.loads(response.body)["runId"]
    await collect_until_finished(socket, run_id)
    socket.close()

    latest = json.loads((await jp_fetch("cellpipe", "runs", "latest", params={"path": "again.ipynb"})).body)["run"]
    assert latest["runId"] == run_id and latest["state"] == "failed"
    listed = json.loads((await jp_fetch("cellpipe", "runs", params={"path": "again.ipynb"})).body)["runs"]
    assert listed[0]["failedSteps"] == ["boom"]
    assert latest["notebook"] == "again.ipynb"
    steps = {step["name"]: step for step in latest["steps"]}
    assert steps["ok"]["state"] == "succeeded" and steps["ok"]["cells"] == [notebook.cells[0].id]
    assert steps["boom"]["error"]["cellId"] == notebook.cells[1].id
    assert "bad value" in steps["boom"]["error"]["traceback"]


async def test_compile_returns_workflow_yaml_and_names_a_bad_target(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir, "export.ipynb", [("a = 1", ["step:one"]), ("b = a + 1", ["step:two"])])
    response = await jp_fetch("cellpipe", "compile", method="POST", body=json.dumps({"path": "export.ipynb", "target": "argo"}))
    text = json.loads(response.body)["text"]
    assert "kind: Workflow" in text and "name: one" in text and "name: two" in text
    kfp = json.loads((await jp_fetch("cellpipe", "compile", method="POST", body=json.dumps({"path": "export.ipynb", "target": "kfp"}))).body)
    assert kfp["target"] == "kfp" and "pipelineInfo" in kfp["text"]
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("cellpipe", "compile", method="POST", body=json.dumps({"path": "export.ipynb", "target": "yaml"}))
    assert raised.value.code == 400
    assert json.loads(raised.value.response.body)["message"] == "target: expected 'argo' or 'kfp'"


class SilentEngine:
    def add_listener(self, listener):
        self.listener = listener


def test_cluster_runs_without_a_record_are_listed_from_their_events(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}")
    hub = RunHub(SilentEngine(), str(tmp_path), "python3")
    started = {"type": "run-started", "time": "2026-01-01T00:00:00Z", "notebook": str(notebook), "backend": "argo"}
    hub.on_event({**started, "runId": "nb-older"})
    hub.on_event({"type": "step-state", "runId": "nb-older", "step": "train", "state": "failed"})
    hub.on_event({"type": "run-finished", "runId": "nb-older", "state": "failed", "elapsedMs": 5, "metrics": {}})
    hub.on_event({**started, "runId": "nb-newer"})
    hub.on_event({**started, "runId": "nb-recorded", "backend": "local"})
    hub.on_event({**started, "runId": "other", "notebook": str(tmp_path / "other.ipynb")})

    runs = hub.unrecorded_runs(notebook, {"nb-recorded"})

    assert [run["runId"] for run in runs] == ["nb-newer", "nb-older"]
    assert runs[0]["state"] == "running" and runs[0]["backend"] == "argo"
    assert runs[1] == {
        "runId": "nb-older",
        "state": "failed",
        "startedAt": "2026-01-01T00:00:00Z",
        "notebookPath": "nb.ipynb",
        "backend": "argo",
        "failedSteps": ["train"],
        "elapsedMs": 5,
        "metrics": {},
    }
