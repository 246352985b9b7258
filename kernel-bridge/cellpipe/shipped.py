"""Files passed between steps on a cluster, where each step has its own file system.

A spec's `files.import` names files an earlier step wrote: each is copied from `<dir>/files/<path>` to `<path>`
(relative to the working folder, as the notebook wrote it) before the cells run. `files.export` names files later
steps read: each the cells wrote is copied to `files/<path>` in the output folder after them. Local runs share
the notebook's folder and have neither.
"""

import os
import shutil

FOLDER = "files"


def import_files(spec):
    for entry in (spec.get("files") or {}).get("import", []):
        source = os.path.join(entry["dir"], FOLDER, entry["path"])
        # A file its writer did not write stays absent: the reader fails as it would in the notebook.
        if os.path.exists(source):
            _copy(source, entry["path"])


def export_files(spec, out_dir):
    for path in (spec.get("files") or {}).get("export", []):
        if os.path.exists(path):
            _copy(path, os.path.join(out_dir, FOLDER, path))


def _copy(source, target):
    parent = os.path.dirname(target)
    if parent:
        os.makedirs(parent, exist_ok=True)
    if os.path.isdir(source):
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)
