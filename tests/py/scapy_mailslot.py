# SPDX-License-Identifier: MIT
"""A mailslot write built with scapy's own layers (Debian python3-scapy:
NBTDatagram, SMB_Header, the transaction words, SMBMailSlot), not with our
codec: an independent sender for the live tests.

  scapy_mailslot.py --to IP --name NAME<xx> --slot '\\MAILSLOT\\X' --data TEXT
                    [--from NAME] [--type unique|group] [--src IP]
                    [--port N] [--count N] [-w PCAP]

Sends from an ephemeral UDP port (the datagram's SOURCE_PORT says 138) to
IP:port (138), --count times with a fresh DGM_ID each; with -w only
writes the frames to a pcap. Exit 0 when sent.
"""
import argparse
import logging
import random
import socket
import sys

import common


def name_and_suffix(text):
    name, _, rest = text.partition("<")
    suffix = int(rest.rstrip(">"), 16) if rest else 0
    return name.upper(), suffix


def build(a, dgm_id):
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import Raw, raw  # noqa: PLC0415
    from scapy.layers.netbios import NBTDatagram  # noqa: PLC0415
    from scapy.layers.smb import SMB_Header, SMBMailSlot  # noqa: PLC0415
    from scapy.layers.smb import SMBNetlogon_Protocol_Response_Header as TransWords  # noqa: PLC0415

    data = a.data.encode()
    slot = a.slot.encode()  # SMBMailSlot's name field ends it with a NUL itself
    words = TransWords(WordCount=17, TotalParamCount=0, TotalDataCount=len(data),
                       MaxParamCount=0, MaxDataCount=0, MaxSetupCount=0, Flags3=0,
                       TimeOut1=0, TimeOut2=0, ParamCount2=0, ParamOffset=0,
                       DataCount=len(data), DataOffset=0, SetupCount=3)
    ms = SMBMailSlot(opcode=1, priority=1, class_=2, size=len(slot) + 1 + len(data), name=slot)
    smb = SMB_Header(Command=0x25, Flags=0, Flags2=0, PIDLow=0) / words / ms
    # The data follows the name: its offset is the length so far ('/' made
    # copies, so the copy in smb is the one to set).
    smb[TransWords].DataOffset = len(raw(smb))
    smb[TransWords].ParamOffset = smb[TransWords].DataOffset
    src, s_sfx = name_and_suffix(a.from_name)
    dst, d_sfx = name_and_suffix(a.name)
    nbt = NBTDatagram(Type=0x10 if a.type == "unique" else 0x11, Flags=0x02, ID=dgm_id,
                      SourceIP=a.src, SourcePort=138, SourceName=src, SUFFIX1=0x4141 + s_sfx_code(s_sfx),
                      DestinationName=dst, SUFFIX2=0x4141 + s_sfx_code(d_sfx))
    body = raw(smb / Raw(data))
    nbt.Length = 68 + len(body)
    return raw(nbt) + body


def s_sfx_code(suffix):
    """scapy keeps the suffix as its two first-level letters minus 'AA'."""
    return ((suffix >> 4) << 8) | (suffix & 0x0F)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--to", required=True, type=common.lab_ip)
    p.add_argument("--name", required=True)
    p.add_argument("--slot", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--from", dest="from_name", default="SCAPYPEER")
    p.add_argument("--type", choices=("unique", "group"), default="unique")
    p.add_argument("--src", default="192.0.2.2", type=common.lab_ip)
    p.add_argument("--port", type=int, default=138)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("-w", dest="pcap")
    a = p.parse_args()
    if not 1 <= a.count <= 100000:
        p.error("--count: 1..100000")
    first = random.randrange(0x10000)
    frames = [build(a, (first + i) & 0xFFFF) for i in range(a.count)]
    if a.pcap:
        from scapy.all import IP, UDP, Ether, Raw, wrpcap  # noqa: PLC0415
        wrpcap(a.pcap, [Ether() / IP(src=a.src, dst=a.to) / UDP(sport=138, dport=a.port) / Raw(f)
                        for f in frames])
        return 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for f in frames:
        s.sendto(f, (a.to, a.port))
    print(f"scapy_mailslot: {len(frames)} datagram(s) of {len(frames[0])} octets to {a.to}:{a.port}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
