# SPDX-License-Identifier: MIT
"""The output of decode (--json, text, -v, --stats) and check (--json, text)
on every capture is the same as when tests/expected/decode-digests.json was
written: SHA-256 of standard output plus the exit status per capture and view
(derived values only, never the output, which would copy capture bytes).
It guards the speed work: an optimisation must not change one octet.
Run with --update to rewrite the expected file (after reviewing why it
changed)."""
import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, SRC, Failures, all_captures, expected  # noqa: E402

EXPECTED = os.path.join(SRC, "tests", "expected", "decode-digests.json")

VIEWS = {
    "decode_json": ["decode", "--json", "-q"],
    "decode_text": ["decode", "-q"],
    "decode_verbose": ["decode", "-v", "-q"],
    "decode_stats": ["decode", "--stats", "-q"],
    "check_json": ["check", "--json", "-q"],
    "check_text": ["check", "-q"],
}


def digest(args, path):
    p = subprocess.run([CLI, *args, path], capture_output=True, timeout=300)
    return f"{p.returncode} {hashlib.sha256(p.stdout).hexdigest()}"


def main():
    got = {}
    for cap in all_captures():
        got[os.path.basename(cap)] = {v: digest(a, cap) for v, a in VIEWS.items()}
    want = expected(EXPECTED, got)
    if want is None:
        return
    fails = Failures()
    for name in sorted(set(want) | set(got)):
        if name not in got:
            fails.add(f"{name}: expected but not found among the captures")
        elif name not in want:
            fails.add(f"{name}: no committed digests (run with --update after review)")
        else:
            for v in VIEWS:
                if want[name].get(v) != got[name][v]:
                    fails.add(f"{name}: {v}: '{got[name][v]}', expected '{want[name].get(v)}'")
    fails.finish(f"decode digests: {len(got)} captures x {len(VIEWS)} views")


if __name__ == "__main__":
    main()
