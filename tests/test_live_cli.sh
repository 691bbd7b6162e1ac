#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# `mailslot send` and `mailslot listen` over loopback only (127.0.0.0/8,
# high ports, no root): every addressing mode, --slot filters, --count and
# --timeout, size refusals, -w pcap, --wait.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
base=$((20000 + ($$ % 20000)))

# --- unique, group to the broadcast address, forced broadcast; JSON out ---
P=$base
listen_bg "$tmp/l1" --port $P --count 3 --timeout 10 --json
"$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\test\nested' --data hello --port $P --sport $((P + 1)) || bad "send unique"
printf '\x01\x02' | "$cli" send -q --to 127.255.255.255 --slot '\MAILSLOT\grp' --port $P --sport $((P + 1)) || bad "send group (stdin)"
"$cli" send -q --to 127.0.0.1 --type broadcast --name 'IGNORED<00>' --slot '\MAILSLOT\bc' --hex 'ff00' --port $P --sport $((P + 1)) || bad "send broadcast"
wait "$lpid" && ok || bad "listen exit $? ($(cat "$tmp/l1.err"))"
[ "$(wc -l <"$tmp/l1")" -eq 3 ] && ok || bad "3 lines expected: $(cat "$tmp/l1")"
grep -q '"type":16,.*"dst_name":"PEER<00>"' "$tmp/l1" && ok || bad "unique line"
grep -q '"type":17,.*"dst_name":"WORKGROUP<00>"' "$tmp/l1" && grep -q '"dst":"127.255.255.255"' "$tmp/l1" && ok || bad "group line"
grep -q '"type":18' "$tmp/l1" && ok || bad "broadcast line"
grep -q '"level":"must"' "$tmp/l1" && bad "must finding in $(cat "$tmp/l1")" || ok

# --- --slot filter, text output ---
P=$((base + 10))
listen_bg "$tmp/l2" --port $P --slot '\mailslot\WANTED' --count 1 --timeout 10 --stats
"$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\other' --data no --port $P --sport $((P + 1))
"$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\wanted' --data yes --port $P --sport $((P + 1))
wait "$lpid" && ok || bad "listen --slot exit $?"
[ "$(wc -l <"$tmp/l2")" -eq 1 ] && grep -q 'DIRECT_UNIQUE .* \\MAILSLOT\\wanted 3 octets' "$tmp/l2" && ok || bad "slot filter: $(cat "$tmp/l2")"
grep -q '1 no such mailslot' "$tmp/l2.err" && ok || bad "stats: $(cat "$tmp/l2.err")"

# --- timeout with nothing: exit 1 ---
expect 1 'listen timed out' -- "$cli" listen --port $((base + 20)) --timeout 0.3

# --- sizes ---
head -c 424 /dev/zero >"$tmp/424"
head -c 425 /dev/zero >"$tmp/425"
expect 0 '' -- "$cli" send -q --to 127.0.0.1 --type group --slot '\MAILSLOT\x' --file "$tmp/424" -w "$tmp/a.pcap"
expect 1 'at most 424 data octets, 1 over' -- "$cli" send --to 127.0.0.1 --type group --slot '\MAILSLOT\x' --file "$tmp/425" -w "$tmp/b.pcap"
[ -e "$tmp/b.pcap" ] && bad "refused send left a pcap" || ok
expect 0 'over 576' -- "$cli" send --force-size --to 127.0.0.1 --type group --slot '\MAILSLOT\x' --file "$tmp/425" -w "$tmp/b.pcap"
head -c 429 /dev/zero >"$tmp/429"
expect 1 '512' -- "$cli" send --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\abcd' --file "$tmp/429" -w "$tmp/c.pcap"
head -c 428 /dev/zero >"$tmp/428"
expect 0 '' -- "$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\abcd' --file "$tmp/428" -w "$tmp/c.pcap"

# --- -w pcap: decodes, checks clean, --repeat gives fresh DGM_IDs ---
expect 0 '' -- "$cli" send -q --to '\\*' --slot '\MAILSLOT\BROWSE' --hex 0200 --repeat 3 --interval 0 -w "$tmp/d.pcap"
expect 0 '' -- "$cli" check -q "$tmp/d.pcap"
"$cli" decode --json "$tmp/d.pcap" 2>/dev/null | grep -o '"id":[0-9]*' | sort -u >"$tmp/ids"
[ "$(wc -l <"$tmp/ids")" -eq 3 ] && ok || bad "3 distinct DGM_IDs: $(cat "$tmp/ids")"

# --- errors and usage ---
expect 1 'local mailslot' -- "$cli" send --to '\\.' --slot '\MAILSLOT\x' --data x
expect 2 'required' -- "$cli" send --slot '\MAILSLOT\x' --data x
expect 2 'unique, group or broadcast' -- "$cli" send --to 127.0.0.1 --type multi --slot '\MAILSLOT\x' --data x
expect 2 'destination name' -- "$cli" send --to 127.0.0.1 --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"
expect 2 'not a mailslot' -- "$cli" send --to 127.0.0.1 --name 'A<00>' --slot '\PIPE\x' --data x -w "$tmp/e.pcap"
expect 1 'NOSUCHNAME' -- "$cli" send --to '\\NOSUCHNAME' --hosts /dev/null --wins 127.0.0.1 --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"

# --- --wait prints what comes back to our port ---
P=$((base + 30))
"$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\req' --data ping --port $((P + 5)) --sport $P --wait 2 >"$tmp/w" 2>"$tmp/w.err" &
wpid=$!
pids+=("$wpid")
sleep 0.5
"$cli" send -q --to 127.0.0.1 --name 'ASKER<00>' --slot '\MAILSLOT\reply' --data pong --port $P --sport $((P + 6))
wait "$wpid" && ok || bad "send --wait exit $?: $(cat "$tmp/w.err")"
grep -q 'DIRECT_UNIQUE .*-> ASKER<00> \\MAILSLOT\\reply 4 octets' "$tmp/w" && ok || bad "reply not printed: $(cat "$tmp/w")"

# --- as root only: --pcap on lo, and the privilege drop ---
if is_root; then
    P=$((base + 40))
    listen_bg "$tmp/l4" --pcap lo --port $P --count 1 --timeout 10 --user nobody
    user=$(ps -o user= -p "$lpid" 2>/dev/null | tr -d ' ')
    [ "$user" = nobody ] && ok || bad "listen --user nobody runs as '$user'"
    "$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\pcap' --data viapcap --port $P --sport $((P + 1))
    wait "$lpid" && ok || bad "listen --pcap exit $?: $(cat "$tmp/l4.err")"
    grep -q '\\MAILSLOT\\pcap 7 octets' "$tmp/l4" && ok || bad "listen --pcap: $(cat "$tmp/l4")"
else
    skipped+=("not root: --pcap and the privilege drop (--user) not tested")
fi

finish
