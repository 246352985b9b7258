"""What a step's outputs depend on beyond its spec and inputs: the files it read and the modules it imported.

Recorded in the manifest (`dependencies`), so the engine's cache can tell a stale entry from a good one: a
cached result is reused only while every file listed still has its fingerprint (core run/local/cache.ts).

- Local modules (imported from outside the interpreter's library folders) by content: editing one is a miss.
- Installed distributions by the file of each top-level package (size, mtime, ctime): an upgrade or
  reinstall rewrites it. Their versions are listed too, for people reading the manifest.
- Files the step opened for reading (an audit hook sees every `open`, `io.open_code` and `os.open`), except
  its own outputs, its inputs (their sha256 is in the key already) and files it wrote itself.
"""

import hashlib
import os
import site
import sys
import sysconfig

# Files up to this size are fingerprinted by content; bigger ones by size and times, as `make` does.
_CONTENT_LIMIT = 8 * 1024 * 1024
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_SYSTEM_ROOTS = ("/proc/", "/sys/", "/dev/")


def fingerprint(path):
    """`sha256:<hex>` for a small file, `stat:<size>:<mtime_ns>:<ctime_ns>` for a big one; None if it is not a file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    if stat.st_size > _CONTENT_LIMIT:
        return "stat:{}:{}:{}".format(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return "sha256:" + digest.hexdigest()


def _stat_fingerprint(path):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return "stat:{}:{}:{}".format(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _library_roots():
    """(interpreter's own library folders, folders of installed distributions), as absolute prefixes."""
    paths = sysconfig.get_paths()
    stdlib = {paths.get("stdlib"), paths.get("platstdlib")}
    installed = {paths.get("purelib"), paths.get("platlib")}
    try:
        installed.update(site.getsitepackages())
    except AttributeError:
        pass
    user_site = getattr(site, "USER_SITE", None)
    if user_site:
        installed.add(user_site)
    prefix = lambda folders: tuple(os.path.join(os.path.realpath(folder), "") for folder in folders if folder)  # noqa: E731
    return prefix(stdlib), prefix(installed)


class _RealPaths:
    """`os.path.realpath` with each folder resolved once: a step forked from a warm pool has ~1,500 modules."""

    def __init__(self):
        self._folders = {}

    def __call__(self, path):
        if os.path.islink(path):
            return os.path.realpath(path)
        folder, name = os.path.split(path)
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(folder)
        return os.path.join(self._folders[folder], name)


class FileReads:
    """Collects the paths a step opens, from the moment `start` is called."""

    def __init__(self):
        self.read = set()
        self.written = set()
        self._active = False

    def start(self):
        self._active = True
        sys.addaudithook(self._hook)

    def stop(self):
        # Audit hooks cannot be removed: this one just stops recording (saving outputs opens files too).
        self._active = False

    def _hook(self, event, arguments):
        if event != "open" or not self._active:
            return
        path, mode, flags = arguments
        if not isinstance(path, (str, bytes)):
            return
        path = os.fsdecode(path)
        writes = (isinstance(mode, str) and any(letter in mode for letter in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        (self.written if writes else self.read).add(os.path.abspath(path))


def collect(file_reads, excluded_folders):
    """The `dependencies` manifest field: fingerprints by absolute path, and the versions of imported distributions."""
    stdlib, installed = _library_roots()
    runtime_folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "")
    skipped = stdlib + (runtime_folder,) + tuple(os.path.join(os.path.abspath(folder), "") for folder in excluded_folders)
    files, versions = {}, {}
    real_path = _RealPaths()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not os.path.isabs(path):
            continue
        # Most modules sit under a library folder as imported; only the others need their links resolved.
        real = path if path.startswith(skipped + installed) else real_path(path)
        if real.startswith(skipped):
            continue
        if real.startswith(installed):
            if "." in name:
                continue
            found = _stat_fingerprint(path)
            version = getattr(module, "__version__", None)
            if isinstance(version, str):
                versions[name] = version
        else:
            found = fingerprint(path)
        if found:
            files[path] = found
    for path in sorted(file_reads.read - file_reads.written):
        if path in files or path.startswith(_SYSTEM_ROOTS):
            continue
        real = os.path.realpath(path)
        if real.startswith(skipped + installed):
            continue
        found = fingerprint(path)
        if found:
            files[path] = found
    return {"python": sys.version.split()[0], "files": files, "versions": versions}
