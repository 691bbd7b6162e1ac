# SPDX-License-Identifier: MIT
"""scapy (Debian python3-scapy) as an independent parser of our frames.

  interop_scapy.py PCAP... [--src IP] [--port N]... [--min N]

For every UDP frame on port 138 (or a --port) in each PCAP (only those from
--src IP when given), parse the NBDS datagram with scapy and compare each
field scapy decodes with `mailslot decode --json`. Exit 0 when at least
--min frames (default 1) were compared in each file and all agree, 1 otherwise.

What the packaged scapy (2.5) decodes, and so what is compared:
  NBTDatagram          MSG_TYPE, FLAGS, DGM_ID, SOURCE_IP/PORT, DGM_LENGTH,
                       PACKET_OFFSET, both names with their suffix
                       (0x10-0x12 only, names without a scope ID)
  SMB_Header           command, status, flags, flags2, PID high/low, TID,
                       UID, MID (scapy binds no layer above it for 0x25, so
                       the rest is parsed by hand with the classes below)
  SMBNetlogon_Protocol_Response_Header
                       the 17 transaction words up to SetupCount/Reserved3
                       (scapy's only SMB_COM_TRANSACTION word layout)
  SMBMailSlot          opcode, priority, class, ByteCount, mailslot name
Not decoded by scapy 2.5, so not compared field by field: the browser
(MS-BRWS) and NETLOGON payloads (only the message octets located by
scapy's DataOffset/DataCount are compared with ours), NBDS scope IDs,
datagram types 0x13-0x16, NBNS (UDP 137) beyond the header.
"""
import argparse
import json
import os
import subprocess
import sys

import common

NOT_DECODED = ("browser (MS-BRWS) and NETLOGON message fields: scapy 2.5 has no layer for them, "
               "only the message octets are compared")


def load_scapy():
    import logging  # noqa: PLC0415
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import IP, UDP, rdpcap  # noqa: PLC0415
    from scapy.layers.netbios import NBTDatagram  # noqa: PLC0415
    from scapy.layers.smb import SMB_Header, SMBMailSlot  # noqa: PLC0415
    from scapy.layers.smb import SMBNetlogon_Protocol_Response_Header as TransWords  # noqa: PLC0415
    return IP, UDP, rdpcap, NBTDatagram, SMB_Header, SMBMailSlot, TransWords


def nb_text(name15, suffix_short):
    """scapy's 15-octet name + its 2-letter suffix short -> our 'NAME<xx>'."""
    hi, lo = suffix_short >> 8, suffix_short & 0xFF
    suffix = ((hi - 0x41) << 4) | (lo - 0x41)
    raw = bytes(name15)[:15].ljust(15, b" ").rstrip(b" ")
    txt = "".join(chr(c) if 0x20 <= c <= 0x7E else f"<{c:02x}>" for c in raw)
    return f"{txt}<{suffix:02x}>"


