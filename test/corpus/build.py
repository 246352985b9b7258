"""Builds the corpus notebooks (test/corpus/*.ipynb) from their compact sources in test/corpus/src/.

A source is a Python file in "percent" format: a line `# %% TAG TAG ...` starts a code cell with those
tags (no tags: an untagged cell), `# %% [markdown]` starts a markdown cell whose lines are written as
`# text`. Output is deterministic (cell ids derive from the file name and position), so
`python test/corpus/build.py --check` fails when a committed notebook differs from its source.
"""

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def cell_id(stem: str, index: int) -> str:
    return hashlib.sha1(f"{stem}:{index}".encode()).hexdigest()[:8]


def split_lines(text: str) -> list:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def parse_cells(text: str) -> list:
    cells = []
    for line in text.split("\n"):
        if line.startswith("# %%"):
            header = line[4:].strip()
            if header == "[markdown]":
                cells.append({"type": "markdown", "tags": [], "lines": []})
            else:
                cells.append({"type": "code", "tags": header.split(), "lines": []})
        elif cells:
            cells[-1]["lines"].append(line)
        elif line.strip():
            raise SystemExit(f"text before the first '# %%' marker: {line!r}")
    return cells


def build_notebook(stem: str, text: str) -> dict:
    cells = []
    for index, cell in enumerate(parse_cells(text)):
        lines = cell["lines"]
        while lines and not lines[-1].strip():
            lines.pop()
        if cell["type"] == "markdown":
            lines = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
        metadata = {"tags": cell["tags"]} if cell["tags"] else {}
        entry = {"cell_type": cell["type"], "id": cell_id(stem, index), "metadata": metadata, "source": split_lines("\n".join(lines))}
        if cell["type"] == "code":
            entry["execution_count"] = None
            entry["outputs"] = []
        cells.append(entry)
    return {
        "cells": cells,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(stem: str) -> str:
    notebook = build_notebook(stem, (SOURCES / f"{stem}.py").read_text(encoding="utf-8"))
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def main(argv: list) -> int:
    check = "--check" in argv
    stems = sorted(path.stem for path in SOURCES.glob("*.py"))
    stale = []
    for stem in stems:
        target = HERE / f"{stem}.ipynb"
        text = render(stem)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
            continue
        temp = target.with_suffix(".ipynb.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(target)
    orphans = sorted({p.stem for p in HERE.glob("*.ipynb")} - set(stems))
    if check and (stale or orphans):
        print(f"corpus out of date: {', '.join(stale + [o + '.ipynb' for o in orphans])}; run python test/corpus/build.py", file=sys.stderr)
        return 1
    if not check:
        for orphan in orphans:
            (HERE / f"{orphan}.ipynb").unlink()
        print(f"wrote {len(stems)} notebooks to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
