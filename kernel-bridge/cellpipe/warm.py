"""`python -m cellpipe.warm`: a fork server that imports what a notebook's steps import once, then forks a fresh process per step.

Each step still gets a process of its own (a crash, `os._exit` or a leaked global stays in it, its memory is returned
when it ends); it only skips re-importing numpy, pandas, scikit-learn... The engine speaks NDJSON: requests on stdin,
replies on the fd named by CELLPIPE_WARM_FD.

  {"op": "preload", "modules": ["pandas", ...]}   imports them one by one (forks are served in between)
  {"op": "fork", "id": 1, "spec": P, "out": D, "cwd": C, "socket": S, "needs": ["pandas"]}
      -> {"reply": "started", "id": 1, "pid": N}   the child leads its own process group: the engine signals -N
      or {"reply": "refused", "id": 1, "reason": "..."}   the engine starts that step cold instead
      later {"reply": "exited", "id": 1, "code": 0 | null, "signal": null | "SIGSEGV"}
  {"op": "check", "id": 2} -> {"reply": "checked", "id": 2, "stale": [files of imported modules changed since]}
      (answered after the preloads asked before it)

The child's stdout, stderr and events travel over three connections to the Unix socket S, each opened by this
server before the fork and starting with one byte naming the stream (1, 2, 3), so the engine sees them as it sees
a cold step's pipes.
"""

import atexit
import gc
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import threading
import warnings

WARM_FD_VARIABLE = "CELLPIPE_WARM_FD"
STREAM_IDS = (b"1", b"2", b"3")
# What the runtime itself imports for the values a module makes: DataFrames travel as parquet.
RUNTIME_EXTRAS = {"pandas": ("pyarrow", "pyarrow.parquet")}


def unsafe_to_fork():
    """Why forking this process now would not give a sound child, or None."""
    if not hasattr(os, "fork"):
        return "this platform has no fork()"
    if threading.active_count() > 1:
        names = ", ".join(thread.name for thread in threading.enumerate() if thread is not threading.main_thread())
        return "an import started Python threads ({}), which a forked child would not have".format(names)
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    try:
        if cuda is not None and cuda.is_initialized():
            return "an import initialised CUDA, which cannot be used after fork()"
    except Exception:  # noqa: BLE001 - a broken torch install is not a reason to stop the pool
        pass
    return None


def _is_local(module, folder):
    """True for a module found in the notebook's folder: the user edits those, so each step imports them afresh."""
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    # A package's search locations are its folders; a plain module's is its file.
    places = list(spec.submodule_search_locations or []) or ([spec.origin] if spec.origin else [])
    return any(os.path.dirname(os.path.realpath(place)) == folder for place in places)


