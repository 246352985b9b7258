import sys

import pytest

from cellpipe_jupyter.engine import Engine, EngineError, find_cli, find_node


def test_missing_node_is_one_clear_line(monkeypatch):
    monkeypatch.delenv("CELLPIPE_NODE", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(EngineError) as raised:
        find_node()
    assert str(raised.value) == "cellpipe needs Node.js >= 20 on the Jupyter server's PATH (or CELLPIPE_NODE); none found"


def test_old_node_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "node"
    fake.write_text("#!/bin/sh\necho v18.19.0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CELLPIPE_NODE", str(fake))
    with pytest.raises(EngineError, match=r"needs Node.js >= 20; '.*node' is v18.19.0"):
        find_node()


def test_cli_override_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("CELLPIPE_CLI", str(tmp_path / "nope.mjs"))
    with pytest.raises(EngineError, match="not a file"):
        find_cli()


async def test_engine_matches_responses_and_relays_events():
    script = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    request = json.loads(line)\n"
        "    print(json.dumps({'event': {'runId': 'r', 'type': 'step-log', 'text': request['method']}}), flush=True)\n"
        "    if request['method'] == 'bad':\n"
        "        print(json.dumps({'id': request['id'], 'error': {'message': 'bad input', 'kind': 'input'}}), flush=True)\n"
        "    else:\n"
        "        print(json.dumps({'id': request['id'], 'result': request['params']}), flush=True)\n"
    )
    engine = Engine(command=[sys.executable, "-c", script])
    events = []
    engine.add_listener(events.append)
    assert await engine.request("echo", {"x": 1}) == {"x": 1}
    with pytest.raises(EngineError) as raised:
        await engine.request("bad", {})
    assert raised.value.kind == "input" and str(raised.value) == "bad input"
    assert [event["text"] for event in events] == ["echo", "bad"]
    await engine.close()


async def test_engine_exit_fails_pending_requests():
    engine = Engine(command=[sys.executable, "-c", "import sys; sys.stdin.readline(); sys.stderr.write('boom\\n')"])
    with pytest.raises(EngineError, match=r"cellpipe engine exited \(0\).*boom"):
        await engine.request("run", {})