def compare(frame_no, udp_payload, ours, sc, fails):
    _, _, _, NBTDatagram, SMB_Header, SMBMailSlot, TransWords = sc
    nb = ours.get("nbdgm", {})
    checks = []

    def eq(field, theirs, mine):
        checks.append(field)
        if theirs != mine:
            fails.append(f"frame {frame_no}: {field}: scapy {theirs!r} != ours {mine!r}")

    d = NBTDatagram(udp_payload)
    eq("nbdgm.type", d.Type, nb.get("type"))
    eq("nbdgm.flags", d.Flags, nb.get("flags"))
    eq("nbdgm.id", d.ID, nb.get("id"))
    eq("nbdgm.src_ip", d.SourceIP, nb.get("src_ip"))
    eq("nbdgm.src_port", d.SourcePort, nb.get("src_port"))
    if d.Type not in (0x10, 0x11, 0x12):
        return checks, "type not 0x10-0x12: scapy decodes only the common header"
    eq("nbdgm.length", d.Length, nb.get("length"))
    eq("nbdgm.offset", d.Offset, nb.get("offset"))
    if "." in nb.get("src_name", "") or "." in nb.get("dst_name", ""):
        return checks, "scoped names: scapy's NBTDatagram has no scope ID"
    eq("nbdgm.src_name", nb_text(d.SourceName, d.SUFFIX1), nb.get("src_name"))
    eq("nbdgm.dst_name", nb_text(d.DestinationName, d.SUFFIX2), nb.get("dst_name"))

    smb_raw = bytes(d.payload)
    if "smb" not in ours:
        return checks, "no SMB transaction in our decode"
    s = SMB_Header(smb_raw)
    m = ours["smb"]
    eq("smb.command", s.Command, m.get("command"))
    eq("smb.status", int(s.Status), m.get("status"))
    eq("smb.flags", int(s.Flags), m.get("flags"))
    eq("smb.flags2", int(s.Flags2), m.get("flags2"))
    eq("smb.pid_high", s.PIDHigh, m.get("pid_high"))
    eq("smb.tid", s.TID, m.get("tid"))
    eq("smb.pid_low", s.PIDLow, m.get("pid_low"))
    eq("smb.uid", s.UID, m.get("uid"))
    eq("smb.mid", s.MID, m.get("mid"))

    t = TransWords(bytes(s.payload))
    tr = ours.get("trans", {})
    eq("trans.word_count", t.WordCount, tr.get("word_count"))
    eq("trans.total_param_count", t.TotalParamCount, tr.get("total_param_count"))
    eq("trans.total_data_count", t.TotalDataCount, tr.get("total_data_count"))
    eq("trans.max_param_count", t.MaxParamCount, tr.get("max_param_count"))
    eq("trans.max_data_count", t.MaxDataCount, tr.get("max_data_count"))
    eq("trans.max_setup_count", t.MaxSetupCount, tr.get("max_setup_count"))
    eq("trans.reserved1", t.unused2, tr.get("reserved1"))
    eq("trans.flags", t.Flags3, tr.get("flags"))
    eq("trans.timeout", t.TimeOut1 | t.TimeOut2 << 8 | t.unused3 << 16, tr.get("timeout"))
    eq("trans.reserved2", t.unused4, tr.get("reserved2"))
    eq("trans.param_count", t.ParamCount2, tr.get("param_count"))
    eq("trans.param_offset", t.ParamOffset, tr.get("param_offset"))
    eq("trans.data_count", t.DataCount, tr.get("data_count"))
    eq("trans.data_offset", t.DataOffset, tr.get("data_offset"))
    eq("trans.setup_count", t.SetupCount, tr.get("setup_count"))
    eq("trans.reserved3", t.unused5, tr.get("reserved3"))

    ms = SMBMailSlot(bytes(t.payload))
    ml = ours.get("mailslot", {})
    eq("mailslot.opcode", ms.opcode, ml.get("opcode"))
    eq("mailslot.priority", ms.priority, ml.get("priority"))
    eq("mailslot.class", ms.class_, ml.get("class"))
    eq("trans.byte_count", ms.size, tr.get("byte_count"))
    name = ms.getfieldval("name")  # not ms.name: Packet.name is the layer title
    name = name.decode("latin-1") if isinstance(name, bytes) else name
    eq("mailslot.name", name, ml.get("name"))
    # The message octets where scapy's DataOffset/DataCount put them.
    eq("mailslot.data", smb_raw[t.DataOffset:t.DataOffset + t.DataCount].hex(), ml.get("data"))
    eq("mailslot.size", t.DataCount, ml.get("size"))
    return checks, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap", nargs="+")
    ap.add_argument("--src")
    ap.add_argument("--port", type=int, action="append", default=[])
    ap.add_argument("--min", type=int, default=1)
    o = ap.parse_args()
    try:
        sc = load_scapy()
    except ImportError as e:
        common.skip_or_fail(f"scapy cannot be imported: {e}")
    bad = 0
    notes, fields = set(), set()
    total = 0
    for path in o.pcap:
        fails = []
        compared = one_file(path, o, sc, fails, notes, fields)
        total += compared
        for f in fails[:20]:
            print(f"FAIL: {os.path.basename(path)}: {f}")
        if compared < o.min:
            print(f"FAIL: {os.path.basename(path)}: only {compared} frames (want at least {o.min})")
        if fails or compared < o.min:
            bad += 1
    print(f"{len(o.pcap)} files, {total} frames parsed by scapy, {len(fields)} fields compared, "
          f"{bad} files with differences")
    print("not compared:", NOT_DECODED)
    for n in sorted(notes):
        print("note:", n)
    return 1 if bad else 0


def one_file(path, o, sc, fails, notes, fields):
    IP, UDP, rdpcap = sc[0], sc[1], sc[2]
    ports = {138, *o.port}
    extra = [a for p in o.port for a in ("--port", str(p))]
    p = subprocess.run([common.CLI, "decode", "--json", "-q", *extra, path],
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 3):
        fails.append(f"decode: exit {p.returncode}: {p.stderr.decode()[:300]}")
        return 0
    ours = {}
    for line in p.stdout.decode().splitlines():
        obj = json.loads(line)
        if not obj.get("reassembled"):
            ours[obj["frame"]] = obj
    compared = 0
    for i, pkt in enumerate(rdpcap(path), 1):
        if IP not in pkt or UDP not in pkt:
            continue
        u = pkt[UDP]
        if u.sport not in ports and u.dport not in ports:
            continue
        if o.src and pkt[IP].src != o.src:
            continue
        if i not in ours:
            fails.append(f"frame {i}: scapy sees a UDP/{u.dport} frame that our decode skipped")
            continue
        checks, note = compare(i, bytes(u.payload), ours[i], sc, fails)
        fields.update(checks)
        if note:
            notes.add(note)
        compared += 1
    return compared


if __name__ == "__main__":
    sys.exit(main())
