"""The server extension relays a step's output without keeping it: its memory stays flat however much a step prints."""

import asyncio
import json
from pathlib import Path

from .test_handlers import write_notebook

PRINTED_MB = 200


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def test_a_step_printing_200_mb_does_not_grow_the_server(jp_fetch, jp_ws_fetch, jp_root_dir):
    source = f'import sys\nfor _ in range({PRINTED_MB} * 1024):\n    sys.stdout.write("x" * 1023 + "\\n")'
    write_notebook(jp_root_dir, "chatty.ipynb", [(source, ["step:chatty"])])
    socket = await jp_ws_fetch("cellpipe", "events")
    baseline = rss_mb()
    peak = baseline
    response = await jp_fetch("cellpipe", "runs", method="POST", body=json.dumps({"path": "chatty.ipynb"}))
    run_id = json.loads(response.body)["runId"]
    relayed = 0
    state = None

    async def follow():
        nonlocal relayed, state, peak
        while state is None:
            event = json.loads(await socket.read_message())["event"]
            peak = max(peak, rss_mb())
            if event["runId"] != run_id:
                continue
            if event["type"] == "step-log":
                relayed += len(event["text"])
            elif event["type"] == "run-finished":
                state = event["state"]

    await asyncio.wait_for(follow(), 240)
    socket.close()
    assert state == "succeeded"
    assert relayed == PRINTED_MB * 1024 * 1024
    logs = json.loads((await jp_fetch("cellpipe", "runs", run_id, "logs")).body)["text"]
    assert "earlier bytes are in the run record's stdout.log" in logs
    assert len(logs) < 3_000_000
    print(f"server RSS: {baseline:.0f} MB at start, peak {peak:.0f} MB for {PRINTED_MB} MB printed")
    assert peak - baseline < PRINTED_MB / 4
