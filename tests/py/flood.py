# SPDX-License-Identifier: MIT
"""Bounded NBDS flood for tests/interop_flood.sh (run inside a test namespace).

  flood.py send --dst IP --src IP[,IP...] [--count N] [--seconds S]
                [--known N] [--known-slot NAME] [--to-name NAME] [--seed N]
      Send at most COUNT datagrams or for at most S seconds, whichever comes
      first, from UDP port 138 of each source address in turn, to DST:138:
      a prebuilt pool of valid writes (to other mailslots, and one repeated
      write to the known slot that duplicate suppression must drop),
      malformed datagrams (random octets, bad NetBIOS names, truncated SMB,
      DataOffset past the end, bad NBDS lengths), oversize datagrams (577 to
      1400 octets) and NBDS fragments (first fragments of sets never
      completed, overlapping fragments, middle fragments without a first),
      with fake SOURCE_IPs, source names and DGM_IDs. Interleaved: KNOWN
      valid unique writes to the known slot, data "FLOODSEQ nnnnn",
      spread over the flood, each after a pause so that a kernel socket
      buffer filled by the flood cannot be what loses it: with --drain-pid
      PID until the listener PID's UDP 138 receive queue is empty (read
      from /proc/PID/net/udp, at most --known-gap-ms, default 50), else a
      fixed --known-gap-ms. One JSON line on stdout: what was sent.
  flood.py verify FILE --known N
      Read `mailslot listen --json` output; print one JSON line (delivered,
      missing, duplicated sequence numbers); exit 0 when all N came once.

Only addresses in 192.0.2.0/24 are accepted.
"""
import argparse
import json
import os
import random
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import lab_ip  # noqa: E402


def nb_encode(name, suffix=0x00):
    """RFC 1001 first-level encoding of a 15-octet name plus suffix."""
    raw = name.upper().encode()[:15].ljust(15, b" ") + bytes([suffix])
    out = bytearray([0x20])
    for b in raw:
        out += bytes([0x41 + (b >> 4), 0x41 + (b & 0x0F)])
    return bytes(out) + b"\x00"


def smb_mailslot(slot, data, data_offset=None, trunc=None):
    """SMB_COM_TRANSACTION mailslot write (opcode 1), as `mailslot send`
    writes it: DataOffset 4-aligned after the name."""
    name = slot.encode() + b"\x00"
    off = 32 + 1 + 34 + 2 + len(name)
    pad = (-off) % 4
    doff = off + pad
    hdr = b"\xffSMB" + bytes([0x25]) + b"\x00" * 4 + bytes([0x18]) + struct.pack("<H", 4)
    hdr += b"\x00" * 2 + b"\x00" * 8 + b"\x00" * 2 + struct.pack("<HHHH", 0, 0xFEFF, 0, 0)
    assert len(hdr) == 32
    words = struct.pack("<HHHHBBHIHHHHHBB", 0, len(data), 2, 0, 0, 0, 2, 0, 0, 0,
                        doff, len(data),
                        doff if data_offset is None else data_offset, 3, 0)
    words += struct.pack("<HHH", 1, 0, 2)
    body = name + b"\x00" * pad + data
    smb = hdr + bytes([17]) + words + struct.pack("<H", len(body)) + body
    if trunc is not None:
        smb = smb[:trunc]
    return smb


def nbds(mtype, flags, dgm_id, src_ip, src_name, dst_name, user, offset=0,
         length=None, dst_suffix=0x00):
    names = nb_encode(src_name) + nb_encode(dst_name, dst_suffix)
    ln = len(names) + len(user) if length is None else length
    return struct.pack(">BBH4sHHH", mtype, flags, dgm_id,
                       socket.inet_aton(src_ip), 138, ln, offset) + names + user


def fake_ip(rnd):
    return f"192.0.2.{rnd.randrange(1, 255)}"


def fake_name(rnd):
    return "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
                   for _ in range(rnd.randrange(1, 16)))


