# SPDX-License-Identifier: MIT
"""`mailslot check` on every capture gives the committed count of hits per
rule (tests/expected/check-hits.json: derived numbers only, no capture
bytes), and exits 1 exactly for the captures with a `must` finding.
Run with --update to rewrite the expected file after reading the findings."""
import json
import os
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, SRC, Failures, all_captures, expected  # noqa: E402

EXPECTED = os.path.join(SRC, "tests", "expected", "check-hits.json")


def hits(path):
    p = subprocess.run([CLI, "check", "--json", path], capture_output=True, timeout=120)
    counts = Counter()
    must = False
    for line in p.stdout.decode().splitlines():
        f = json.loads(line)
        counts[f["rule"]] += 1
        must = must or f["level"] == "must"
    return dict(sorted(counts.items())), must, p.returncode


def main():
    got = {}
    fails = Failures()
    for cap in all_captures():
        name = os.path.basename(cap)
        counts, must, rc = hits(cap)
        got[name] = counts
        if rc != (1 if must else 0):
            fails.add(f"{name}: exit {rc}, but must findings: {must}")
    want = expected(EXPECTED, got)
    if want is None:
        return
    for name in sorted(set(want) | set(got)):
        if name not in got:
            fails.add(f"{name}: expected but not found among the captures")
        elif want.get(name) != got[name]:
            fails.add(f"{name}: hits {got[name]}, expected {want.get(name)}")
    total = Counter()
    for c in got.values():
        total.update(c)
    fails.finish(f"check hits: {len(got)} captures, {sum(total.values())} findings, "
                 f"{len(total)} rules fired")


if __name__ == "__main__":
    main()
