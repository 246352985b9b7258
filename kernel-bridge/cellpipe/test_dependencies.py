"""Which imported modules a step's manifest lists as dependencies, and how each is fingerprinted."""

import importlib
import json
import sys

from cellpipe import dependencies


def test_a_local_module_is_listed_by_content_also_through_a_linked_folder_and_the_standard_library_is_not(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (real / "linked_helper_module.py").write_text("VALUE = 1\n")
    (tmp_path / "link").symlink_to(real)
    monkeypatch.syspath_prepend(str(tmp_path / "link"))
    module = importlib.import_module("linked_helper_module")
    try:
        files = dependencies.collect(dependencies.FileReads(), [])["files"]
    finally:
        del sys.modules["linked_helper_module"]
    assert files[module.__file__] == dependencies.fingerprint(str(real / "linked_helper_module.py"))
    assert files[module.__file__].startswith("sha256:")
    assert json.__file__ not in files
