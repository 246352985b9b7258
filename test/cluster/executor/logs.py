"""Container logs: the step's real stdout and stderr as `main`, the stand-in's own messages as `wait`, in the CRI
log format a container runtime writes, served by kwok through a `Logs` object that points the pod at the files."""
import datetime
import threading

from .kube import ApiError

LOGS_API = "kwok.x-k8s.io/v1alpha1"


def _timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


class CriLog:
    """Appends `<RFC 3339 time> <stream> F <line>` lines; a line is written once complete, as the runtime does."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        open(path, "ab").close()

    def _append(self, stream_name, text):
        with self.lock, open(self.path, "ab") as handle:
            handle.write(f"{_timestamp()} {stream_name} F ".encode() + text + b"\n")

    def write(self, stream_name, message):
        for line in message.splitlines() or [""]:
            self._append(stream_name, line.encode())

    def pump(self, stream_name, pipe, sink=None):
        """Copy one of the step's pipes into the log (and into `sink`, a list of chunks, for outputs.result)."""
        for line in iter(pipe.readline, b""):
            if sink is not None:
                sink.append(line)
            self._append(stream_name, line.rstrip(b"\n"))
        pipe.close()


def serve(kube, pod_name, files):
    """Create the kwok `Logs` object (named after the pod) that serves each container's log file."""
    body = {
        "apiVersion": LOGS_API,
        "kind": "Logs",
        "metadata": {"name": pod_name},
        "spec": {
            "logs": [{"containers": [container], "logsFile": path, "follow": True} for container, path in files.items()]
        },
    }
    try:
        kube.create(kube.custom(LOGS_API, "logs"), body)
    except ApiError as error:
        if error.status != 409:
            raise
