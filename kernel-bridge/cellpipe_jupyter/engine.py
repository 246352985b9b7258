"""The one `cellpipe serve --stdio` process a Jupyter server talks to, and the relay of its events."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

MIN_NODE_MAJOR = 20
BUNDLED_CLI = Path(__file__).parent / "engine" / "cellpipe.mjs"


class EngineError(Exception):
    """A one-line error from the engine (`kind` is `input` for bad requests or notebooks)."""

    def __init__(self, message: str, kind: str = "internal") -> None:
        super().__init__(message)
        self.kind = kind


def find_node() -> str:
    """The `node` executable (`CELLPIPE_NODE`, else PATH), checked to be >= 20."""
    node = os.environ.get("CELLPIPE_NODE") or shutil.which("node")
    if not node:
        raise EngineError("cellpipe needs Node.js >= 20 on the Jupyter server's PATH (or CELLPIPE_NODE); none found")
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise EngineError(f"cellpipe could not run '{node} --version': {error}") from error
    major = int(version.strip().lstrip("v").split(".")[0] or 0)
    if major < MIN_NODE_MAJOR:
        raise EngineError(f"cellpipe needs Node.js >= {MIN_NODE_MAJOR}; '{node}' is {version.strip()}")
    return node


def find_cli() -> str:
    """The CLI entry script: `CELLPIPE_CLI`, else the bundle shipped in this package."""
    configured = os.environ.get("CELLPIPE_CLI")
    if configured:
        if not Path(configured).is_file():
            raise EngineError(f"CELLPIPE_CLI points to '{configured}', which is not a file")
        return configured
    if BUNDLED_CLI.is_file():
        return str(BUNDLED_CLI)
    raise EngineError("cellpipe engine bundle missing from cellpipe_jupyter/engine/: reinstall cellpipe-jupyterlab")


class Engine:
    """Starts `node <cli> serve --stdio` on first use, matches responses to requests, fans events out."""

    def __init__(self, command: list[str] | None = None, env: dict[str, str] | None = None) -> None:
        self._command = command
        self._env = env
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stderr_reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 1
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._start_lock = asyncio.Lock()
        self.stderr_tail: list[str] = []

    def add_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[dict[str, Any]], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def request(self, method: str, params: dict[str, Any]) -> Any:
        """Sends one request and waits for its response; raises `EngineError` with the engine's message."""
        process = await self._ensure_started()
        request_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        assert process.stdin is not None
        process.stdin.write((json.dumps({"id": request_id, "method": method, "params": params}) + "\n").encode())
        await process.stdin.drain()
        return await future

    async def close(self) -> None:
        process = self._process
        self._process = None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        async with self._start_lock:
            if self._process is not None and self._process.returncode is None:
                return self._process
            command = self._command or [find_node(), find_cli(), "serve", "--stdio"]
            self._process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**os.environ, **(self._env or {})},
                limit=16 * 1024 * 1024,
            )
            self._reader = asyncio.ensure_future(self._read(self._process))
            self._stderr_reader = asyncio.ensure_future(self._read_stderr(self._process))
            return self._process

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while True:
            line = await process.stdout.readline()
            if not line:
                break
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "event" in message:
                for listener in list(self._listeners):
                    listener(message["event"])
                continue
            future = self._pending.pop(message.get("id"), None)
            if future is None or future.done():
                continue
            if "error" in message:
                error = message["error"] or {}
                future.set_exception(EngineError(str(error.get("message", "engine error")), error.get("kind", "internal")))
            else:
                future.set_result(message.get("result"))
        await process.wait()
        if self._stderr_reader is not None:
            await self._stderr_reader
        tail = " | ".join(self.stderr_tail[-3:])
        for future in self._pending.values():
            if not future.done():
                future.set_exception(EngineError(f"cellpipe engine exited ({process.returncode}) {tail}".strip()))
        self._pending.clear()

    async def _read_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while True:
            line = await process.stderr.readline()
            if not line:
                break
            self.stderr_tail = [*self.stderr_tail[-19:], line.decode(errors="replace").rstrip()]
