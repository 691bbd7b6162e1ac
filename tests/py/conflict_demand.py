#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Send one NAME CONFLICT DEMAND (RFC 1002 section 4.2.8) for NAME<00> to
IP:137 from an ephemeral port. Laid out here from the RFC, independently
of the C codec. Usage: conflict_demand.py IP NAME"""
import socket
import struct
import sys


def first_level(name, suffix=0):
    raw = name.upper().encode("ascii").ljust(15, b" ") + bytes([suffix])
    enc = b"".join(bytes([0x41 + (b >> 4), 0x41 + (b & 15)]) for b in raw)
    return b"\x20" + enc + b"\x00"


def main():
    ip, name = sys.argv[1], sys.argv[2]
    # R=1 OPCODE=5 AA RD RA RCODE=7 (CFT_ERR); one answer record.
    pkt = struct.pack(">HHHHHH", 0x4D4D, 0xAD87, 0, 1, 0, 0)
    pkt += first_level(name) + struct.pack(">HHIHHI", 0x0020, 0x0001, 0, 6, 0, 0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(pkt, (ip, 137))
    s.close()


if __name__ == "__main__":
    main()
