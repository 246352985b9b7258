"""Runs every real-world notebook as a pipeline (`cellpipe run`, the real CLI) and top to bottom, and compares.

For each notebook: a top-to-bottom run in a Jupyter kernel (nbclient) with a probe after every code cell,
then one pipeline run per grouping (one step per code cell, three code cells per step) with a probe after each
step's last cell. A probe (realworld_probe.py) writes its own digest of every variable. A name whose digest
differs between the two top-to-bottom runs is nondeterministic and left out; any other difference between a
pipeline step and the top-to-bottom run at the same cell is a silently different value when the run succeeded.
The second top-to-bottom run is made only when some value differs (it changes nothing when all are equal), with the
kernel's objects at other addresses (a set of objects iterates in address order), and with it a third, as a
single-step pipeline (a fresh process).

Usage: python corpus.py [--only NAME ...] [--groupings 1,3] [--json OUT] [--markdown RESULTS.md]
       python corpus.py --from-json A.json B.json --markdown RESULTS.md   (merge runs made in parts)
"""

import argparse
import copy
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NOTEBOOKS = HERE / "notebooks"
DATA = HERE / "data"
CLI = REPO / "packages" / "cli" / "bin" / "cellpipe.js"
# Error types the step runtime gives a run it stopped on purpose (the run-time check), not a crash.
CHECK_ERROR_TYPES = {"UnpredictedChange"}
CELL_TIMEOUT_S = 900
PIPELINE_TIMEOUT_S = 1200
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A plain import (replayed like any import) and a call with a literal: `__import__()` or `globals()` would make the
# analysis pass every live value to the step, and the harness would no longer test the analysis.
PROBE = 'import realworld_probe as _realworld_probe\n_realworld_probe.dump("{label}")'


def probe_label(cell_index):
    return f"c{cell_index:03d}"


def code_cells(nb):
    """Indices of the code cells that hold code (empty cells join the step above)."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]


def prepared(nb):
    """The notebook without outputs or tags, so only the harness's tags shape the pipeline."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def with_probes(nb, after):
    """A copy with a probe cell after each cell index in `after`, labelled by that index."""
    out = copy.deepcopy(nb)
    cells = []
    for i, cell in enumerate(nb.cells):
        cells.append(cell)
        if i in after:
            cells.append(nbformat.v4.new_code_cell(PROBE.format(label=probe_label(i))))
    out.cells = cells
    for position, cell in enumerate(out.cells):
        cell["id"] = f"rw-{position:04d}"
    return out


def grouped(nb, per_step):
    """Tags every `per_step`-th code cell as a new step; returns the notebook and each step's last cell."""
    nb = copy.deepcopy(nb)
    cells = code_cells(nb)
    groups = [cells[i : i + per_step] for i in range(0, len(cells), per_step)]
    for number, group in enumerate(groups, start=1):
        nb.cells[group[0]].metadata["tags"] = [f"step:s{number:02d}"]
    return nb, [group[-1] for group in groups]


def write_notebook(nb, path):
    nbformat.write(nb, path)
    return path


def environment(probe_dir):
    env = dict(os.environ)
    env["REALWORLD_PROBE_DIR"] = str(probe_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    return env


def workspace(name):
    work = Path(tempfile.mkdtemp(prefix=f"realworld-{name}-"))
    data = DATA / name
    if data.is_dir():
        shutil.copytree(data, work, dirs_exist_ok=True)
    return work


def read_probes(folder):
    probes = {}
    for path in Path(folder).glob("*.json"):
        probes[path.stem] = json.loads(path.read_text())
    return probes


# An IPython startup file that keeps a few thousand objects alive, so the notebook's objects get other addresses.
ADDRESS_SHIFT = "_realworld_address_shift = [object() for _ in range(7919)] + [bytearray(97) for _ in range(1013)]\n"


def top_to_bottom(nb, work, probe_dir, shift_addresses=False):
    """Runs the notebook in one kernel; returns (error or None, wall seconds).

    `shift_addresses`: the kernel first allocates objects it keeps, so a set of objects (ordered by address) may
    iterate in another order: a value that depends on it is the notebook's own nondeterminism.
    """
    probe_dir.mkdir()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment(probe_dir))
    if shift_addresses:
        startup = work / ".ipython-shift" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-shift.py").write_text(ADDRESS_SHIFT)
        os.environ["IPYTHONDIR"] = str(work / ".ipython-shift")
    started = time.perf_counter()
    try:
        client = NotebookClient(
            copy.deepcopy(nb),
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(work)}},
        )
        client.execute()
        return None, time.perf_counter() - started
    except CellExecutionError as error:
        return ANSI.sub("", f"{error.ename}: {error.evalue}")[:300], time.perf_counter() - started
    except (CellTimeoutError, DeadKernelError) as error:
        return f"{type(error).__name__}: {error}".splitlines()[0][:300], time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)


