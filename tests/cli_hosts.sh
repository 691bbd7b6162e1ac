#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslot hosts: the text and NDJSON lists of nmbd's capture, exit statuses,
# agreement with decode --json (and tshark when installed) on our captures
# and a few shared ones, and passive listening (--pcap lo, as root).
# The shared part skips (exit 77; a failure under MAILSLOT_REQUIRE_ALL)
# without ../shared/captures, after everything else has run.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
isolate_net "$@"
make_tmp

"$cli" hosts "$own" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "hosts nmbd capture: exit $rc"
cat >"$tmp/want" <<'EOF'
NAME            WORKGROUP       ADDRESS         OS     LAST SEEN            ROLES
LABPEER         MSLAB           192.0.2.10      6.1    2026-11-25T17:05:23Z workstation,server,print,unix,nt,ntserver,master-browser,dfs (going away)
    comment: "mailslot lab"
EOF
diff -u "$tmp/want" "$tmp/out" && ok || bad "text list of nmbd-announce.pcap"
grep -qx 'mailslot hosts: 1 host from 6 announcements' "$tmp/err" && ok || bad "summary: $(cat "$tmp/err")"
"$cli" hosts -q "$own" 2>"$tmp/err" >/dev/null
[ ! -s "$tmp/err" ] && ok || bad "-q still wrote: $(cat "$tmp/err")"

"$cli" hosts --json -q -r "$own" >"$tmp/j"; rc=$?
[ $rc -eq 0 ] && ok || bad "--json -r: exit $rc"
/usr/bin/python3 - "$tmp/j" <<'PY' && ok || bad "--json object"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
h = rows[0]
want = {"name": "LABPEER", "workgroup": "MSLAB", "ip": "192.0.2.10", "os_major": 6,
        "os_minor": 1, "browser_major": 15, "browser_minor": 1, "lm_format": False,
        "going_away": True, "server_type": 0x849a03, "comment": "mailslot lab",
        "periodicity_ms": 120000, "announcements": 6,
        "first_seen": "2026-11-25T17:04:43Z", "last_seen": "2026-11-25T17:05:23Z",
        "last_frame": 47,
        "roles": ["workstation", "server", "print", "unix", "nt", "ntserver",
                  "master-browser", "dfs"]}
for k, v in want.items():
    assert h[k] == v, (k, h[k], v)
PY

# Standard input, exit statuses.
"$cli" hosts -q - <"$own" | grep -q '^LABPEER ' && ok || bad "capture on standard input"
"$cli" hosts -q "$src/captures/nmbd-backuplist.pcapng" >"$tmp/out"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && ok || bad "no announcements: exit $rc, want 1 and no output"
"$cli" hosts --help | grep -q '^usage: mailslot hosts' && ok || bad "--help"
"$cli" hosts >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "no input: exit $rc, want 2"
"$cli" hosts --timeout 5 "$own" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "--timeout without --pcap: exit $rc, want 2"
"$cli" hosts --pcap lo "$own" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "--pcap with a file: exit $rc, want 2"
"$cli" hosts "$tmp/missing.pcap" >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok || bad "missing file: exit $rc, want 3"
"$cli" --help | grep -q '^  hosts ' && ok || bad "hosts in mailslot --help"

# hosts --json against what decode --json says about the same frames: the
# newest announcement of each name (going-away ones keep the earlier
# description, LAN Manager ones describe only hosts without MS-BRWS ones).
agree() {
    local cap=$1
    "$cli" decode --json -q "$cap" >"$tmp/d" 2>/dev/null
    "$cli" hosts --json -q "$cap" >"$tmp/h" 2>/dev/null
    /usr/bin/python3 - "$tmp/d" "$tmp/h" <<'PY'
import json, sys
hosts = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    b = d.get("browser")
    if not b or b.get("command") not in (1, 15):
        continue
    lm = b.get("lm_format", False)
    name = b.get("server_name") or ""
    name = name.rstrip(" ")
    if not name:
        continue
    h = hosts.setdefault(name, {"announcements": 0, "brws": False, "described": False})
    h["announcements"] += 1
    h["last_frame"] = d["frame"]
    h["going_away"] = b["server_type"] == 0
    if h["going_away"] and h["described"]:
        continue
    if lm and h["brws"]:
        continue
    h["described"] = True
    h["brws"] = h["brws"] or not lm
    h["server_type"] = b["server_type"]
    h["os"] = (b["os_major"], b["os_minor"])
    h["comment"] = b.get("comment", "")
got = [json.loads(l) for l in open(sys.argv[2])]
names = [g["name"] for g in got]
assert names == sorted(hosts), (names, sorted(hosts))
for g in got:
    w = hosts[g["name"]]
    for k in ("announcements", "last_frame", "going_away", "server_type", "comment"):
        assert g[k] == w[k], (g["name"], k, g[k], w[k])
    assert (g["os_major"], g["os_minor"]) == w["os"], g
    assert g["server_type"] == sum(1 << i for i in range(32) if g["server_type"] >> i & 1)
    assert len(g["roles"]) == bin(g["server_type"]).count("1"), g
print(f"{len(got)} hosts agree")
PY
}
agree "$own" >/dev/null && ok || bad "decode and hosts disagree on $own"

