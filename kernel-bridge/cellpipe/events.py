"""Live NDJSON events from a running step: to the fd named by CELLPIPE_EVENTS_FD, else OUT_DIR/events.ndjson."""

import json
import os

EVENTS_FD_VARIABLE = "CELLPIPE_EVENTS_FD"


class EventWriter:
    """Writes one JSON object per line and flushes it at once, so a reader sees every event live."""

    def __init__(self, stream):
        self._stream = stream

    @classmethod
    def open(cls, out_dir):
        """The writer the environment asks for; raises ValueError naming the variable when its fd is unusable."""
        fd_text = os.environ.get(EVENTS_FD_VARIABLE)
        if fd_text:
            try:
                fd = int(fd_text)
                # Children the step spawns must not hold the engine's pipe open.
                os.set_inheritable(fd, False)
                stream = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
            except (ValueError, OSError) as error:
                raise ValueError(
                    "{}={!r} is not an open file descriptor: {}".format(EVENTS_FD_VARIABLE, fd_text, error)
                )
            return cls(stream)
        return cls(open(os.path.join(out_dir, "events.ndjson"), "a", encoding="utf-8", buffering=1))

    def emit(self, event, **fields):
        if self._stream is None:
            return
        record = {"event": event}
        record.update((key, value) for key, value in fields.items() if value is not None)
        try:
            self._stream.write(json.dumps(record, ensure_ascii=False, allow_nan=False, default=str) + "\n")
            self._stream.flush()
        except (OSError, ValueError):
            # The reader went away; the step still finishes and writes its manifest.
            self._stream = None

    def close(self):
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None
