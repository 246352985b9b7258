"""Rebuilds notebooks/, data/ and SOURCES.md from sources.json: real example notebooks and scripts from sdists.

Each entry names a PyPI sdist (package, version), a path inside it, its format (`ipynb`, `py:percent` for
`# %%` scripts, `py:sphinx` for sphinx-gallery scripts), its license and the data files it reads. Sdists are
fetched with `pip download --no-deps --no-binary :all:` (or read from --sdists DIR); scripts are converted by
jupytext; outputs and tags are dropped; cell ids are derived from the notebook name so rebuilds are stable.

Usage: python import_sources.py [--sdists DIR]
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent


def sdist_root(package, version, folder):
    """The extracted sdist of package==version in `folder`, downloading it first when it is not there."""
    stem = f"{package}-{version}"
    candidates = [folder / stem, folder / f"{package.replace('-', '_')}-{version}"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    archives = [p for p in folder.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(stem.lower())]
    if not archives:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "-d", str(folder), f"{package}=={version}"],
            check=True,
        )
        archives = [p for p in folder.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(stem.lower())]
    with tarfile.open(archives[0]) as archive:
        archive.extractall(folder, filter="data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise SystemExit(f"import_sources: {archives[0].name} does not unpack to {stem}/")


MARKDOWN_MARKER = re.compile(r"^# %% \[markdown\][^\n]*$", re.MULTILINE)


def as_text_if_only_comments(cell):
    lines = cell.source.splitlines()
    if cell.cell_type != "code" or not all(line.startswith("#") or not line.strip() for line in lines):
        return cell
    text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines)
    return nbformat.v4.new_markdown_cell(text.strip())


def notebook_of(entry, root):
    path = root / entry["path"]
    if entry["format"] == "ipynb":
        nb = nbformat.read(path, as_version=4)
    elif entry["format"] == "py:percent":
        # Sphinx-gallery reads `# %% [markdown]` as text comments followed by code; jupytext would make it all
        # markdown and drop that code. As plain `# %%` cells the code stays; cells of comments only become text.
        text = MARKDOWN_MARKER.sub("# %%", path.read_text(encoding="utf-8"))
        nb = jupytext.reads(text, fmt="py:percent")
        nb.cells = [as_text_if_only_comments(cell) for cell in nb.cells]
    else:
        nb = jupytext.read(path, fmt=entry["format"])
    for position, cell in enumerate(nb.cells):
        cell.metadata = {}
        cell["id"] = f"{entry['name'][:40]}-{position:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.validate(nb)
    return nb


SOURCES_HEADER = """# Sources of the real-world corpus

Every notebook here was written by the authors of a well-known PyPI package and ships in its sdist; none was
written for cellpipe, none comes from scikit-learn's example gallery. `python import_sources.py` rebuilds
`notebooks/` and `data/` from `sources.json`: scripts are converted to notebooks by jupytext (`py:percent` for
`# %%` cells, `py:sphinx` for sphinx-gallery `####` blocks; as sphinx-gallery reads them, a `# %% [markdown]` cell
is text comments followed by code, and a cell of comments only is text), outputs and tags are dropped, nothing
else changes.

| notebook | package | version | path inside the sdist | format | license |
| --- | --- | --- | --- | --- | --- |
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdists", help="folder with downloaded (or extracted) sdists; default: a temporary folder")
    args = parser.parse_args()
    entries = json.loads((HERE / "sources.json").read_text())
    folder = Path(args.sdists) if args.sdists else Path(tempfile.mkdtemp(prefix="realworld-sdists-"))
    notebooks, data = HERE / "notebooks", HERE / "data"
    shutil.rmtree(notebooks, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    notebooks.mkdir()
    rows = []
    for entry in entries:
        root = sdist_root(entry["package"], entry["version"], folder)
        nbformat.write(notebook_of(entry, root), notebooks / f"{entry['name']}.ipynb")
        for file in entry["data"]:
            target = data / entry["name"] / Path(file).name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / file, target)
        rows.append(
            f"| {entry['name']} | {entry['package']} | {entry['version']} | `{entry['path']}` | {entry['format']} | {entry['license']} |"
        )
    (HERE / "SOURCES.md").write_text(SOURCES_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"import_sources: {len(entries)} notebooks from {len({e['package'] for e in entries})} packages")


if __name__ == "__main__":
    main()
