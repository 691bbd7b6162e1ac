# SPDX-License-Identifier: MIT
"""Who sent it: decode's and check's "sender" list on frames whose sender is
known, and check --as.

  * ../shared/captures: for every host PROVENANCE.md names (Windows XP, 7,
    10, 2000, Server 2012 R2, Windows DCs, NT 4.0, 95, 98, Samba 3.2 and
    Ubuntu builds, macOS, an OS/2-era device) the sender lists its frames
    get, exactly;
  * captures/ (our nmbd recordings): every frame nmbd sent is samba-nmbd
    and nothing else;
  * decode -v says the same in words, check --json carries the same list;
  * check --as windows finds nothing on the Windows hosts' frames but the
    frames Windows would shape otherwise, and on nmbd's frames exactly
    the node type and the Timeout."""
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, SHARED, SRC, Failures, decode_json, skip_or_fail  # noqa: E402

WB, WR, W9, NMBD, AD = ("windows-browser", "windows-redirector", "win9x", "samba-nmbd",
                        "samba-ad")
UNKNOWN = "unknown"

# capture -> {NetBIOS source name: {sender list: frames}}, with who the
# host is (PROVENANCE.md). An H-node Windows frame at priority 1 is also
# Samba's AD server's shape (both named); at priority 0 (a Host or
# LocalMasterAnnouncement from <20>) it is Windows' alone.
EXPECT = {
    "cuckoo_dump.pcap": {"SIXGYQGO": {(WB,): 4}},  # Windows 7
    "elcab_chip_host_signin_nbt.pcapng": {"CHIP_DOUGLAS-PC": {(WB,): 16},  # Windows 7
                                          "SNICKLEFRITZ": {(WB,): 14}},  # its DC
    # The one redirector-shaped Windows 7 ping; the DC's reply.
    "elcab_macgyver_nbt.pcapng": {"CHIP-DOUGLAS-PC": {(WR,): 1}, "WIN-CNNEQ7OCUQS": {(WB,): 1}},
    "elcab_mantak_nbt.pcap": {"CHIP_DOUGLAS-PC": {(WB,): 12}, "SNICKLEFRITZ": {(WB,): 4}},
    "elcab_wmi_exec_2_nbt.pcapng": {"CHIP_DOUGLAS-PC": {(WB,): 14}, "SNICKLEFRITZ": {(WB,): 13}},
    "markofu_evidence02_nbt.pcap": {"ANN-LAPTOP": {(WB,): 4}},  # Windows XP
    # Samba 3.2 (M node) and Windows XP.
    "markofu_puzzle1.pcap": {"HERBIVORE": {(NMBD,): 1}, "N-D88E7A700E254": {(WB,): 3}},
    "markofu_winhlp_normal_fileformat_onwire.pcap": {"HPNSEZ180": {(WB,): 1}},  # XP, P node
    # Ubuntu Samba; macOS's requests (SMB words of its own) are nobody's.
    "ndpi_1kxun_nbt.pcap": {"SANJI-LIFEBOOK-": {(NMBD,): 2}, "MACBOOKAIR-E1D0": {(UNKNOWN,): 3}},
    "ndpi_dos_win98_smb_netbeui.pcap": {"MDJR98": {(W9,): 15}},  # Windows 98
    "ndpi_gnutella_nbt.pcap": {"MSEDGEWIN10": {(WB,): 5}},  # Windows 10
    "ndpi_netbios.pcap": {"NVR9": {(WB,): 1}, "BOWIE": {(WB,): 1}},  # Windows 7, H node
    "ndpi_wechat_nbt.pcap": {"GIOVANNI-PC": {(WB, AD): 2, (WB,): 1}},  # Windows 7, H node
    # NT 4.0 (FLAGS 0x1A), Windows 95, and an OS 2.2 / browser 1.0 host.
    "ppp_solaris-snoop.pcap": {"HERBOLD3": {(WB,): 3}, "AVENGER": {(WB,): 3},
                               "PCMS14NT": {(WB,): 1}, "MSRDP30": {(WB,): 1},
                               "SDPRABHU": {(W9,): 1}, "FREEMAN": {(W9,): 1},
                               "MOODY": {(W9,): 1}, "GARCIA": {(W9,): 1},
                               "MYCO_LAB": {(W9,): 1}, "FP2": {(W9,): 1},
                               "SURG-CENT_SNAP": {(UNKNOWN,): 1}},
    # Windows XP's pings (H node) and an Ubuntu Samba.
    "snort3demo_http_noblock_nbt.pcap": {"WINXP": {(WB, AD): 2}, "SNORTYBOX": {(NMBD,): 1}},
    "snort3demo_malware_mac.doc.pcap": {"QAUSER-VIRTUAL-": {(NMBD,): 1}},
    "sv_rfb-partial-tx_in_nbt.pcap": {"VMAC": {(UNKNOWN,): 1}},  # macOS
    "sv_sip-method_sip.pcap": {"D002465": {(WB,): 3}, "LAB111": {(WB,): 5}},  # 2000, XP
    "sv_smb2-07_20171220_smb_psexec_add_user_nbt.pcap": {"DC1": {(WB,): 1}},  # 2012 R2
    "sv_tls-subjectaltname_input_nbt.pcap": {"USER-PC": {(WB,): 14}},  # Windows 7
    "tcpdump_eapon1.pcap": {"DJP95S0J": {(WB, AD): 14, (WB,): 3}},  # Windows XP, H node
    "tsharkdev_vlan.cap": {"ANANNI": {(WB,): 1}, "MOOSE": {(WB,): 1}, "HD3331": {(WB,): 1}},
    "zeek_smtp.pcap": {"MIT-3D655AA09DD": {(WB,): 1}},  # Windows XP
    # The fuzzed frames: no sender writes broken names or counts.
    "ndpi_fuzz-2006-06-26-2594.pcap": {None: {(UNKNOWN,): 3}},
    "tcpdump_smb_print_trans-oobr2.pcap": {"DJP95S0J": {(UNKNOWN,): 1}},
}


