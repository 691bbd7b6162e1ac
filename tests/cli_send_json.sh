#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# `mailslot send --json` (no --slot): frames described by decode's JSON,
# fields only. Every frame of our nmbd recordings sent again from its
# fields is its octets (DGM_ID, addresses and all as the JSON gives them);
# a minimal object gets a fresh DGM_ID and our address and port; a
# "payload" key, a length that is not the computed one, names on the
# command line and an oversize write are refused; one goes over loopback
# to a listener.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
expect_one_line=1
base=$((20000 + ($$ % 20000)))

strip_payload() { /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    o.pop("payload", None)
    print(json.dumps(o))'; }
payloads() { "$cli" decode --json -q "$1" | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if not o.get("reassembled"):
        print(o["payload"])'; }

# --- every frame of both recordings, from its fields alone ---
for cap in "$src"/captures/nmbd-announce.pcap "$src"/captures/nmbd-backuplist.pcapng; do
    "$cli" decode --json -q "$cap" | strip_payload >"$tmp/in.json"
    expect 0 '' -- "$cli" send --json -q --to 192.0.2.255 --file "$tmp/in.json" -w "$tmp/out.pcap"
    payloads "$cap" >"$tmp/want"
    payloads "$tmp/out.pcap" >"$tmp/got"
    [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got" && ok ||
        bad "$(basename "$cap"): sent again from its fields, $(wc -l <"$tmp/got") frames differ from $(wc -l <"$tmp/want")"
done

# --- a minimal object: the rest computed, DGM_ID fresh, our address ---
min='{"nbdgm":{"type":17,"src_name":"PEER<00>","dst_name":"WG<1d>"},"mailslot":{"name":"\\MAILSLOT\\BROWSE","data":"090401000000"}}'
printf '%s\n%s\n' "$min" "$min" >"$tmp/min.json"
expect 0 'DIRECT_GROUP PEER<00> -> WG<1d> \\MAILSLOT\\BROWSE, 6 data octets \(.*min.json line 1\), DGM_ID 0x[0-9a-f]{4}, 174 octets written for 192.0.2.255:138' -- \
    "$cli" send --json --to 192.0.2.255 --file "$tmp/min.json" -w "$tmp/min.pcap"
"$cli" decode --json -q "$tmp/min.pcap" >"$tmp/min.out"
/usr/bin/python3 - "$tmp/min.out" <<'PY' && ok || bad "minimal object: $(cat "$tmp/min.out")"
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["nbdgm"]["id"] != b["nbdgm"]["id"]          # fresh each
assert a["nbdgm"]["src_port"] == 138 and a["nbdgm"]["length"] == 160
assert a["trans"]["data_offset"] == 86 and a["trans"]["byte_count"] == 23
assert a["nbdgm"]["src_ip"] != "0.0.0.0"
assert a["browser"]["command"] == 9
PY
"$cli" check -q "$tmp/min.pcap" && ok || bad "minimal object: check finds a MUST"

# --- refusals: one line each, nothing written ---
echo '{"payload":"11"}' >"$tmp/p.json"
expect 3 'line 1: a "payload" key is refused' -- "$cli" send --json --to 192.0.2.255 --file "$tmp/p.json" -w "$tmp/r.pcap"
sed 's/"data":"090401000000"}/"data":"090401000000"},"trans":{"data_offset":90}/' "$tmp/min.json" | head -1 >"$tmp/off.json"
expect 3 '"trans.data_offset" is not 86, what the frame.s fields make it' -- "$cli" send --json --to 192.0.2.255 --file "$tmp/off.json" -w "$tmp/r.pcap"
big=$(head -c 425 /dev/zero | od -An -v -tx1 | tr -d ' \n')
sed "s/090401000000/$big/" "$tmp/min.json" | head -1 >"$tmp/big.json"
expect 1 'is over a limit: a group write carries at most 424 data octets, 1 over .*--force-size sends it anyway' -- \
    "$cli" send --json --to 192.0.2.255 --file "$tmp/big.json" -w "$tmp/r.pcap"
[ -e "$tmp/r.pcap" ] && bad "a refused send --json left its pcap" || ok
expect 0 '' -- "$cli" send --json -q --force-size --to 192.0.2.255 --file "$tmp/big.json" -w "$tmp/r.pcap"
for opt in "--from X" "--name X<00>" "--type group" "--as win9x" "--node-type h" "--data x"; do
    # shellcheck disable=SC2086  # the option and its value
    expect 2 'takes the names, type and message from the JSON' -- "$cli" send --json --to 192.0.2.255 $opt -w "$tmp/r.pcap"
done
expect 2 'needs --to' -- "$cli" send --json --file "$tmp/min.json"
echo '[1]' >"$tmp/arr.json"
expect 3 'line 1: not a JSON object' -- "$cli" send --json --to 192.0.2.255 --file "$tmp/arr.json" -w "$tmp/r.pcap"

# --- over loopback to a listener (a high port, no root) ---
P=$base
sed 's/"PEER<00>","dst_name":"WG<1d>"/"PEER<00>","dst_name":"LOOP<00>","src_port":'$((P + 1))'/; s/"type":17/"type":16/; s/BROWSE/json\\\\test/' \
    "$tmp/min.json" | head -1 >"$tmp/lo.json"
listen_bg "$tmp/l" --port $P --count 1 --timeout 10 --json
"$cli" send --json -q --to 127.0.0.1 --port $P --sport $((P + 1)) --file "$tmp/lo.json" || bad "send --json to loopback"
wait "$lpid" && ok || bad "listen exit $? ($(cat "$tmp/l.err"))"
grep -q '"dst_name":"LOOP<00>".*"name":"\\\\MAILSLOT\\\\json\\\\test"' "$tmp/l" && ok || bad "listener got: $(cat "$tmp/l")"

finish
