"""The fork server: steps forked from a warm pool are isolated processes with the streams, exit codes and groups of a cold step."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from cellpipe.api import RUNTIME_PARENT, make_spec, read_manifest


class Pool:
    """A test client of `python -m cellpipe.warm`, speaking the engine's side of the protocol."""

    def __init__(self, folder, extra_path=None):
        self.folder = folder
        self.socket_path = os.path.join(str(folder), "s")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.socket_path)
        self.listener.listen(16)
        reply_read, reply_write = os.pipe()
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [RUNTIME_PARENT, extra_path])), CELLPIPE_WARM_FD=str(reply_write), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cellpipe.warm"],
            stdin=subprocess.PIPE,
            cwd=str(folder),
            env=environment,
            pass_fds=(reply_write,),
        )
        os.close(reply_write)
        self.replies = os.fdopen(reply_read, encoding="utf-8")
        assert self.next_reply()["reply"] == "ready"

    def send(self, **request):
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()

    def next_reply(self):
        return json.loads(self.replies.readline())

    def fork(self, step_id, cells, needs=(), outputs=()):
        """Forks one step; returns the first reply and, when started, the child's three streams as bytes."""
        spec_path = os.path.join(str(self.folder), "{}.json".format(step_id))
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(make_spec("s{}".format(step_id), cells, outputs=outputs), handle)
        out = os.path.join(str(self.folder), "out{}".format(step_id))
        self.send(op="fork", id=step_id, spec=spec_path, out=out, cwd=str(self.folder), socket=self.socket_path, needs=list(needs))
        reply = self.next_reply()
        if reply["reply"] != "started":
            return reply, None, out
        streams = {}
        for _ in range(3):
            connection, _ = self.listener.accept()
            streams[connection.recv(1)] = connection
        collected = {}

        def read(name, connection):
            chunks = []
            while True:
                data = connection.recv(65536)
                if not data:
                    break
                chunks.append(data)
            collected[name] = b"".join(chunks)

        readers = [threading.Thread(target=read, args=(name, connection)) for name, connection in streams.items()]
        for reader in readers:
            reader.start()
        reply["readers"], reply["collected"] = readers, collected
        return reply, collected, out

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.listener.close()


@pytest.fixture
def pool(tmp_path):
    started = Pool(tmp_path)
    yield started
    started.close()


def finish(pool, reply):
    exited = pool.next_reply()
    for reader in reply["readers"]:
        reader.join(timeout=10)
    assert exited == dict(exited, reply="exited", id=reply["id"])
    return exited


def test_a_forked_step_writes_its_streams_events_and_manifest(pool):
    pool.send(op="preload", modules=["json", "decimal"])
    reply, streams, out = pool.fork(1, ["import sys, decimal\nprint('hello')\nprint('oops', file=sys.stderr)\nx = 2"], needs=["decimal"], outputs=["x"])
    assert reply["reply"] == "started" and reply["pid"] > 0
    exited = finish(pool, reply)
    assert (exited["code"], exited["signal"]) == (0, None)
    assert streams[b"1"] == b"hello\n" and streams[b"2"] == b"oops\n"
    assert [json.loads(line)["event"] for line in streams[b"3"].splitlines()] == ["cell"]
    assert read_manifest(out)["status"] == "succeeded"


def test_the_child_leads_its_own_process_group_and_has_a_fresh_main(pool):
    cells = ["import os, sys\nprint(os.getpgid(0) == os.getpid(), os.getppid() != 1, len(sys.modules['__main__'].__dict__) < 12)"]
    reply, streams, _ = pool.fork(1, cells)
    finish(pool, reply)
    assert streams[b"1"] == b"True True True\n"


def test_a_leaked_global_or_module_change_stays_in_its_step(pool):
    first, _, _ = pool.fork(1, ["import json\njson.leaked = 1"], needs=["json"])
    finish(pool, first)
    second, streams, _ = pool.fork(2, ["import json\nprint(hasattr(json, 'leaked'))"], needs=["json"])
    finish(pool, second)
    assert streams[b"1"] == b"False\n"