def pool(rnd, to_name, known_slot):
    """Prebuilt flood datagrams: a list of (kind, payload)."""
    out = []
    noise_slots = ["\\MAILSLOT\\BROWSE", "\\MAILSLOT\\NET\\NETLOGON",
                   "\\MAILSLOT\\FLOOD\\NOISE", "\\MAILSLOT\\LANMAN"]
    # Valid writes to mailslots the listener does not serve.
    for _ in range(400):
        data = rnd.randbytes(rnd.randrange(0, 400))
        out.append(("valid", nbds(0x10, 0x02, rnd.randrange(65536), fake_ip(rnd),
                                  fake_name(rnd), to_name,
                                  smb_mailslot(rnd.choice(noise_slots), data))))
    # One write to the known slot, repeated unchanged: duplicates.
    dup = nbds(0x10, 0x02, 4242, "192.0.2.99", "DUPSRC", to_name,
               smb_mailslot(known_slot, b"FLOODDUP same datagram"))
    out += [("duplicate", dup)] * 100
    # Random octets, short and long.
    for _ in range(300):
        out.append(("random", rnd.randbytes(rnd.randrange(0, 700))))
    # Bad names: label length not 32, letters outside A-P, no terminator.
    for _ in range(200):
        good = bytearray(nbds(0x10, 0x02, rnd.randrange(65536), fake_ip(rnd),
                              fake_name(rnd), to_name,
                              smb_mailslot(known_slot, b"BADNAME")))
        how = rnd.randrange(3)
        if how == 0:
            good[14] = rnd.choice([0, 1, 31, 33, 63, 0xC0])
        elif how == 1:
            good[15 + rnd.randrange(32)] = rnd.choice(b"aZ0\x00\xff")
        else:
            good[14 + 33] = 0x41
        out.append(("badname", bytes(good)))
    # Truncated SMB (cut anywhere in header, words or bytes).
    for _ in range(300):
        smb = smb_mailslot(known_slot, b"TRUNCATED" * 3)
        out.append(("truncsmb", nbds(0x10, 0x02, rnd.randrange(65536), fake_ip(rnd),
                                     fake_name(rnd), to_name,
                                     smb[:rnd.randrange(0, len(smb))])))
    # DataOffset past the end or before the name; bad DGM_LENGTH.
    for _ in range(300):
        smb = smb_mailslot(known_slot, b"BADOFFSET",
                           data_offset=rnd.choice([0, 1, 31, 60, 200, 4000, 65535]))
        ln = None if rnd.randrange(2) else rnd.randrange(65536)
        out.append(("badoffset", nbds(0x10, 0x02, rnd.randrange(65536), fake_ip(rnd),
                                      fake_name(rnd), to_name, smb, length=ln)))
    # Oversize: 577..1400 octets, valid writes to a served slot with data
    # that is not a sequence number, and malformed ones.
    for _ in range(200):
        total = rnd.randrange(577, 1401)
        fixed = len(nbds(0x11, 0x02, 0, "192.0.2.1", "X", to_name,
                         smb_mailslot("\\MAILSLOT\\FLOOD\\NOISE", b"")))
        data = rnd.randbytes(max(0, total - fixed))
        out.append(("oversize", nbds(0x11, 0x02, rnd.randrange(65536), fake_ip(rnd),
                                     fake_name(rnd), to_name,
                                     smb_mailslot("\\MAILSLOT\\FLOOD\\NOISE", data))))
        out.append(("oversize", rnd.randbytes(total)))
    # NBDS fragments: first fragments (M=1) of sets never completed,
    # overlapping fragments of one set, middle/last fragments with no first.
    for _ in range(600):
        whole = smb_mailslot(known_slot, b"FRAGMENT never completed " * 20)
        ip, src, dgm = fake_ip(rnd), fake_name(rnd), rnd.randrange(65536)
        cut = rnd.randrange(40, len(whole) - 40)
        first = nbds(0x10, 0x03, dgm, ip, src, to_name, whole[:cut], offset=0)
        out.append(("frag-first", first))
        # Overlap: a later fragment whose offset falls inside the first.
        ov = rnd.randrange(1, cut)
        out.append(("frag-overlap", nbds(0x10, 0x01, dgm, ip, src, to_name,
                                         whole[ov:ov + 100], offset=ov)))
        # A middle fragment of a set that never had a first.
        out.append(("frag-orphan", nbds(0x10, 0x01, rnd.randrange(65536), fake_ip(rnd),
                                        fake_name(rnd), to_name, whole[cut:cut + 200],
                                        offset=cut)))
    rnd.shuffle(out)
    return out


def known_msg(k, to_name, known_slot):
    return nbds(0x10, 0x02, (10000 + k) & 0xFFFF, "192.0.2.20", "FLOODKNOWN", to_name,
                smb_mailslot(known_slot, b"FLOODSEQ %05d" % k))


def rx_queue(pid):
    """Octets waiting in PID's UDP sockets on port 138 (its /proc/PID/net/udp
    is its own namespace's table); None when unreadable."""
    try:
        with open(f"/proc/{pid}/net/udp", encoding="ascii") as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return None
    total = 0
    for r in rows:
        c = r.split()
        if len(c) > 4 and c[1].endswith(":008A"):
            total += int(c[4].split(":")[1], 16)
    return total


