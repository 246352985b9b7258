"""Run under `unshare --mount`: bind the pod's folders at the paths main's container sees, then exec main.

Usage: python -m executor.contain SPEC.json, where SPEC has "binds" ([host, container] pairs, outer paths
first), "cwd", "env" and "argv". Only this process's private mount namespace sees the binds.
"""
import ctypes
import json
import os
import sys

MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

libc = ctypes.CDLL(None, use_errno=True)


def mount(source, target, flags):
    if libc.mount(source.encode() if source else None, target.encode(), None, flags, None) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {source or ''} on {target}: {os.strerror(error)}")


def bind(source_fd, is_dir, target):
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "a").close()
    mount(f"/proc/self/fd/{source_fd}", target, MS_BIND | MS_REC)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    # Nothing mounted here may leak back to the host's namespace.
    mount(None, "/", MS_REC | MS_PRIVATE)
    # Every source is opened before the first bind: a bind (e.g. of /tmp) may hide another source's path.
    sources = [(os.open(source, os.O_PATH), os.path.isdir(source), target) for source, target in spec["binds"]]
    for source_fd, is_dir, target in sources:
        bind(source_fd, is_dir, target)
        os.close(source_fd)
    os.chdir(spec["cwd"])
    argv = spec["argv"]
    try:
        os.execvpe(argv[0], argv, spec["env"])
    except OSError as error:
        print(f"exec {argv[0]}: {error.strerror}", file=sys.stderr)
        sys.exit(127)


if __name__ == "__main__":
    main()
