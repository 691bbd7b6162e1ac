# SPDX-License-Identifier: MIT
"""Frames Windows (and Samba) sent, made again by `mailslot send -w`.

For each frame below, taken from ../shared/captures (its sender as
PROVENANCE.md names it), `send` is given what an interop tester would
type: the sender's names (--from 'NAME<20>', --name), the type, the
mailslot, its node type when not B, --as when the sender is not Windows
NT-family, and the message octets of the captured frame. The UDP payload
send writes must be the captured one octet for octet, except DGM_ID,
SOURCE_IP and SOURCE_PORT (payload octets 2..9), which belong to the
moment and the host. docs/LAYOUTS.md lists the same frames per shape.

A control run per frame with another sender's shape must differ, so the
comparison itself is known to bite."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import CLI, SHARED, Failures, decode_json, skip_or_fail  # noqa: E402

G = ["--type", "group"]
BROWSE, NETLOGON = "\\MAILSLOT\\BROWSE", "\\MAILSLOT\\NET\\NETLOGON"

# (capture, frame, sender as PROVENANCE.md says, send arguments, a wrong --as)
CASES = [
    ("cuckoo_dump.pcap", 110, "Windows 7 AnnouncementRequest",
     ["--to", "192.168.56.255", "--from", "SIXGYQGO<00>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE] + G, "samba-ad"),
    ("markofu_evidence02_nbt.pcap", 1, "Windows XP GetBackupListRequest",
     ["--to", "192.168.1.255", "--from", "ANN-LAPTOP<00>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE] + G, "win9x"),
    ("elcab_normal_share_traversal_nbt.pcapng", 9, "Windows 7 GetBackupListResponse (unicast)",
     ["--to", "192.168.1.195", "--from", "CHIP_DOUGLAS-PC<00>", "--name", "SNICKLEFRITZ<00>",
      "--slot", BROWSE], "windows-redirector"),
    ("elcab_more_netshare_nbt.pcapng", 1, "Windows 7 MasterAnnouncement",
     ["--to", "192.168.1.195", "--from", "CHIP_DOUGLAS-PC<00>", "--name", "SNICKLEFRITZ<00>",
      "--slot", BROWSE], "samba-nmbd"),
    ("ndpi_gnutella_nbt.pcap", 13, "Windows 10 HostAnnouncement",
     ["--to", "10.0.2.255", "--from", "MSEDGEWIN10<20>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE] + G, "samba-ad"),
    ("zeek_smtp.pcap", 60, "Windows XP HostAnnouncement",
     ["--to", "10.10.1.255", "--from", "MIT-3D655AA09DD<20>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE] + G, "win9x"),
    ("sv_smb2-07_20171220_smb_psexec_add_user_nbt.pcap", 16,
     "Windows Server 2012 R2 HostAnnouncement",
     ["--to", "192.168.10.255", "--from", "DC1<20>", "--name", "CONTOSO<1d>",
      "--slot", BROWSE] + G, "samba-ad"),
    ("ndpi_wechat_nbt.pcap", 11, "Windows 7 LocalMasterAnnouncement (H node)",
     ["--to", "192.168.1.255", "--from", "GIOVANNI-PC<20>", "--name", "WORKGROUP<1e>",
      "--slot", BROWSE, "--node-type", "h"] + G, "samba-ad"),
    ("sv_tls-subjectaltname_input_nbt.pcap", 27, "Windows 7 LocalMasterAnnouncement",
     ["--to", "192.168.100.255", "--from", "USER-PC<20>", "--name", "WORKGROUP<1e>",
      "--slot", BROWSE] + G, "samba-ad"),
    ("elcab_chip_host_signin_nbt.pcapng", 6, "Windows 7 SAM LOGON request to a group name",
     ["--to", "192.168.1.195", "--from", "CHIP_DOUGLAS-PC<00>", "--name", "PICKLESWORTH<1c>",
      "--slot", NETLOGON] + G, "windows-redirector"),
    ("elcab_more_netshare_nbt.pcapng", 3, "Windows 7 SAM LOGON request to a unique name",
     ["--to", "192.168.1.195", "--from", "CHIP_DOUGLAS-PC<00>", "--name", "SNICKLEFRITZ<00>",
      "--slot", NETLOGON], "windows-redirector"),
    ("snort3demo_http_noblock_nbt.pcap", 1, "Windows XP SAM LOGON request, broadcast (H node)",
     ["--to", "10.5.255.255", "--from", "WINXP<00>", "--name", "SNORT-QA<1c>",
      "--slot", NETLOGON, "--node-type", "h"] + G, "windows-redirector"),
    ("elcab_more_netshare_nbt.pcapng", 5, "Windows DC reply 0x17 LOGON_SAM_LOGON_RESPONSE_EX",
     ["--to", "192.168.1.46", "--from", "SNICKLEFRITZ<00>", "--name", "CHIP_DOUGLAS-PC<00>",
      "--slot", "\\MAILSLOT\\NET\\GETDC170"], "windows-redirector"),
    ("elcab_chip_host_signin_nbt.pcapng", 12, "Windows DC reply 0x18 LOGON_SAM_PAUSE_RESPONSE_EX",
     ["--to", "192.168.1.46", "--from", "SNICKLEFRITZ<00>", "--name", "CHIP_DOUGLAS-PC<00>",
      "--slot", "\\MAILSLOT\\NET\\GETDC042"], "samba-nmbd"),
    ("ndpi_dos_win98_smb_netbeui.pcap", 42, "Windows 98 HostAnnouncement",
     ["--to", "192.168.239.255", "--from", "MDJR98<00>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE, "--as", "win9x"] + G, "windows"),
    ("elcab_macgyver_nbt.pcapng", 28, "Windows 7 SAM LOGON request, the redirector-shaped one",
     ["--to", "192.168.1.195", "--from", "CHIP-DOUGLAS-PC<00>", "--name", "PICKLESWORTH<1c>",
      "--slot", NETLOGON, "--as", "windows-redirector"] + G, "windows"),
    ("snort3demo_http_noblock_nbt.pcap", 3, "Samba (Ubuntu) nmbd HostAnnouncement",
     ["--to", "10.5.255.255", "--from", "SNORTYBOX<00>", "--name", "WORKGROUP<1d>",
      "--slot", BROWSE, "--as", "samba-nmbd"] + G, "win9x"),
]


def masked(hexstr):
    """The payload without DGM_ID, SOURCE_IP and SOURCE_PORT (octets 2..9)."""
    b = bytes.fromhex(hexstr)
    return b[:2] + b"\0" * 8 + b[10:]


def send_w(args, data_hex, out):
    p = subprocess.run([CLI, "send", "-q", "-w", out, "--hex", data_hex] + args,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"send {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()}")
    objs = decode_json(out)
    if len(objs) != 1:
        raise AssertionError(f"send wrote {len(objs)} datagrams")
    return objs[0]["payload"]


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def main():
    caps = os.path.join(SHARED, "captures")
    if not os.path.isdir(caps):
        skip_or_fail(f"no shared captures at {caps}")
    fails = Failures()
    frames = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "o.pcap")
        for cap, num, what, args, wrong in CASES:
            if cap not in frames:
                frames[cap] = {o["frame"]: o for o in decode_json(os.path.join(caps, cap))}
            o = frames[cap].get(num)
            if o is None:
                fails.add(f"{cap} #{num}: no such datagram")
                continue
            want = masked(o["payload"])
            got = masked(send_w(args, o["mailslot"]["data"], out))
            if got != want:
                fails.add(f"{what} ({cap} #{num}): first difference at payload octet "
                          f"{first_difference(got, want)} ({len(got)} vs {len(want)} octets)")
            else:
                print(f"ok: {what} ({cap} #{num}): {len(want)} octets identical")
            # The control: another sender's shape must not give the same octets.
            other = list(args)
            if "--as" in other:
                del other[other.index("--as"):other.index("--as") + 2]
            other += ["--as", wrong]
            if masked(send_w(other, o["mailslot"]["data"], out)) == want:
                fails.add(f"{what}: --as {wrong} gives the same octets; the comparison proves nothing")
    fails.finish(f"{len(CASES)} captured frames made again by send")


if __name__ == "__main__":
    main()
