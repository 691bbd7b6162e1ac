# SPDX-License-Identifier: MIT
"""A Windows-like domain controller and master browser for the live tests:
it answers to UDP port 138 whatever port asked, as Windows does
(PROTOCOL.md section 2.4), where nmbd answers to the asking port.

  fake_windows_peer.py --ip IP [--name FAKEDC] [--domain MSLAB] [--seconds S]

Binds 0.0.0.0:138 in its namespace and, until S seconds have passed:
  - a LOGON_SAM_LOGON_REQUEST (0x12) on \\MAILSLOT\\NET\\NETLOGON gets a
    LOGON_SAM_LOGON_RESPONSE (0x13: server \\\\NAME, domain DOMAIN, NtVersion 1)
    on the reply mailslot the request names;
  - a GetBackupListRequest (9) on \\MAILSLOT\\BROWSE gets a
    GetBackupListResponse (10) with its Token, listing NAME;
each sent from NAME<00> to the request's source name, at the request's
source address, port 138 (never the source port). The frames are built by
scapy's layers (scapy_mailslot.build), not by our codec. One JSON line per
answer on stdout: what was asked, from where, and where the answer went.
Only addresses in 192.0.2.0/24 are answered.
"""
import argparse
import json
import re
import select
import socket
import struct
import sys
import time
import types

import common
from scapy_mailslot import build


class Octets(bytes):
    """Data for scapy_mailslot.build, which encodes text: already octets."""

    def encode(self):
        return bytes(self)


def nb_name(dgram, off):
    """The first-level decoded name at off (length octet 32): NAME<xx>."""
    enc = dgram[off + 1:off + 33]
    raw = bytes(((enc[i] - 0x41) << 4) | (enc[i + 1] - 0x41) for i in range(0, 32, 2))
    return f"{raw[:15].decode('latin-1').rstrip()}<{raw[15]:02x}>"


def utf16z(text):
    return text.encode("utf-16-le") + b"\0\0"


def answer_for(dgram, a):
    """(slot, data, what) for a request we answer, else None."""
    if len(dgram) < 141 or dgram[0] not in (0x10, 0x11, 0x12):
        return None
    smb = 82
    if dgram[smb:smb + 4] != b"\xffSMB":
        return None
    data_count, data_off = struct.unpack_from("<HH", dgram, smb + 33 + 22)
    slot_end = dgram.find(b"\0", smb + 33 + 36)
    slot = dgram[smb + 33 + 36:slot_end].decode("latin-1")
    data = dgram[smb + data_off:smb + data_off + data_count]
    if slot.upper() == "\\MAILSLOT\\NET\\NETLOGON" and data[:2] == b"\x12\x00":
        m = re.search(rb"\\MAILSLOT\\NET\\GETDC[0-9A-Za-z]+", data)
        if not m:
            return None
        body = (b"\x13\x00" + utf16z("\\\\" + a.name) + utf16z("") + utf16z(a.domain) +
                struct.pack("<IHH", 1, 0xFFFF, 0xFFFF))
        return m.group(0).decode(), body, "LOGON_SAM_LOGON_REQUEST"
    if slot.upper() == "\\MAILSLOT\\BROWSE" and data[:1] == b"\x09" and len(data) >= 6:
        body = b"\x0a\x01" + data[2:6] + a.name.encode() + b"\0"
        return "\\MAILSLOT\\BROWSE", body, "GetBackupListRequest"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ip", required=True, type=common.lab_ip)
    p.add_argument("--name", default="FAKEDC")
    p.add_argument("--domain", default="MSLAB")
    p.add_argument("--seconds", type=float, default=120)
    a = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.bind(("0.0.0.0", 138))
    print(json.dumps({"event": "ready"}), flush=True)
    end = time.monotonic() + a.seconds
    dgm_id = 0x4000
    while (left := end - time.monotonic()) > 0:
        if not select.select([s], [], [], min(left, 1.0))[0]:
            continue
        dgram, (src, sport) = s.recvfrom(65536)
        try:
            common.lab_ip(src)
            ans = answer_for(dgram, a)
        except Exception:  # noqa: BLE001 - a datagram we cannot take apart is ignored
            ans = None
        if not ans:
            continue
        slot, body, what = ans
        to_name = nb_name(dgram, 14)
        dgm_id += 1
        args = types.SimpleNamespace(data=Octets(body), slot=slot, from_name=f"{a.name}<00>",
                                     name=to_name, type="unique", src=a.ip)
        s.sendto(build(args, dgm_id), (src, 138))
        print(json.dumps({"event": "answered", "request": what, "from": src, "sport": sport,
                          "to_name": to_name, "slot": slot, "dport": 138}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
