# SPDX-License-Identifier: MIT
"""Our decoder against tshark (Debian tshark 4.0) on every UDP/138 frame of
every capture. For each frame tshark decodes without a malformed flag we must
decode without "error" and agree on: nbdgm type, flags, id, source and
destination names, mailslot name, data size, browser command, netlogon
command. Where tshark 4.0 is wrong we say so and check against PROTOCOL.md:
  * NETLOGON 0x17/0x18 (LOGON_SAM_LOGON_RESPONSE_EX / PAUSE_RESPONSE_EX):
    tshark 4.0 labels 0x17 "AD user unknown" and does not decode 0x18's body;
    PROTOCOL.md §7.4.5/§7.7 say both carry the EX layout chosen by the
    trailer's NtVersion (V5EX), so we check that instead.
  * Names tshark calls "Illegal NetBIOS name": tshark accepts letters A..Z,
    the RFC only A..P (PROTOCOL.md §1.5); we must flag the name as invalid
    (src_name_raw / dst_name_raw present) instead of matching tshark's text.
"""
import os
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from common import Failures, all_captures, decode_json, need_tshark  # noqa: E402

FIELDS = ["frame.number", "nbdgm.type", "nbdgm.flags", "nbdgm.dgram_id",
          "nbdgm.source_name", "nbdgm.destination_name", "smb.trans_name",
          "smb.dc", "browser.command", "smb_netlogon.command", "_ws.malformed"]


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "udp.port==138", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    rows = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        rows[int(cols[0])] = dict(zip(FIELDS, cols))
    return rows


def num(text):
    return int(text, 0) if text else None


def agree(name, o, t, fails, stats):
    where = f"{name} frame {o['frame']}"
    if o.get("truncated"):
        # libpcap clamps a record whose caplen exceeds the file's snaplen to
        # the snaplen (tshark's own reader does not): the tcpdump over-read
        # reproducers rely on exactly that. We see fewer octets than tshark,
        # so we compare the NBDS header and names only.
        stats["cut by libpcap at the file's snaplen (header compared)"] += 1
        t = dict(t, **{"smb.trans_name": "", "smb.dc": "", "browser.command": "",
                       "smb_netlogon.command": ""})
        o = {k: v for k, v in o.items() if k not in ("error", "mailslot", "browser", "netlogon")}
    if "error" in o:
        fails.add(f"{where}: tshark decodes it cleanly, we report {o['error']}")
        return
    nb = o.get("nbdgm", {})
    checks = [("nbdgm.type", num(t["nbdgm.type"]), nb.get("type")),
              ("nbdgm.flags", num(t["nbdgm.flags"]), nb.get("flags")),
              ("nbdgm.dgram_id", num(t["nbdgm.dgram_id"]), nb.get("id"))]
    for key, ours_key, raw_key in (("nbdgm.source_name", "src_name", "src_name_raw"),
                                   ("nbdgm.destination_name", "dst_name", "dst_name_raw")):
        tv = t[key]
        if not tv and ours_key not in nb:
            continue
        if tv.startswith("Illegal NetBIOS name"):
            stats["illegal names (checked against the RFC)"] += 1
            if raw_key not in nb:
                fails.add(f"{where}: tshark says {key} is illegal, we call it valid ({nb.get(ours_key)})")
            continue
        checks.append((key, tv, nb.get(ours_key)))
    ms = o.get("mailslot")
    if t["smb.trans_name"] or ms:
        ours = (ms or {}).get("name")
        tv = t["smb.trans_name"]
        if ours is not None and all(0x20 <= ord(ch) < 0x7F for ch in ours):
            checks.append(("smb.trans_name", tv, ours))
        else:
            stats["non-ASCII mailslot names (tshark shows them lossily)"] += 1
        if t["smb.dc"]:
            checks.append(("smb.dc", num(t["smb.dc"]), (ms or {}).get("size")))
    if t["browser.command"]:
        checks.append(("browser.command", num(t["browser.command"]),
                       o.get("browser", {}).get("command")))
    if t["smb_netlogon.command"]:
        tcmd = num(t["smb_netlogon.command"])
        nl = o.get("netlogon", {})
        checks.append(("smb_netlogon.command", tcmd, nl.get("command")))
        if tcmd in (0x17, 0x18):
            stats["netlogon EX replies (checked against PROTOCOL.md)"] += 1
            ntv = nl.get("nt_version")
            if ntv is None or not (ntv & 0x4):
                fails.add(f"{where}: netlogon 0x{tcmd:02x} should carry the EX layout "
                          f"(NtVersion & V5EX), we have {nl}")
    for key, want, got in checks:
        stats["fields compared"] += 1
        if want != got:
            fails.add(f"{where}: {key}: tshark {want!r}, ours {got!r}")


def main():
    need_tshark()
    fails = Failures()
    stats = Counter()
    for cap in all_captures():
        name = os.path.basename(cap)
        rows = tshark_rows(cap)
        objs = decode_json(cap)
        ours = {}
        for o in objs:
            ours.setdefault(o["frame"], o)
        if sorted(ours) != sorted(rows) or len(objs) != len(rows):
            fails.add(f"{name}: tshark has UDP/138 frames {sorted(rows)}, we have {sorted(ours)}")
        for fno, t in sorted(rows.items()):
            stats["frames"] += 1
            o = ours.get(fno)
            if o is None:
                continue
            if t["_ws.malformed"]:
                stats["tshark malformed (not compared)"] += 1
                continue
            stats["frames compared"] += 1
            agree(name, o, t, fails, stats)
    fails.finish("tshark agreement: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items())))


if __name__ == "__main__":
    main()
