#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Function lengths in src/, tools/ and daemon/: from the line of the opening brace
to the line of the closing one (the house style puts both in column 0).
Fails (exit 1) when a function is over the limit and not on the list of
flat tables and switches that docs/ARCHITECTURE.md names.

  scripts/func_lengths.py [--limit N] [--all]
"""
import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Long by nature: one flat switch over opcodes or a table each
# (docs/ARCHITECTURE.md, "Long functions"). At most three.
ALLOWED = {
}


def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    start = name = None
    for i, line in enumerate(lines):
        if line.startswith("{"):
            j = i - 1
            while j >= 0 and "(" not in lines[j]:
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j]) if j >= 0 else None
            start, name = i, (m.group(1) if m else "?")
        elif line.startswith("}") and start is not None:
            yield name, start + 1, i - start + 1
            start = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--all", action="store_true", help="list every function over the limit")
    a = ap.parse_args()
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.c"), recursive=True) +
                       glob.glob(os.path.join(ROOT, "tools", "**", "*.c"), recursive=True) +
                       glob.glob(os.path.join(ROOT, "daemon", "**", "*.c"), recursive=True)):
        rel = os.path.relpath(path, ROOT)
        for name, line, n in functions(path):
            if n > a.limit:
                rows.append((n, rel, line, name))
    bad = 0
    for n, rel, line, name in sorted(rows, reverse=True):
        allowed = ALLOWED.get(rel) == name
        if not allowed:
            bad += 1
        if a.all or not allowed:
            print(f"{rel}:{line}: {name}: {n} lines{' (allowed: a flat switch)' if allowed else ''}")
    if len(ALLOWED) > 3:
        print("more than three functions allowed over the limit")
        return 1
    print(f"func_lengths: {len(rows)} function(s) over {a.limit} lines, {bad} not allowed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
