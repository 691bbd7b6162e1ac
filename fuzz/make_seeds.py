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


def nmbd_unexpected():
    """nmbd's unexpected-packet stream as recorded by
    tests/interop_nmbd_socket.sh (RECORD_TO, captures/README.md): x86-64
    records, a 32-octet header whose first 8 octets are the length. Each
    record alone, the first two together, and one cut short."""
    path = os.path.join(ROOT, "captures", "nmbd-unexpected.bin")
    if not os.path.exists(path):
        return
    raw = open(path, "rb").read()
    at, recs = 0, []
    while at + 32 <= len(raw):
        n = int.from_bytes(raw[at:at + 8], "little")
        recs.append(raw[at:at + 32 + n])
        at += 32 + n
    for r in recs:
        put("nmbd_unexpected", r)
    if len(recs) >= 2:
        put("nmbd_unexpected", recs[0] + recs[1])
        put("nmbd_unexpected", recs[0] + recs[1][:40])


def main():
    objs = []
    for cap in sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*"))):
        out = subprocess.run([CLI, "decode", "--json", "-q", cap], capture_output=True, check=True)
        lines = out.stdout.decode().splitlines()
        objs += [json.loads(l) for l in lines]
        for l in lines[:3]:
            put("json_read", l.encode())
        # decode's objects without their payload: what send --json builds from
        for l in lines:
            o = json.loads(l)
            o.pop("payload", None)
            put("json_frame", json.dumps(o).encode())
    payloads = [bytes.fromhex(o["payload"]) for o in objs] + list(vectors())
    for p in payloads:
        put("message", p)
        put("validate", b"\x01\x00" + p)  # two octets of frame information first
        put("name", p[14:48])
        put("name", p[48:82])
    # The validator held to each sender's shape: the second octet
    # picks the layout (fuzz_validate.c).
    for p in vectors():
        for layout in range(6):
            put("validate", bytes([0x01, layout << 3]) + p)
    # Capture-path seeds: Ethernet + IPv4 + UDP frames around our payloads,
    # one whole and one split into two IPv4 fragments.
    def ipv4(payload, ident, frag_off=0, more=False):
        hdr = bytearray(20)
        hdr[0] = 0x45
        hdr[2:4] = (20 + len(payload)).to_bytes(2, "big")
        hdr[4:6] = ident.to_bytes(2, "big")
        hdr[6:8] = ((0x2000 if more else 0) | frag_off // 8).to_bytes(2, "big")
        hdr[8], hdr[9] = 64, 17
        hdr[12:16], hdr[16:20] = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 255])
        return bytes(hdr) + payload

    def eth(ip):
        return b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip

    def records(frames):
        return b"\x00" + b"".join(len(f).to_bytes(2, "big") + f for f in frames)

    for i, p in enumerate(payloads[:6]):
        udp = (138).to_bytes(2, "big") * 2 + (8 + len(p)).to_bytes(2, "big") + b"\0\0" + p
        put("frame", records([eth(ipv4(udp, i))]))
        cut = (len(udp) // 2) & ~7
        put("frame", records([eth(ipv4(udp[cut:], 100 + i, cut)), eth(ipv4(udp[:cut], 100 + i, 0, True))]))
    # What a raw socket reads (ms_raw_udp_parse): IPv4 + UDP around our
    # payloads, and one with IP options (IHL 6, four NOPs).
    for i, p in enumerate(payloads[:6]):
        udp = (138).to_bytes(2, "big") * 2 + (8 + len(p)).to_bytes(2, "big") + b"\0\0" + p
        ip = ipv4(udp, i)
        put("raw_udp", ip)
        if i == 0:
            opt = bytearray(ip[:20]) + b"\x01" * 4
            opt[0] = 0x46
            opt[2:4] = (len(ip) + 4).to_bytes(2, "big")
            put("raw_udp", bytes(opt) + ip[20:])
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
    nmbd_unexpected()
    # RFC 1002 §4.1 scope example name.
    put("name", bytes.fromhex("20454746434546454543414341434143414341434143414341434143414341434107") +
        b"NETBIOS\x03COM\x00")
    print("seeds written under", CORPUS)


if __name__ == "__main__":
    main()