# tshark names the same hosts (HostAnnouncement / LocalMasterAnnouncement
# server names, both mailslots).
tshark_names() {
    tshark -n -r "$1" -Y 'browser.command == 0x01 || browser.command == 0x0f' \
        -T fields -e browser.server 2>/dev/null | sed 's/ *$//' | grep -v '^$' | sort -u
}

if [[ -d $shared/captures ]]; then
    command -v tshark >/dev/null || skipped+=("tshark is not installed: host names not compared with tshark's")
    for f in ppp_solaris-snoop.pcap tsharkdev_vlan.cap ndpi_netbios.pcap \
        ndpi_dos_win98_smb_netbeui.pcap elcab_mantak_nbt.pcap; do
        cap=$shared/captures/$f
        if [[ ! -f $cap ]]; then
            bad "shared capture $f is missing"
            continue
        fi
        agree "$cap" >/dev/null && ok || bad "decode and hosts disagree on $f"
        if command -v tshark >/dev/null; then
            "$cli" hosts --json -q "$cap" |
                /usr/bin/python3 -c 'import json,sys; [print(json.loads(l)["name"]) for l in sys.stdin]' |
                sort -u >"$tmp/ours"
            tshark_names "$cap" >"$tmp/theirs"
            diff "$tmp/theirs" "$tmp/ours" >/dev/null && ok ||
                bad "tshark names other hosts in $f: $(diff "$tmp/theirs" "$tmp/ours" | tr '\n' ' ')"
        fi
    done
    grep -q '^SURG-CENT_SNAP  SURGERY-CENTRAL 129.111.226.119 2.2 ' \
        <("$cli" hosts -q "$shared/captures/ppp_solaris-snoop.pcap") && ok ||
        bad "a 15-octet workgroup in the text list"
else
    skipped+=("no shared captures at $shared/captures")
fi

# Passive listening: one announcement sent over loopback, heard by libpcap.
if is_root; then
    "$cli" decode --json -q "$own" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if d["frame"] == 46:
        print(d["payload"])' >"$tmp/payload"
    send_payload() {
        /usr/bin/python3 - "$tmp/payload" <<'PY'
import socket, sys
data = bytes.fromhex(open(sys.argv[1]).read().strip())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(data, ("127.0.0.1", 138))
PY
    }
    start_bg "$cli" hosts --pcap lo --timeout 3 --json >"$tmp/live" 2>"$tmp/live_err"
    sleep 1
    send_payload
    reap
    [ $rc -eq 0 ] && ok || bad "--pcap lo: exit $rc: $(cat "$tmp/live_err")"
    grep -q '"name":"LABPEER","workgroup":"MSLAB","ip":"192.0.2.10"' "$tmp/live" && ok ||
        bad "--pcap lo heard: $(cat "$tmp/live")"
    "$cli" hosts --pcap lo --timeout 1 >/dev/null 2>&1; rc=$?
    [ $rc -eq 1 ] && ok || bad "--pcap lo with nothing heard: exit $rc, want 1"

    # decode -i: live like tcpdump; -c ends it, -w keeps the record, a BPF
    # expression applies, and SIGINT is a normal end for a live capture.
    start_bg timeout 10 "$cli" decode -i lo -c 1 -q --json -w "$tmp/live.pcap" udp port 138 >"$tmp/dlive" 2>"$tmp/dlive_err"
    sleep 1
    send_payload
    reap
    [ $rc -eq 0 ] && grep -qF '"name":"\\MAILSLOT\\BROWSE"' "$tmp/dlive" && ok ||
        bad "decode -i lo -c 1: exit $rc: $(cat "$tmp/dlive" "$tmp/dlive_err")"
    [ "$("$cli" decode -q "$tmp/live.pcap" | wc -l)" -eq 1 ] && ok || bad "decode -i -w: the record was not kept"
    start_bg "$cli" decode -i lo -q 'udp port 9' >"$tmp/dlive" 2>"$tmp/dlive_err"
    sleep 1
    send_payload
    sleep 0.3
    reap INT
    [ $rc -eq 0 ] && [ ! -s "$tmp/dlive" ] && grep -q 'frames outside the BPF filter' "$tmp/dlive_err" && ok ||
        bad "decode -i lo 'udp port 9' then SIGINT: exit $rc, $(cat "$tmp/dlive" "$tmp/dlive_err")"
else
    skipped+=("--pcap needs root")
fi

finish