class ForkServer:
    def __init__(self, replies):
        self.replies = replies
        self.folder = os.path.realpath(os.getcwd())
        self.queued = []
        self.settled = {}
        self.waiting = []
        # Checks are answered once the preloads asked before them are done.
        self.checks = []
        self.children = {}
        self.mtimes = {}
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.wakeup_read, self.wakeup_write = os.pipe()
        os.set_blocking(self.wakeup_read, False)
        os.set_blocking(self.wakeup_write, False)

    def reply(self, **fields):
        self.replies.write(json.dumps(fields) + "\n")
        self.replies.flush()

    def serve(self):
        """Runs until stdin closes; returns a fork request only in a forked child, which then runs that step."""
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wakeup_write)
        self.selector.register(0, selectors.EVENT_READ, "requests")
        self.selector.register(self.wakeup_read, selectors.EVENT_READ, "children")
        self._remember_module_files()
        while True:
            for key, _ in self.selector.select(0 if self.queued or self.checks else None):
                if key.data == "children":
                    self._drain_wakeups()
                    self._reap()
                    continue
                chunk = os.read(0, 65536)
                if not chunk:
                    return None
                self.buffer += chunk
                *lines, self.buffer = self.buffer.split(b"\n")
                for line in lines:
                    child = self._handle(json.loads(line)) if line.strip() else None
                    if child is not None:
                        return child
            if self.queued:
                self._import(self.queued.pop(0))
            elif self.checks:
                self.reply(reply="checked", id=self.checks.pop(0), stale=self._stale_files())
            child = self._serve_waiting()
            if child is not None:
                return child

    def _handle(self, request):
        op = request.get("op")
        if op == "preload":
            for module in request.get("modules", []):
                if module not in self.settled and module not in self.queued:
                    self.queued.append(module)
        elif op == "fork":
            self.queued += [module for module in request.get("needs", []) if module not in self.settled and module not in self.queued]
            self.waiting.append(request)
            return self._serve_waiting()
        elif op == "check":
            self.checks.append(request.get("id"))
        return None

    def _import(self, module):
        error = None
        if _is_local(module, self.folder):
            error = "skipped: a module of the notebook's folder is imported by each step"
        else:
            try:
                # Import-time warnings belong to the steps that import the module, not to the pool.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    importlib.import_module(module)
            except BaseException as failure:  # noqa: BLE001 - an import may raise anything, even SystemExit
                error = "{}: {}".format(type(failure).__name__, failure)
        self.settled[module] = error
        if error is None:
            self.queued += [extra for extra in RUNTIME_EXTRAS.get(module, ()) if extra not in self.settled and extra not in self.queued]
        self._remember_module_files()

    def _serve_waiting(self):
        for request in list(self.waiting):
            needs = request.get("needs", [])
            if any(module not in self.settled for module in needs):
                continue
            self.waiting.remove(request)
            reason = unsafe_to_fork() or self._failed_import(needs)
            if reason:
                self.reply(reply="refused", id=request["id"], reason=reason)
                continue
            child = self._fork(request)
            if child is not None:
                return child
        return None

    def _failed_import(self, needs):
        for module in needs:
            error = self.settled.get(module)
            if error and not error.startswith("skipped"):
                return "import of {} failed in the warm pool: {}".format(module, error)
        return None

    def _fork(self, request):
        try:
            streams = [self._connect(request["socket"], stream_id) for stream_id in STREAM_IDS]
        except OSError as error:
            self.reply(reply="refused", id=request["id"], reason="cannot connect to the engine: {}".format(error))
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        # The pool's objects move out of the collector's reach: a child's collections skip them and leave their pages shared.
        gc.freeze()
        with warnings.catch_warnings():
            # Python 3.12 warns about fork() with threads running; C-library threads (BLAS pools) are made fork-safe by their libraries.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            self._become_step(request, streams)
            return request
        try:
            os.setpgid(pid, pid)
        except OSError:
            # The child set its group itself first, or already exited.
            pass
        for stream in streams:
            stream.close()
        self.children[pid] = request["id"]
        self.reply(reply="started", id=request["id"], pid=pid)
        return None

    @staticmethod
    def _connect(path, stream_id):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(path)
            connection.sendall(stream_id)
        except OSError:
            connection.close()
            raise
        return connection

    def _become_step(self, request, streams):
        """In the forked child: the process a cold start would have been, from its group to its fds."""
        os.setpgid(0, 0)
        signal.set_wakeup_fd(-1)
        for signal_number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signal_number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.selector.close()
        os.close(self.wakeup_read)
        os.close(self.wakeup_write)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for target, stream in zip((1, 2, 3), streams):
            os.dup2(stream.fileno(), target)
            stream.close()
        os.environ["CELLPIPE_EVENTS_FD"] = "3"
        os.environ.pop(WARM_FD_VARIABLE, None)
        os.chdir(request["cwd"])
        numpy_random = sys.modules.get("numpy.random")
        if numpy_random is not None:
            # numpy's global generator was seeded in the pool: each step must draw its own numbers, as a fresh process does.
            numpy_random.seed()

    def _drain_wakeups(self):
        try:
            while os.read(self.wakeup_read, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            request_id = self.children.pop(pid, None)
            if request_id is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code < 0:
                self.reply(reply="exited", id=request_id, code=None, signal=signal.Signals(-code).name)
            else:
                self.reply(reply="exited", id=request_id, code=code, signal=None)

    def _remember_module_files(self):
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str) and path not in self.mtimes:
                try:
                    self.mtimes[path] = os.stat(path).st_mtime_ns
                except OSError:
                    self.mtimes[path] = None

    def _stale_files(self):
        """Files of imported modules that changed since the pool imported them: a pool kept between runs must restart."""
        stale = []
        for path, mtime in self.mtimes.items():
            try:
                current = os.stat(path).st_mtime_ns
            except OSError:
                current = None
            if current != mtime:
                stale.append(path)
        return stale


def exit_step(code):
    """Ends a forked step as an interpreter exit would for all the step can observe, without tearing down the pool's modules.

    Non-daemon threads are joined, atexit handlers run, the step's own objects are released (a file left open is
    flushed) and stdio flushed; tearing down the ~1,500 modules of numpy, pandas, scikit-learn... is left to the OS,
    which frees the memory anyway (it took seconds per step under load).
    """
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    main_module = sys.modules.get("__main__")
    if main_module is not None:
        main_module.__dict__.clear()
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def main():
    from cellpipe.step import run_step

    fd_text = os.environ.get(WARM_FD_VARIABLE, "")
    if not fd_text.isdigit():
        print("cellpipe.warm: {} must name the reply file descriptor".format(WARM_FD_VARIABLE), file=sys.stderr)
        return 2
    # closefd=False: in a forked child the fd number is reused for the step's events and must not be closed under it.
    replies = os.fdopen(int(fd_text), "w", encoding="utf-8", closefd=False)
    os.set_inheritable(replies.fileno(), False)
    server = ForkServer(replies)
    server.reply(reply="ready", unsafe=unsafe_to_fork())
    request = server.serve()
    if request is None:
        return 0
    exit_step(run_step(request["spec"], request["out"]))


if __name__ == "__main__":
    sys.exit(main())
