"""The fallback for IPython syntax when IPython is not installed (or CELLPIPE_NO_IPYTHON=1).

`transform` rewrites magic lines into calls of the functions below, one line for one line, so that
tracebacks keep the cell's line numbers. The supported list is documented in kernel-bridge/README.md.
"""

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import time
import timeit
import tokenize

from cellpipe import tracebacks

_HELPERS = "__import__('cellpipe.magics', fromlist=['run_line_magic'])"
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=\s*([!%])(.*)$")
_MAGIC = re.compile(r"^(\s*)([!%])(.*)$")
_IGNORED = frozenset(["matplotlib", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "config"])


class UnsupportedMagic(RuntimeError):
    pass


def transform(source, filename):
    """Python source equivalent to `source` with its magics replaced by helper calls, line numbers kept."""
    lines = source.split("\n")
    first = next((number for number, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("%%"):
        name, _, args = lines[first][2:].partition(" ")
        body = "\n".join(lines[first + 1 :])
        call = "{}.run_cell_magic({!r}, {!r}, {!r}, globals(), {!r}, {})".format(
            _HELPERS, name.strip(), args.strip(), body, filename, first + 1
        )
        return "\n" * first + call
    candidates = {number for number, line in enumerate(lines, start=1) if _MAGIC.match(line) or _ASSIGNED_MAGIC.match(line)}
    candidates -= _lines_inside_strings(lines, candidates)
    out = []
    for number, line in enumerate(lines, start=1):
        if number not in candidates:
            out.append(line)
            continue
        assigned = _ASSIGNED_MAGIC.match(line)
        plain = None if assigned else _MAGIC.match(line)
        if assigned:
            indent, target, kind, rest = assigned.groups()
            out.append("{}{} = {}".format(indent, target, _call(kind, rest, filename, number, capture=True)))
        elif plain:
            indent, kind, rest = plain.groups()
            out.append(indent + _call(kind, rest, filename, number, capture=False))
        else:
            out.append(line)
    return "\n".join(out)


def _lines_inside_strings(lines, candidates):
    """Candidate lines that are really the inside of a multi-line string, found with Python's own tokenizer."""
    # Magic lines are not Python; as comments they keep the tokenizer going without changing line numbers.
    masked = "\n".join("#" if number in candidates else line for number, line in enumerate(lines, start=1))
    inside = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(masked + "\n").readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside & candidates


def _call(kind, rest, filename, line, capture):
    if kind == "!":
        return "{}.run_shell({!r}, {})".format(_HELPERS, rest.strip(), capture)
    name, _, args = rest.partition(" ")
    return "{}.run_line_magic({!r}, {!r}, globals(), {!r}, {})".format(_HELPERS, name, args.strip(), filename, line)


def _compile(code, filename, line, mode="exec"):
    return compile("\n" * (line - 1) + code, filename, mode, dont_inherit=True)


def _format_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
        if seconds >= 1.0 / scale or unit == "µs":
            return "{:.3g} {}".format(seconds * scale, unit)
    return "{:.3g} s".format(seconds)


def _timed(action):
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    try:
        return action()
    finally:
        print("CPU times: total: {}".format(_format_time(time.process_time() - cpu_start)))
        print("Wall time: {}".format(_format_time(time.perf_counter() - wall_start)))


def _timeit(statement, setup, namespace, options):
    parts = shlex.split(options) if options else []
    number = repeat = None
    while parts and parts[0].startswith("-"):
        flag = parts.pop(0)
        if flag in ("-n", "-r") and parts:
            value = int(parts.pop(0))
            number, repeat = (value, repeat) if flag == "-n" else (number, value)
    timer = timeit.Timer(statement, setup or "pass", globals=namespace)
    if number is None:
        number, _ = timer.autorange()
    best = min(timer.repeat(repeat or 3, number)) / number
    print("{} per loop (best of {} runs, {} loops each)".format(_format_time(best), repeat or 3, number))


def _split_timeit_line(args):
    """`-n 10 -r 3 stmt` → ('-n 10 -r 3', 'stmt')."""
    match = re.match(r"^((?:\s*-[nr]\s+\d+)*)\s*(.*)$", args, re.S)
    return match.group(1).strip(), match.group(2)


def run_line_magic(name, args, namespace, filename, line):
    if name in _IGNORED:
        return None
    if name == "time":
        try:
            code = _compile(args, filename, line, "eval")
        except SyntaxError:
            code = _compile(args, filename, line)
            return _timed(lambda: exec(code, namespace))
        return _timed(lambda: eval(code, namespace))
    if name == "timeit":
        options, statement = _split_timeit_line(args)
        return _timeit(statement, None, namespace, options)
    if name == "pip":
        return _run([sys.executable, "-m", "pip"] + shlex.split(args), capture=False)
    if name == "cd":
        os.chdir(os.path.expanduser(args or "~"))
        print(os.getcwd())
        return None
    if name == "env":
        return _env(args)
    raise UnsupportedMagic("%{} needs IPython, which is not installed in this step's environment".format(name))


def _env(args):
    if not args:
        return dict(os.environ)
    if "=" in args or " " in args.strip():
        key, _, value = args.partition("=") if "=" in args else args.strip().partition(" ")
        os.environ[key.strip()] = value.strip()
        return None
    return os.environ.get(args.strip())


def display(*objects, **options):
    """IPython's `display` builtin as a terminal shows it: each object's repr on stdout (its keyword options are accepted and ignored)."""
    for value in objects:
        print(repr(value))


class CapturedIO:
    """What `%%capture name` binds, like IPython's: `.stdout`, `.stderr`, `.show()`."""

    def __init__(self, stdout, stderr):
        self.stdout = stdout
        self.stderr = stderr
        self.outputs = []

    def show(self):
        sys.stdout.write(self.stdout)
        sys.stderr.write(self.stderr)

    __call__ = show


def run_cell_magic(name, args, body, namespace, filename, first_line):
    if name == "time":
        code = _compile(body, filename, first_line + 1)
        return _timed(lambda: exec(code, namespace))
    if name == "timeit":
        options, setup = _split_timeit_line(args)
        return _timeit(body, setup, namespace, options)
    if name == "capture":
        words = shlex.split(args)
        target = next((word for word in words if not word.startswith("-")), None)
        stdout, stderr = io.StringIO(), io.StringIO()
        code = _compile(body, filename, first_line + 1)
        with contextlib.ExitStack() as stack:
            if "--no-stdout" not in words:
                stack.enter_context(contextlib.redirect_stdout(stdout))
            if "--no-stderr" not in words:
                stack.enter_context(contextlib.redirect_stderr(stderr))
            try:
                exec(code, namespace)
            except Exception as error:  # noqa: BLE001 - IPython runs the body as a cell: errors are printed, not raised
                print(tracebacks.format_traceback(error), end="")
        if target:
            namespace[target] = CapturedIO(stdout.getvalue(), stderr.getvalue())
        return None
    if name == "writefile":
        words = shlex.split(args)
        append = bool({"-a", "--append"} & set(words))
        paths = [word for word in words if word not in ("-a", "--append")]
        if len(paths) != 1:
            raise UnsupportedMagic("%%writefile needs exactly one file name, got {!r}".format(args))
        path = os.path.expanduser(paths[0])
        print("{} {}".format("Appending to" if append else "Overwriting" if os.path.exists(path) else "Writing", paths[0]))
        with open(path, "a" if append else "w", encoding="utf-8") as handle:
            # IPython hands the magic the body with a final newline; so does this fallback.
            handle.write(body if body.endswith("\n") else body + "\n")
        return None
    if name in ("bash", "sh"):
        # The body is the user's own script, given to the shell on stdin as IPython does; nothing is interpolated.
        sys.stdout.flush()
        sys.stderr.flush()
        subprocess.run([name], input=body, universal_newlines=True)
        return None
    raise UnsupportedMagic("%%{} needs IPython, which is not installed in this step's environment".format(name))


def run_shell(command, capture):
    """`!cmd`: an argument list run without a shell; `pip` runs this interpreter's pip."""
    args = shlex.split(command)
    if not args:
        return [] if capture else None
    if args[0] in ("pip", "pip3"):
        args = [sys.executable, "-m", "pip"] + args[1:]
    return _run(args, capture)


def _run(args, capture):
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        result = subprocess.run(args, stdout=subprocess.PIPE if capture else None, universal_newlines=capture)
    except FileNotFoundError:
        print("{}: command not found".format(args[0]), file=sys.stderr)
        return [] if capture else None
    return result.stdout.splitlines() if capture else None
