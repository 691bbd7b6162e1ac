# SPDX-License-Identifier: MIT
"""A fake NetBIOS name server on 127.0.0.1 for `mailslot lookup` tests.

  nbns_fake_peer.py --port-file FILE [--log FILE] [--seconds S]

Binds 127.0.0.1 on a port the kernel picks (written to --port-file once
bound) and a second socket beside it, and answers each request with
canned packets (RFC 1002 §4.2.13, §4.2.14, §4.2.18):

  LABPEER<00>  noise (garbage, another transaction ID), then two positive
               answers: 127.0.0.1 (unique, B node) from the first socket,
               192.0.2.123 (unique, H node) from the second
  MSLAB<1e>    one answer, three group entries (192.0.2.21-23)
  BIG<1c>      one answer, 30 group entries
  GHOST<00>    a negative answer (NAM_ERR)
  MIXED<00>    a negative answer (RFS_ERR), then a positive one (192.0.2.99)
  a node status request for "*": a name table of five names
  anything else: nothing

Each request is logged (--log) as "FLAGS TYPE NAME<xx>" (flags in hex),
so a test can see what went on the wire. Stops after --seconds (at most
60) or 200 requests. Names are built here with struct, not with the
library under test.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time


def encode_name(raw16):
    """First-level encoding of 16 octets (RFC 1001 §14.1), no scope."""
    out = bytes([32])
    for b in raw16:
        out += bytes([0x41 + (b >> 4), 0x41 + (b & 15)])
    return out + b"\x00"


def decode_question(pkt):
    """(trn_id, flags, raw16, qtype) of a request, or None."""
    if len(pkt) < 12 + 34 + 4 or pkt[12] != 32:
        return None
    trn, flags, qd = struct.unpack_from(">HHH", pkt, 0)
    if qd != 1 or flags & 0x8000:
        return None
    letters = pkt[13:45]
    if any(not 0x41 <= c <= 0x50 for c in letters):
        return None
    raw = bytes(((letters[2 * i] - 0x41) << 4) | (letters[2 * i + 1] - 0x41) for i in range(16))
    off = 45
    while off < len(pkt) and pkt[off] != 0:  # scope labels
        off += 1 + pkt[off]
    if off + 5 > len(pkt):
        return None
    qtype = struct.unpack_from(">H", pkt, off + 1)[0]
    return trn, flags, raw, qtype


def name16(text, suffix):
    return text.encode().ljust(15, b" ") + bytes([suffix])


def text_of(raw):
    body = raw[:15].rstrip(b" ").rstrip(b"\x00")
    return "".join(chr(c) if 0x20 < c < 0x7f else f"<{c:02x}>" for c in body) + f"<{raw[15]:02x}>"


def answer(trn, raw, rcode=0, entries=(), rtype=0x0020, ttl=300000, rdata=None):
    """A query response: R, AA, RD (+RA for negative), one record."""
    flags = 0x8500 | (0x80 if rcode else 0) | rcode
    if rdata is None:
        rdata = b"".join(struct.pack(">HI", f, ip) for f, ip in entries)
    return (struct.pack(">HHHHHH", trn, flags, 0, 1, 0, 0) + encode_name(raw) +
            struct.pack(">HHIH", rtype if not rcode else 0x000A, 1, ttl if not rcode else 0,
                        len(rdata)) + rdata)


def ip(a):
    return struct.unpack(">I", socket.inet_aton(a))[0]


G = 0x8000  # group bit
ONT_H = 0x6000
ACT, PRM, CNF, DRG = 0x0400, 0x0200, 0x0800, 0x1000


def status_rdata():
    rows = [(name16("LABPEER", 0x00), ACT), (name16("LABPEER", 0x20), ACT | PRM),
            (name16("MSLAB", 0x1e), G | ACT), (name16("MSLAB", 0x1d), ACT | CNF | ONT_H),
            (b"\x01\x02__MSBROWSE__\x02\x01", G | ACT | DRG)]
    rd = bytes([len(rows)]) + b"".join(n + struct.pack(">H", f) for n, f in rows)
    return rd + bytes([0x02, 0x00, 0xc0, 0x00, 0x02, 0x0a]) + bytes(40)


def replies(trn, raw, qtype):
    """[(socket index, payload)] for one request."""
    if qtype == 0x0021 and raw == b"*" + bytes(15):
        noise = answer(trn ^ 0x77, raw, rtype=0x0021, rdata=b"\x00")
        return [(0, b"\xff"), (0, noise), (0, answer(trn, raw, rtype=0x0021, ttl=0,
                                                    rdata=status_rdata()))]
    if qtype != 0x0020:
        return []
    key = text_of(raw)
    if key == "LABPEER<00>":
        return [(0, b"\x12\x34\x85"), (0, answer(trn ^ 0x5555, raw, entries=[(0, ip("192.0.2.99"))])),
                (0, answer(trn, raw, entries=[(0, ip("127.0.0.1"))])),
                (1, answer(trn, raw, entries=[(ONT_H, ip("192.0.2.123"))]))]
    if key == "MSLAB<1e>":
        return [(0, answer(trn, raw, entries=[(G, ip(f"192.0.2.2{i}")) for i in (1, 2, 3)]))]
    if key == "BIG<1c>":
        return [(0, answer(trn, raw, entries=[(G, ip(f"10.0.1.{i}")) for i in range(1, 31)]))]
    if key == "GHOST<00>":
        return [(0, answer(trn, raw, rcode=3))]
    if key == "MIXED<00>":
        return [(0, answer(trn, raw, rcode=5)), (1, answer(trn, raw, entries=[(0, ip("192.0.2.99"))]))]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--seconds", type=float, default=30.0)
    o = ap.parse_args()
    socks = []
    for _ in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    tmp = o.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{socks[0].getsockname()[1]}\n")
    os.replace(tmp, o.port_file)
    log = open(o.log, "a", buffering=1) if o.log else None
    end = time.monotonic() + min(o.seconds, 60.0)
    for _ in range(200):
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([socks[0]], [], [], left)
        if not r:
            continue
        pkt, addr = socks[0].recvfrom(2048)
        q = decode_question(pkt)
        if q is None:
            continue
        trn, flags, raw, qtype = q
        if log:
            log.write(f"{flags:04x} {'NBSTAT' if qtype == 0x21 else 'NB'} {text_of(raw)}\n")
        for i, payload in replies(trn, raw, qtype):
            socks[i].sendto(payload, addr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
