#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslot check from the command line: exit statuses (0 / 1 / --strict /
# 2 / 3), the text and NDJSON forms, the summary, --list-rules, --stats,
# and decode's "problems" carrying the same findings.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp

# nmbd's own frames: only 'common' findings (D-07 unpadded data), exit 0.
"$cli" check "$own" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && ok || bad "check nmbd capture: exit $rc"
grep -q '^frame 6: D-07 common trans.data_offset @139: DataOffset 86 is not 4-aligned' "$tmp/out" && ok || bad "D-07 line: $(head -2 "$tmp/out")"
# nmbd's unpadded frames have nmbd's layout: clean, D-07 explained by it
grep -q '^datagrams 15: clean 15, unusual 0, malformed 0$' "$tmp/out" && ok || bad "summary: $(grep datagrams "$tmp/out")"
grep -qx "(15 of the clean with 'common' findings their sender's layout has: docs/LAYOUTS.md)" "$tmp/out" && ok ||
    bad "summary: no count of the clean with findings: $(grep -A1 datagrams "$tmp/out")"
grep -qE '^D-07 +common +15 ' "$tmp/out" && ok || bad "summary table"
"$cli" check --strict -q "$own" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && ok || bad "--strict: exit $rc, want 1"

# NDJSON: one finding per line with the fixed keys; summary on stderr.
"$cli" check --json "$own" >"$tmp/j" 2>"$tmp/e"
/usr/bin/python3 - "$tmp/j" <<'PY' && ok || bad "--json objects"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(set(r) - {"sender"} == {"frame", "rule", "level", "field", "offset", "text"} for r in rows), rows[:1]
# nmbd's frames, each with its sender list (docs/LAYOUTS.md)
assert all(r["sender"] == ["samba-nmbd"] for r in rows), rows[:1]
assert all(r["level"] in ("must", "common") for r in rows)
PY
grep -q '^datagrams 15:' "$tmp/e" && ok || bad "--json summary on stderr"

# A must finding: class 7 (T-03) in a hand-written frame -> exit 1.
printf '%s\n' '{"nbdgm":{"type":17,"src_name":"LABHOST<00>","dst_name":"MSLAB<1d>"},"mailslot":{"name":"\\MAILSLOT\\BROWSE","class":7,"data":"0900010000 00"}}' |
    sed 's/0900010000 00/090001000000/' >"$tmp/t03.json"
"$cli" encode -w "$tmp/t03.pcap" "$tmp/t03.json" || bad "encode t03"
"$cli" check "$tmp/t03.pcap" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 1 ] && ok || bad "must finding: exit $rc, want 1"
grep -q 'T-03 must mailslot.class @147: Class 7 is neither 1 nor 2' "$tmp/out" && ok || bad "T-03 line: $(cat "$tmp/out")"
# decode --json carries it in "problems".
"$cli" decode --json -q "$tmp/t03.pcap" | grep -q '"problems":\[.*"rule":"T-03","level":"must","field":"mailslot.class","offset":147' && ok || bad "decode problems"

# --stats, --list-rules, usage errors, unreadable input.
"$cli" check -q --stats "$own" | grep -qE '^ +[0-9]+ +0x01 HostAnnouncement' && ok || bad "check --stats"
"$cli" decode --stats "$own" 2>/dev/null | grep -qE '^ +15 +LABPEER<00>$' && ok || bad "decode --stats senders"
[ "$("$cli" check --list-rules | grep -c '^[NSTDBLXPFZ]-[0-9][0-9] ')" -gt 80 ] && ok || bad "--list-rules"
"$cli" check >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "check without input"
"$cli" check --markdown x >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--markdown alone"
"$cli" check "$tmp/none.pcap" >/dev/null 2>&1; [ $? -eq 3 ] && ok || bad "missing file"

finish