def wait_drained(pid, limit_s):
    """Wait (at most limit_s) until the listener's socket queue is empty;
    1 when it was, 0 when the time ran out."""
    end = time.monotonic() + limit_s
    while True:
        q = rx_queue(pid)
        if q == 0:
            return 1
        if q is None or time.monotonic() >= end:
            return 0
        time.sleep(0.0005)


def cmd_send(a):
    rnd = random.Random(a.seed)
    flood = pool(rnd, a.to_name, a.known_slot)
    payloads = [p for _, p in flood]
    kinds = [k for k, _ in flood]
    socks = []
    for ip in a.src.split(","):
        lab_ip(ip)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, 138))
        socks.append(s)
    known = [known_msg(k, a.to_name, a.known_slot) for k in range(a.known)]
    dst = (a.dst, 138)
    # Known messages: one every `every` flood datagrams, or when its time
    # has come (the flood may end on time before it ends on count).
    every = max(1, a.count // (a.known + 1))
    spacing = a.seconds * 0.9 / (a.known + 1)
    t0 = time.monotonic()
    deadline = t0 + a.seconds
    sent = 0
    nk = 0
    next_idx, next_t = every, t0 + spacing
    npool, nsock = len(payloads), len(socks)
    by_kind = {}
    errors = 0
    paused = 0.0
    drained = 0
    i = 0
    while i < a.count:
        if (i & 255) == 0:
            now = time.monotonic()
            if now >= deadline:
                break
        else:
            now = 0.0
        if nk < a.known and (i >= next_idx or (now and now >= next_t)):
            # A gap before each known message lets the listener drain the
            # kernel's socket buffer: a full buffer (not the listener)
            # would lose it. Kernel drops are counted by the test.
            tp = time.monotonic()
            if a.drain_pid:
                drained += wait_drained(a.drain_pid, a.known_gap_ms / 1000.0)
            elif a.known_gap_ms:
                time.sleep(a.known_gap_ms / 1000.0)
            paused += time.monotonic() - tp
            socks[0].sendto(known[nk], dst)
            nk += 1
            next_idx += every
            next_t += spacing
        j = i % npool
        try:
            socks[i % nsock].sendto(payloads[j], dst)
        except OSError:
            errors += 1
        by_kind[kinds[j]] = by_kind.get(kinds[j], 0) + 1
        i += 1
    sent = i
    elapsed = time.monotonic() - t0
    late = a.known - nk
    while nk < a.known:   # only when the flood ended early (count reached)
        socks[0].sendto(known[nk], dst)
        nk += 1
        time.sleep(0.002)
    busy = elapsed - paused
    print(json.dumps({"flood_sent": sent, "seconds": round(elapsed, 2),
                      "paused": round(paused, 2),
                      "rate_pps": int(sent / busy) if busy > 0 else 0,
                      "known_sent": nk, "known_after_flood": late,
                      "known_into_empty_queue": drained, "send_errors": errors,
                      "sources": nsock, "pool": npool, "by_kind": by_kind}))


def cmd_verify(a):
    seen = {}
    pat = re.compile(rb"^FLOODSEQ (\d{5})$")
    lines = 0
    with open(a.file, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            lines += 1
            try:
                o = json.loads(line)
                data = bytes.fromhex(o["mailslot"]["data"])
            except (ValueError, KeyError, TypeError):
                continue
            m = pat.match(data)
            if m:
                k = int(m.group(1))
                seen[k] = seen.get(k, 0) + 1
    missing = [k for k in range(a.known) if k not in seen]
    dups = [k for k, n in seen.items() if n > 1]
    extra = [k for k in seen if k >= a.known]
    print(json.dumps({"printed_lines": lines, "delivered": len(seen) - len(extra),
                      "known": a.known, "missing": missing[:20], "missing_count": len(missing),
                      "duplicated": dups[:20], "unexpected": extra[:20]}))
    return 0 if not missing and not dups and not extra else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--dst", type=lab_ip, required=True)
    s.add_argument("--src", required=True)
    s.add_argument("--count", type=int, default=200000)
    s.add_argument("--seconds", type=float, default=20.0)
    s.add_argument("--known", type=int, default=200)
    s.add_argument("--known-slot", default="\\MAILSLOT\\FLOOD\\KNOWN")
    s.add_argument("--to-name", default="FLOODRCV")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--known-gap-ms", type=float, default=50.0)
    s.add_argument("--drain-pid", type=int, default=0)
    v = sub.add_parser("verify")
    v.add_argument("file")
    v.add_argument("--known", type=int, default=200)
    a = p.parse_args()
    if a.cmd == "send":
        cmd_send(a)
        return 0
    return cmd_verify(a)


if __name__ == "__main__":
    sys.exit(main())