def host(o):
    return o["nbdgm"].get("src_name", "")[:-4]


def senders_by_host(objs, any_host=False):
    got = defaultdict(Counter)
    for o in objs:
        if "sender" in o:
            got[None if any_host else host(o)][tuple(o["sender"])] += 1
    return {h: dict(c) for h, c in got.items()}


def run(*args):
    p = subprocess.run([CLI, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def shared(fails, caps):
    frames = 0
    for cap, want in EXPECT.items():
        objs = decode_json(os.path.join(caps, cap))
        got = senders_by_host(objs, any_host=None in want)
        frames += sum(sum(c.values()) for c in got.values())
        if got != want:
            fails.add(f"{cap}: senders {got}, want {want}")
    # check --as windows: Windows' own frames depart in nothing.
    for cap in ("ndpi_gnutella_nbt.pcap", "elcab_chip_host_signin_nbt.pcapng",
                "tcpdump_eapon1.pcap", "tsharkdev_vlan.cap"):
        rc, out, _ = run("check", "--json", "--as", "windows", os.path.join(caps, cap))
        x04 = [json.loads(line) for line in out.splitlines() if '"X-04"' in line]
        if x04:
            fails.add(f"check --as windows {cap}: {x04[0]}")
    # ... and Windows 98's differ in the Timeout only.
    rc, out, _ = run("check", "--json", "--as", "windows",
                     os.path.join(caps, "ndpi_dos_win98_smb_netbeui.pcap"))
    x04 = Counter(json.loads(line)["field"] for line in out.splitlines() if '"X-04"' in line)
    if x04 != {"trans.timeout": 15}:
        fails.add(f"check --as windows on Windows 98: {dict(x04)}")
    return frames


def own(fails):
    for cap in ("nmbd-announce.pcap", "nmbd-backuplist.pcapng"):
        path = os.path.join(SRC, "captures", cap)
        objs = [o for o in decode_json(path) if o["ip"]["src"] == "192.0.2.10"]
        lists = Counter(tuple(o["sender"]) for o in objs)
        if not objs or lists != {(NMBD,): len(objs)}:
            fails.add(f"{cap}: nmbd's frames are {dict(lists)}")
        # check --json: the same list with every finding.
        rc, out, _ = run("check", "--json", path)
        rows = [json.loads(line) for line in out.splitlines()]
        by_frame = {o["frame"]: o["sender"] for o in decode_json(path)}
        if not rows or any(r.get("sender") != by_frame[r["frame"]] for r in rows):
            fails.add(f"check --json {cap}: sender lists differ from decode's")
        # check --as windows: node type and Timeout, on every frame of nmbd.
        rc, out, _ = run("check", "--json", "--as", "windows", path)
        ours = {o["frame"] for o in objs}
        x04 = Counter((r["frame"], r["field"]) for r in map(json.loads, out.splitlines())
                      if r["rule"] == "X-04" and r["frame"] in ours)
        want = Counter()
        for o in objs:
            want[(o["frame"], "nbdgm.flags")] += 1
            want[(o["frame"], "trans.timeout")] += 1
        if x04 != want:
            fails.add(f"check --as windows {cap}: {sorted(x04)} want {sorted(want)}")
        if rc != 0:
            fails.add(f"check --as windows {cap}: exit {rc} (X-04 is common)")
    # decode -v in words.
    rc, out, _ = run("decode", "-v", os.path.join(SRC, "captures", "nmbd-backuplist.pcapng"))
    words = [line.strip() for line in out.splitlines() if line.strip().startswith("sender:")]
    if words != ["sender: win9x (the layout, docs/LAYOUTS.md)"] + \
            ["sender: samba-nmbd (the layout, docs/LAYOUTS.md)"] * 2:
        fails.add(f"decode -v: {words}")
    rc, _, err = run("check", "--as", "samba", os.path.join(SRC, "captures", "nmbd-announce.pcap"))
    if rc != 2 or "--as: 'samba' is not" not in err:
        fails.add(f"check --as samba: exit {rc}, {err}")


def main():
    fails = Failures()
    own(fails)
    caps = os.path.join(SHARED, "captures")
    if not os.path.isdir(caps):
        if fails.items:
            fails.finish("senders: our nmbd recordings")
        skip_or_fail(f"no shared captures at {caps}")
    frames = shared(fails, caps)
    fails.finish(f"senders: {frames} frames of {len(EXPECT)} shared captures, and our nmbd recordings")


if __name__ == "__main__":
    main()
