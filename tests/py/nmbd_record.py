# SPDX-License-Identifier: MIT
"""Record nmbd's unexpected-packet socket, independently of the library:
the query and the records laid out by Python's struct module in the
host's native alignment ('@'), which is what the C ABI gives nmbd.

  nmbd_record.py SOCKET SECONDS OUT [--name SLOT] [--lazy S]

Connects to SOCKET, sends the query for datagrams (type 1, transaction id
-1, no mailslot name, or SLOT with --name), checks nmbd's answer octet
(0), then saves every octet after it to OUT for SECONDS. With --lazy it
reads nothing for the first S seconds (a reader that falls behind).
Prints one JSON object per record: source, port, time, length, and the
datagram's DGM_ID and message type. Exit 1 when nmbd's answer is not 0.
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

QUERY = "@iNi0N"      # type, mailslot name length, transaction id; padded
HEADER = "@NiqIi0N"   # length, type, time, address, port; padded


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("seconds", type=float)
    ap.add_argument("out")
    ap.add_argument("--name", default="")
    ap.add_argument("--lazy", type=float, default=0.0)
    o = ap.parse_args()
    name = o.name.encode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(o.socket)
    s.sendall(struct.pack(QUERY, 1, len(name), -1) + name)
    end = time.monotonic() + min(o.seconds, 300.0)
    ack = s.recv(1)
    if ack != b"\0":
        print(f"nmbd_record: answer {ack!r}, not 0", file=sys.stderr)
        return 1
    if o.lazy:
        time.sleep(min(o.lazy, o.seconds))
    raw = b""
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.1)
        if r:
            b = s.recv(1 << 16)
            if not b:
                break
            raw += b
    with open(o.out, "wb") as f:
        f.write(raw)
    hl, at = struct.calcsize(HEADER), 0
    while at + hl <= len(raw):
        n, typ, ts, ip, port = struct.unpack_from(HEADER, raw, at)
        d = raw[at + hl:at + hl + n]
        print(json.dumps({"src": socket.inet_ntoa(struct.pack("=I", ip)), "port": port, "time": ts,
                          "type": typ, "len": n, "msg_type": d[0] if d else None,
                          "id": int.from_bytes(d[2:4], "big") if len(d) >= 4 else None}))
        at += hl + n
    print(f"nmbd_record: {len(raw)} octets, {at} in whole records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
