# SPDX-License-Identifier: MIT
"""Raw UDP helpers for the interop tests (run inside a test namespace).

  interop_udp.py send DST_IP HEX [--sport N] [--count N] [--interval MS]
      send the UDP payload HEX to DST_IP:138 (--port to change), COUNT times
  interop_udp.py nbquery NAME [--suffix XX] [--to IP] [--timeout S]
      a Windows-style B-node NetBIOS name query (RFC 1002 4.2.12, built
      with scapy's NBNSHeader/NBNSQueryRequest); prints 'NAME<xx> IP' per
      answer address and exits 0, or exits 1 when nobody answers
  interop_udp.py nbregister NAME --ip IP [--suffix XX] [--to IP] [--timeout S]
      a B-node name registration request for NAME claiming IP (scapy's
      NBNSRegistrationRequest); prints the answer and exits 0 when the
      owner defends the name (negative response, RCODE 6 ACT_ERR), 1 when
      nobody objects within the timeout
  interop_udp.py winsregister NAME --ip IP --to WINS [--suffix XX] [--timeout S]
      a unicast name registration request (RD, no B) for NAME = IP to the
      WINS server WINS; exits 0 when it registers the name (positive
      response), 1 when it refuses or does not answer

Only addresses in 192.0.2.0/24 are accepted as destinations.
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import lab_ip  # noqa: E402


def udp_socket(sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    try:
        s.bind(("0.0.0.0", sport))
    except OSError:
        s.bind(("0.0.0.0", 0))
    return s


def send_payloads(payloads, dst, port, sport, count, interval_ms):
    s = udp_socket(sport)
    n = 0
    for i in range(count):
        for p in payloads:
            s.sendto(p, (dst, port))
            n += 1
        if i + 1 < count:
            time.sleep(interval_ms / 1000.0)
    print(f"sent {n} datagrams to {dst}:{port} from port {s.getsockname()[1]}")


def nbquery(name, suffix, dst, timeout):
    from scapy.all import NBNSHeader, NBNSQueryRequest, NBNSQueryResponse  # noqa: PLC0415
    trn = random.randint(1, 0xFFFF)
    # B-node broadcast query as Windows sends it: RD and B set.
    q = NBNSHeader(NAME_TRN_ID=trn, OPCODE=0, NM_FLAGS=0x11 if dst.endswith(".255") else 0x10,
                   QDCOUNT=1) / NBNSQueryRequest(QUESTION_NAME=name,
                                                SUFFIX=(0x41 + (suffix >> 4)) << 8 | (0x41 + (suffix & 15)))
    s = udp_socket(0)
    s.sendto(bytes(q), (dst, 137))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"no answer for {name}<{suffix:02x}> within {timeout} s")
            return 1
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        pkt, addr = s.recvfrom(2048)
        if len(pkt) < 12 or struct.unpack_from(">H", pkt, 0)[0] != trn:
            continue
        hdr = NBNSHeader(pkt)
        if not hdr.RESPONSE:
            continue
        if hdr.RCODE != 0 or NBNSQueryResponse not in hdr:
            print(f"negative answer from {addr[0]}: rcode {hdr.RCODE}")
            return 1
        ans = hdr[NBNSQueryResponse]
        got = ans.RR_NAME.decode("ascii", "replace").rstrip()
        for a in ans.ADDR_ENTRY:
            print(f"{got}<{suffix:02x}> {a.NB_ADDRESS} from {addr[0]} ttl {ans.TTL} "
                  f"{'group' if a.G else 'unique'}")
        return 0


def nbregister(name, suffix, ip, dst, timeout):
    from scapy.all import NBNSHeader, NBNSRegistrationRequest  # noqa: PLC0415
    trn = random.randint(1, 0xFFFF)
    # flags 0x2910 as Samba and Windows send them: REGISTRATION, RD, B
    q = NBNSHeader(NAME_TRN_ID=trn, OPCODE=5, NM_FLAGS=0x11, QDCOUNT=1, ARCOUNT=1) / \
        NBNSRegistrationRequest(QUESTION_NAME=name, NB_ADDRESS=ip,
                                SUFFIX=(0x41 + (suffix >> 4)) << 8 | (0x41 + (suffix & 15)))
    s = udp_socket(0)
    s.sendto(bytes(q), (dst, 137))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"nobody objected to {name}<{suffix:02x}> = {ip} within {timeout} s")
            return 1
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        pkt, addr = s.recvfrom(2048)
        if len(pkt) < 12 or struct.unpack_from(">H", pkt, 0)[0] != trn:
            continue
        flags = struct.unpack_from(">H", pkt, 2)[0]
        if not flags & 0x8000:
            continue
        rcode = flags & 0x0F
        print(f"answer from {addr[0]}: opcode {(flags >> 11) & 15} rcode {rcode}")
        return 0 if rcode == 6 else 1


def winsregister(name, suffix, ip, wins, timeout):
    from scapy.all import NBNSHeader, NBNSRegistrationRequest  # noqa: PLC0415
    trn = random.randint(1, 0xFFFF)
    # P-node registration with a WINS server (RFC 1002 5.1.2.2): flags
    # 0x2900, REGISTRATION and RD, no B.
    q = NBNSHeader(NAME_TRN_ID=trn, OPCODE=5, NM_FLAGS=0x10, QDCOUNT=1, ARCOUNT=1) / \
        NBNSRegistrationRequest(QUESTION_NAME=name, NB_ADDRESS=ip,
                                SUFFIX=(0x41 + (suffix >> 4)) << 8 | (0x41 + (suffix & 15)))
    s = udp_socket(0)
    s.sendto(bytes(q), (wins, 137))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"no registration response from {wins} within {timeout} s")
            return 1
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        pkt, addr = s.recvfrom(2048)
        if len(pkt) < 12 or struct.unpack_from(">H", pkt, 0)[0] != trn or addr[0] != wins:
            continue
        flags = struct.unpack_from(">H", pkt, 2)[0]
        opcode = (flags >> 11) & 15
        if not flags & 0x8000 or opcode != 5:  # a WACK (7) first is allowed
            continue
        rcode = flags & 0x0F
        print(f"registration response from {addr[0]}: rcode {rcode}")
        return 0 if rcode == 0 else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("send")
    a.add_argument("dst", type=lab_ip)
    a.add_argument("hex")
    a.add_argument("--port", type=int, default=138)
    a.add_argument("--sport", type=int, default=138)
    a.add_argument("--count", type=int, default=1)
    a.add_argument("--interval", type=int, default=0)
    c = sub.add_parser("nbquery")
    c.add_argument("name")
    c.add_argument("--suffix", type=lambda v: int(v, 16), default=0)
    c.add_argument("--to", type=lab_ip, default="192.0.2.255")
    c.add_argument("--timeout", type=float, default=3.0)
    d = sub.add_parser("nbregister")
    d.add_argument("name")
    d.add_argument("--ip", type=lab_ip, required=True)
    d.add_argument("--suffix", type=lambda v: int(v, 16), default=0)
    d.add_argument("--to", type=lab_ip, default="192.0.2.255")
    d.add_argument("--timeout", type=float, default=3.0)
    w = sub.add_parser("winsregister")
    w.add_argument("name")
    w.add_argument("--ip", type=lab_ip, required=True)
    w.add_argument("--to", type=lab_ip, required=True)
    w.add_argument("--suffix", type=lambda v: int(v, 16), default=0)
    w.add_argument("--timeout", type=float, default=5.0)
    o = ap.parse_args()
    if o.cmd == "winsregister":
        return winsregister(o.name, o.suffix, o.ip, o.to, min(o.timeout, 30.0))
    if o.cmd == "nbregister":
        return nbregister(o.name, o.suffix, o.ip, o.to, min(o.timeout, 30.0))
    if o.cmd == "send":
        if not 1 <= o.count <= 100 or not 0 <= o.interval <= 10000:
            ap.error("--count 1..100, --interval 0..10000")
        send_payloads([bytes.fromhex(o.hex)], o.dst, o.port, o.sport, o.count, o.interval)
        return 0
    return nbquery(o.name, o.suffix, o.to, min(o.timeout, 30.0))


if __name__ == "__main__":
    sys.exit(main())
