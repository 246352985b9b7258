"""Where a transfer's time goes, in one process: the step runtime's own save/load (cellpipe.serializers) next to
plain numpy/pyarrow writes and reads and a SHA-256 of the same bytes. Prints one JSON object.

Usage: python probe.py OUT_DIR   (with the runtime's folder on PYTHONPATH)
"""

import hashlib
import json
import os
import sys
import time


def timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def make_values():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n_rows = 1_000_000
    frame = pd.DataFrame(
        {
            "order_id": np.arange(n_rows),
            "price": rng.random(n_rows) * 100,
            "quantity": rng.integers(1, 50, n_rows),
            "score": rng.normal(size=n_rows).astype("float32"),
            "city": pd.Series(rng.integers(0, 5000, n_rows)).map(lambda code: f"city-{code:04d}"),
        }
    )
    return {"array": np.random.default_rng(0).random(2**27), "frame": frame}


def probe_runtime(name, value, out_dir):
    from cellpipe import serializers

    save_seconds, (path, entry) = timed(lambda: serializers.save(value, os.path.join(out_dir, name)))
    load_seconds, _ = timed(lambda: serializers.load(path, entry["serializer"], None))
    os.remove(path)
    return {"serializer": entry["serializer"], "fileBytes": entry["bytes"], "save": save_seconds, "load": load_seconds}


def probe_plain(name, value, out_dir):
    import numpy as np
    import pandas as pd

    if name == "array":
        path = os.path.join(out_dir, "plain.npy")
        save_seconds, _ = timed(lambda: np.save(path, value))
        load_seconds, _ = timed(lambda: np.load(path))
        hash_seconds, _ = timed(lambda: hashlib.sha256(memoryview(value).cast("B")).hexdigest())
    else:
        path = os.path.join(out_dir, "plain.parquet")
        save_seconds, _ = timed(lambda: value.to_parquet(path, engine="pyarrow"))
        load_seconds, _ = timed(lambda: pd.read_parquet(path, engine="pyarrow"))
        with open(path, "rb") as handle:
            data = handle.read()
        hash_seconds, _ = timed(lambda: hashlib.sha256(data).hexdigest())
    os.remove(path)
    return {"save": save_seconds, "load": load_seconds, "sha256": hash_seconds}


def main():
    out_dir = sys.argv[1]
    report = {}
    for name, value in make_values().items():
        report[name] = {"memoryBytes": int(value.nbytes if name == "array" else value.memory_usage(deep=True).sum())}
        report[name]["plain"] = probe_plain(name, value, out_dir)
        try:
            report[name]["runtime"] = probe_runtime(name, value, out_dir)
        except Exception as error:  # noqa: BLE001 - the probe reports what it could not measure
            report[name]["runtime"] = {"error": "{}: {}".format(type(error).__name__, error)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