@pytest.mark.parametrize(
    "cell, code, signal_name",
    [("import os\nos._exit(7)", 7, None), ("import os\nos.abort()", None, "SIGABRT"), ("import ctypes\nctypes.string_at(0)", None, "SIGSEGV")],
)
def test_a_step_that_kills_its_interpreter_is_reported_and_the_pool_lives_on(pool, cell, code, signal_name):
    reply, _, _ = pool.fork(1, [cell])
    exited = finish(pool, reply)
    assert (exited["code"], exited["signal"]) == (code, signal_name)
    after, streams, _ = pool.fork(2, ["print('still here')"])
    finish(pool, after)
    assert streams[b"1"] == b"still here\n"


def test_signalling_the_childs_group_stops_it(pool):
    reply, _, _ = pool.fork(1, ["import time\nprint('started', flush=True)\ntime.sleep(60)"])
    time.sleep(0.3)
    os.killpg(reply["pid"], signal.SIGTERM)
    exited = finish(pool, reply)
    assert exited["signal"] == "SIGTERM"


def test_a_step_needing_a_module_the_pool_cannot_import_is_refused(pool):
    pool.send(op="preload", modules=["no_such_module_here"])
    reply, _, _ = pool.fork(1, ["x = 1"], needs=["no_such_module_here"])
    assert reply["reply"] == "refused"
    assert reply["reason"].startswith("import of no_such_module_here failed in the warm pool: ModuleNotFoundError")


def test_a_module_of_the_notebook_folder_is_not_preloaded_and_changes_show(pool, tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 1\n")
    pool.send(op="preload", modules=["helper"])
    first, streams, _ = pool.fork(1, ["import helper\nprint(helper.VALUE)"], needs=["helper"])
    finish(pool, first)
    (tmp_path / "helper.py").write_text("VALUE = 2\n")
    second, later, _ = pool.fork(2, ["import helper\nprint(helper.VALUE)"], needs=["helper"])
    finish(pool, second)
    assert (streams[b"1"], later[b"1"]) == (b"1\n", b"2\n")


def test_check_names_imported_files_that_changed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "installed_mod.py").write_text("X = 1\n")
    pool = Pool(tmp_path, extra_path=str(site))
    try:
        pool.send(op="preload", modules=["installed_mod"])
        pool.send(op="check", id=7)
        assert pool.next_reply() == {"reply": "checked", "id": 7, "stale": []}
        (site / "installed_mod.py").write_text("X = 2\n")
        os.utime(site / "installed_mod.py", ns=(0, 0))
        pool.send(op="check", id=8)
        assert pool.next_reply() == {"reply": "checked", "id": 8, "stale": [str(site / "installed_mod.py")]}
    finally:
        pool.close()


def test_preloading_pandas_also_imports_what_the_runtime_saves_frames_with(pool):
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pool.send(op="preload", modules=["pandas"])
    pool.send(op="check", id=9)  # answered once the queue, extras included, is done
    assert pool.next_reply()["reply"] == "checked"
    reply, streams, _ = pool.fork(1, ["import sys\nprint('pyarrow.parquet' in sys.modules)"], needs=["pandas"])
    finish(pool, reply)
    assert streams[b"1"] == b"True\n"


def test_a_forked_step_ends_as_an_exit_would_threads_joined_atexit_run_open_files_flushed(pool, tmp_path):
    cells = [
        "import atexit, threading, time\n"
        "atexit.register(print, 'atexit ran')\n"
        "handle = open('left-open.txt', 'w')\n"
        "handle.write('flushed at exit')\n"
        "def later():\n"
        "    time.sleep(0.3)\n"
        "    open('thread.txt', 'w').write('joined')\n"
        "threading.Thread(target=later).start()"
    ]
    reply, streams, _ = pool.fork(1, cells)
    exited = finish(pool, reply)
    assert (exited["code"], streams[b"1"]) == (0, b"atexit ran\n")
    assert (tmp_path / "left-open.txt").read_text() == "flushed at exit"
    assert (tmp_path / "thread.txt").read_text() == "joined"
