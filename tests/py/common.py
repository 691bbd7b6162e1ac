# SPDX-License-Identifier: MIT
"""Shared helpers for the script tests: where things are, how to skip."""
import argparse
import glob
import ipaddress
import json
import os
import shutil
import subprocess
import sys

SRC = os.environ.get("MAILSLOT_SRC", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CLI = os.environ.get("MAILSLOT_CLI", os.path.join(SRC, "build", "tools", "mailslot"))
SHARED = os.environ.get("MAILSLOT_SHARED", os.path.join(SRC, "..", "shared"))


def skip_or_fail(why):
    """Skip (exit 77), or fail when CI demands that nothing skips."""
    if os.environ.get("MAILSLOT_REQUIRE_ALL", "0") not in ("", "0"):
        print(f"FAIL (MAILSLOT_REQUIRE_ALL set, nothing may skip): {why}")
        sys.exit(1)
    print(f"skipped: {why}")
    sys.exit(77)


def lab_ip(s):
    """argparse type: an address of the test network 192.0.2.0/24 only."""
    if ipaddress.ip_address(s) not in ipaddress.ip_network("192.0.2.0/24"):
        raise argparse.ArgumentTypeError(f"{s} is outside 192.0.2.0/24")
    return s


def expected(path, got):
    """The committed expectation at path; with --update on the command
    line, got is written there instead (after review of why it changed)
    and None returned."""
    if "--update" not in sys.argv:
        with open(path) as f:
            return json.load(f)
    with open(path, "w") as f:
        json.dump(got, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}")
    return None


def shared_captures():
    d = os.path.join(SHARED, "captures")
    if not os.path.isdir(d):
        return None
    return sorted(f for f in glob.glob(os.path.join(d, "*"))
                  if f.endswith((".pcap", ".pcapng", ".cap")))


def own_captures():
    return sorted(glob.glob(os.path.join(SRC, "captures", "*.pcap*")))


def all_captures(require_shared=True):
    shared = shared_captures()
    if shared is None and require_shared:
        skip_or_fail(f"no shared captures at {SHARED}/captures")
    return (shared or []) + own_captures()


def need_tshark():
    if not shutil.which("tshark"):
        skip_or_fail("tshark is not installed")


def decode_json(path, *extra):
    """Run `mailslot decode --json` and return the parsed objects."""
    p = subprocess.run([CLI, "decode", "--json", "-q", *extra, path],
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 3) or p.returncode < 0:
        raise AssertionError(f"decode {path}: exit {p.returncode}: {p.stderr.decode()}")
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


class Failures:
    """Collects failures so one run reports all of them."""

    def __init__(self):
        self.items = []

    def add(self, msg):
        self.items.append(msg)
        if len(self.items) <= 50:
            print("FAIL:", msg)

    def finish(self, summary):
        print(summary)
        if self.items:
            print(f"{len(self.items)} failed")
            sys.exit(1)
