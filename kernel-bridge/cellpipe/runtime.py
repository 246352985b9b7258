"""`python -m cellpipe.runtime --spec SPEC.json --out OUT_DIR` runs one pipeline step; `--version` prints the runtime version.

This module runs as `__main__` only until the step starts: the step then gets a fresh `__main__` of its own.
"""

import argparse
import sys

from cellpipe.step import run_step, runtime_version


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cellpipe.runtime", description="Run one cellpipe pipeline step.")
    parser.add_argument("--spec", help="StepSpec JSON file")
    parser.add_argument("--out", help="folder for the outputs and manifest.json")
    parser.add_argument("--version", action="store_true", help="print the runtime version and exit")
    args = parser.parse_args(argv)
    if args.version:
        print(runtime_version())
        return 0
    if not args.spec or not args.out:
        parser.error("--spec and --out are both required")
    return run_step(args.spec, args.out)


if __name__ == "__main__":
    sys.exit(main())