def pipeline(nb_path, work, probe_dir, python):
    """Runs `cellpipe run --json --no-cache`; returns (exit code, events, stderr, wall seconds)."""
    probe_dir.mkdir()
    command = [
        "node",
        str(CLI),
        "run",
        str(nb_path),
        "--json",
        "--no-cache",
        "--python",
        python,
    ]
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=work,
        env=environment(probe_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=PIPELINE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        stdout, stderr = child.communicate()
        stderr += f"\ntimed out after {PIPELINE_TIMEOUT_S} s"
    elapsed = time.perf_counter() - started
    events = []
    for line in stdout.splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return child.returncode, events, stderr, elapsed


def nondeterministic(first, second):
    """(label, name, part) triples whose digest differs between two top-to-bottom runs, or that one run lacks."""
    unstable = set()
    for label in set(first) | set(second):
        a, b = first.get(label, {}), second.get(label, {})
        for name in set(a) | set(b):
            parts_a, parts_b = a.get(name, {}), b.get(name, {})
            for part in set(parts_a) | set(parts_b) | {""}:
                if parts_a.get(part) != parts_b.get(part):
                    unstable.add((label, name, part))
    return unstable


def differing_parts(got, expected):
    """The innermost parts (paths) whose digests differ: a part differs whenever one inside it does."""
    differ = {part for part in set(got) | set(expected) | {""} if got.get(part) != expected.get(part)}
    return [p for p in differ if not any(q != p and q.startswith(p + "/") for q in differ)]


def differences(pipeline_probes, reference, unstable):
    """Names a pipeline step holds with a value the top-to-bottom run did not have at the same cell."""
    found = []
    for label, names in sorted(pipeline_probes.items()):
        expected = reference.get(label, {})
        for name, parts in sorted(names.items()):
            if (label, name, "") not in unstable or name in expected:
                real = [p for p in differing_parts(parts, expected.get(name, {})) if (label, name, p) not in unstable]
                if real:
                    found.append(
                        {"probe": label, "name": name, "parts": sorted(real)[:5], "absentTopToBottom": name not in expected}
                    )
    return found


def failure_of(code, events, stderr):
    """What stopped a failed run: the check, an input error before the run, or a crash, in one line."""
    errors = [e for e in events if e.get("type") == "step-error"]
    for error in errors:
        if error.get("errorType") in CHECK_ERROR_TYPES:
            return "stopped", f"{error['step']}: {error['message']}".splitlines()[0]
    if errors:
        e = errors[0]
        where = f" (cell {e['cellIndex'] + 1})" if e.get("cellIndex") is not None else ""
        return "crashed", f"{e['step']}{where}: {e['errorType']}: {e['message']}".splitlines()[0][:400]
    failed = [e["reason"] for e in events if e.get("type") == "step-state" and e.get("state") == "failed" and e.get("reason")]
    lines = [line for line in stderr.splitlines() if line.strip()]
    message = failed[0] if failed else lines[-1] if lines else f"exit {code}, no step error, no message"
    if code == 2:
        return "rejected", message[:400]
    finished = [e for e in events if e.get("type") == "run-finished"]
    reason = finished[-1].get("reason") if finished else None
    return "crashed", (reason or message)[:400]


def head_commit():
    """The commit the CLI was built from: the tree changes under a long corpus run."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return head.stdout.strip() or "unknown"


def run_notebook(name, groupings, python):
    source = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nb = prepared(source)
    every_cell = set(code_cells(nb))
    work = workspace(name)
    result = {"notebook": name, "codeCells": len(every_cell), "commit": head_commit(), "groupings": {}}
    try:
        reference_nb = with_probes(nb, every_cell)
        error, seconds = top_to_bottom(reference_nb, work, work / ".probe-t2b-1")
        if error:
            result["topToBottomError"] = error
            return result
        reference = read_probes(work / ".probe-t2b-1")
        result["topToBottomSeconds"] = seconds
        pipeline_probes = {}
        for per_step in groupings:
            tagged, last_cells = grouped(nb, per_step)
            probed = with_probes(tagged, set(last_cells))
            nb_path = work / f"{name}-g{per_step}.ipynb"
            nbformat.write(probed, nb_path)
            probe_dir = work / f".probe-g{per_step}"
            code, events, stderr, pipeline_seconds = pipeline(nb_path, work, probe_dir, python)
            pipeline_probes[per_step] = read_probes(probe_dir)
            entry = {"steps": len(last_cells), "seconds": pipeline_seconds, "ratio": pipeline_seconds / seconds}
            if code == 0:
                missing = sorted(set(map(probe_label, last_cells)) - set(pipeline_probes[per_step]))
                if missing:
                    entry["outcome"], entry["detail"] = "crashed", f"no probe output after cells {missing}"
            else:
                entry["outcome"], entry["detail"] = failure_of(code, events, stderr)
            result["groupings"][str(per_step)] = entry
        # The second top-to-bottom run only matters where values differ: it tells nondeterminism from a wrong value.
        unstable = set()
        if any(differences(probes, reference, set()) for probes in pipeline_probes.values()):
            error, _ = top_to_bottom(reference_nb, work, work / ".probe-t2b-2", shift_addresses=True)
            if error:
                result["topToBottomError"] = f"second run: {error}"
                return result
            unstable = nondeterministic(reference, read_probes(work / ".probe-t2b-2"))
            # Top to bottom again as ONE pipeline step (a fresh process, as steps are): a set of objects iterates in
            # address order, which two kernel runs often share and a fresh process does not.
            single, _ = grouped(nb, len(every_cell))
            whole = write_notebook(with_probes(single, every_cell), work / f"{name}-whole.ipynb")
            code, _, _, _ = pipeline(whole, work, work / ".probe-whole", python)
            if code == 0:
                unstable |= nondeterministic(reference, read_probes(work / ".probe-whole"))
            result["nondeterministic"] = sorted({name for _, name, part in unstable if part == ""})
        # A value computed from a nondeterministic one may agree between two runs by chance (the best of three
        # models): a difference at or after the first probe with a nondeterministic name is not conclusive.
        first_unstable = min((label for label, _, part in unstable if part == ""), default=None)
        for per_step, probes in pipeline_probes.items():
            entry = result["groupings"][str(per_step)]
            entry["differences"] = differences(probes, reference, unstable)
            conclusive = [d for d in entry["differences"] if first_unstable is None or d["probe"] < first_unstable]
            if entry["differences"] and not conclusive:
                entry.setdefault("outcome", "inconclusive")
                entry.setdefault("detail", f"values differ after nondeterministic values (from cell {int(first_unstable[1:]) + 1})")
            entry.setdefault("outcome", "different" if entry["differences"] else "equal")
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


OUTCOME_TEXT = {
    "equal": "equal",
    "stopped": "stopped by the run-time check",
    "rejected": "rejected before the run",
    "crashed": "**crashed** (top to bottom succeeds)",
    "different": "**SILENTLY DIFFERENT**",
    "inconclusive": "differs after nondeterministic values (inconclusive)",
}


def markdown(results, groupings):
    lines = [
        "# Real-world corpus results",
        "",
        "Written by `npm run corpus:realworld` (test/realworld/corpus.py): each notebook run as a pipeline with the real",
        "`cellpipe run --no-cache`, one step per code cell and three code cells per step, compared with a top-to-bottom",
        "run in one Jupyter kernel through the corpus's own digest of every variable after every step",
        "(test/realworld/realworld_probe.py); when values differ, a second top-to-bottom run tells nondeterministic",
        "parts, which are left out. Times are wall seconds on the machine that wrote this file (its load is not",
        "controlled: the lead measures issue 11's figure on a quiet machine); the ratio is pipeline / top to bottom,",
        "kernel start and probe cells included in both.",
        "",
    ]
    corpus_size = len(list(NOTEBOOKS.glob("*.ipynb")))
    lines += [f"Notebooks measured: {len(results)} of the {corpus_size} in test/realworld/notebooks.", ""]
    commits = sorted({r.get("commit", "unknown") for r in results})
    lines += [f"cellpipe commit(s) measured: {', '.join(commits)}.", ""]
    usable = [r for r in results if "topToBottomError" not in r]
    lines += ["## Totals", "", "| grouping | notebooks | equal | % equal | stopped by check | rejected | crashed | silently different | inconclusive | median time ratio |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for per_step in groupings:
        entries = [r["groupings"][str(per_step)] for r in usable if str(per_step) in r["groupings"]]
        count = lambda outcome: sum(1 for e in entries if e["outcome"] == outcome)
        ratios = [e["ratio"] for e in entries if e["outcome"] == "equal"]
        median = f"{statistics.median(ratios):.2f}" if ratios else "n/a"
        share = f"{100 * count('equal') / len(entries):.0f} %" if entries else "n/a"
        label = "one step per cell" if per_step == 1 else f"{per_step} cells per step"
        lines.append(
            f"| {label} | {len(entries)} | {count('equal')} | {share} | {count('stopped')} | {count('rejected')} | {count('crashed')} | {count('different')} | {count('inconclusive')} | {median} |"
        )
    lines += [
        "",
        "Median time ratio: over the notebooks whose pipeline ran and gave equal values. Inconclusive: values differ only",
        "at or after a cell where the notebook's own values differ between two top-to-bottom runs (unseeded random draws).",
        "",
    ]
    lines += ["## Per notebook", "", "| notebook | code cells | top to bottom (s) | grouping | steps | outcome | pipeline (s) | ratio |", "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |"]
    details = []
    for r in results:
        if "topToBottomError" in r:
            lines.append(f"| {r['notebook']} | {r['codeCells']} | fails | | | top to bottom failed: {r['topToBottomError']} | | |")
            continue
        for per_step, e in r["groupings"].items():
            lines.append(
                f"| {r['notebook']} | {r['codeCells']} | {r['topToBottomSeconds']:.1f} | {per_step} | {e['steps']} | {OUTCOME_TEXT[e['outcome']]} | {e['seconds']:.1f} | {e['ratio']:.2f} |"
            )
            if e.get("detail") or e["differences"]:
                names = ", ".join(
                    f"`{d['name']}{d['parts'][0] if d['parts'] else ''}` after cell {int(d['probe'][1:]) + 1}"
                    for d in e["differences"][:6]
                )
                more = f" and {len(e['differences']) - 6} more" if len(e["differences"]) > 6 else ""
                text = e.get("detail", "")
                if names:
                    text += ("; " if text else "") + f"values differing: {names}{more}"
                details.append(f"- {r['notebook']}, grouping {per_step}: {text.replace('|', '/')}")
    if details:
        lines += ["", "## Failures and differences", "", *details]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="notebook names (without .ipynb); default: all")
    parser.add_argument("--groupings", default="1,3", help="cells per step, comma-separated")
    parser.add_argument("--json", help="write the results as JSON here")
    parser.add_argument("--markdown", help="write the results table (RESULTS.md) here")
    parser.add_argument("--from-json", nargs="*", help="run nothing: merge these result files (later ones win)")
    args = parser.parse_args()
    groupings = [int(g) for g in args.groupings.split(",")]
    if args.from_json:
        merged = {}
        for path in args.from_json:
            merged.update({r["notebook"]: r for r in json.loads(Path(path).read_text())})
        results = [merged[name] for name in sorted(merged)]
        if args.json:
            write_atomic(args.json, json.dumps(results, indent=1))
        if args.markdown:
            write_atomic(args.markdown, markdown(results, groupings))
        return
    names = args.only or sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    python = sys.executable
    results = []
    for name in names:
        started = time.perf_counter()
        result = run_notebook(name, groupings, python)
        results.append(result)
        summary = result.get("topToBottomError") or ", ".join(
            f"g{g}: {e['outcome']}" for g, e in result["groupings"].items()
        )
        print(f"{name}: {summary} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        if args.json:
            write_atomic(args.json, json.dumps(results, indent=1))
    if args.markdown:
        write_atomic(args.markdown, markdown(results, groupings))


def write_atomic(path, text):
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
