#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Regenerate the committed seed corpora from what the project owns: its own
captures (captures/, recorded from Samba's nmbd) and the PROTOCOL.md vectors
in tests/support/vectors.h. Never from ../shared/captures (those are read at
fuzz time only, by scripts/fuzz.sh, and never committed).
Usage: fuzz/make_seeds.py [path/to/mailslot]"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "tools", "mailslot")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(kind, data):
    d = os.path.join(CORPUS, kind)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def vectors():
    text = open(os.path.join(ROOT, "tests", "support", "vectors.h")).read()
    for m in re.finditer(r"static const char (\w+)\[\] =\s*((?:\"[0-9a-f]*\"\s*)+);", text):
        yield bytes.fromhex("".join(re.findall(r"\"([0-9a-f]*)\"", m.group(2))))


def main():
    objs = []
    for cap in sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*"))):
        out = subprocess.run([CLI, "decode", "--json", "-q", cap], capture_output=True, check=True)
        lines = out.stdout.decode().splitlines()
        objs += [json.loads(l) for l in lines]
        for l in lines[:3]:
            put("json_read", l.encode())
    payloads = [bytes.fromhex(o["payload"]) for o in objs] + list(vectors())
    for p in payloads:
        put("message", p)
        put("validate", b"\x01\x00" + p)  # two octets of frame information first
        put("name", p[14:48])
        put("name", p[48:82])
    for o in objs:
        ms = o.get("mailslot", {})
        if "data" in ms:
            put("browser", bytes.fromhex(ms["data"]))
    for p in vectors():
        # The mailslot data of each vector: after the NUL of the name.
        i = p.index(b"\\MAILSLOT\\")
        j = p.index(b"\0", i) + 1
        data = p[j:].lstrip(b"\0") if b"DEMO1" in p[i:j] else p[j:]
        put("netlogon" if b"NETLOGON" in p[i:j] else "browser", data)
    # RFC 1002 §4.1 scope example name.
    put("name", bytes.fromhex("20454746434546454543414341434143414341434143414341434143414341434107") +
        b"NETBIOS\x03COM\x00")
    print("seeds written under", CORPUS)


if __name__ == "__main__":
    main()
