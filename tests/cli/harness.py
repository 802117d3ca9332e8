"""Shared by the tests of the udl tool, each run as SCRIPT UDL_BINARY WORK_DIR: the
scratch directory, running udl, and checks that are counted and reported."""
import os
import subprocess
import sys

import numpy as np

from model_file import read_model  # noqa: F401 (the tests import it from here)

UDL, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
_failures = []
_passed = 0


def path(name):
    return os.path.join(WORK, name)


def udl(*args, timeout=300):
    p = subprocess.run([UDL, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    global _passed
    if cond:
        _passed += 1
    else:
        _failures.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}")


def check_errors(command, cases, out_file):
    """Each (name, args, words) case must fail with one line on stderr holding words,
    nothing on stdout, and no out_file written."""
    for name, args, words in cases:
        rc, out, err = udl(command, *args)
        check(f"{name}: exit", rc != 0, f"exit {rc}")
        check(f"{name}: one line", len(err.strip().splitlines()) == 1 and words in err,
              repr(err))
        check(f"{name}: no output", not os.path.exists(out_file))
        check(f"{name}: nothing on stdout", out == "", out)


def finish(command):
    """The help text, no temporary files left behind, and the tally as exit status."""
    rc, out, err = udl(command, "--help")
    check("help", rc == 0 and f"usage: udl {command}" in out, err)
    leftovers = [f for f in os.listdir(WORK) if ".tmp" in f]
    check("no temporary files left", not leftovers, leftovers)
    print(f"{_passed} passed, {len(_failures)} failed")
    sys.exit(1 if _failures else 0)


