#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# `mailslot listen` and `mailslot send` while a mailslotd runs, against a
# fake one (tests/py/fake_mailslotd.py) in a private $MAILSLOTD_DIR that
# plays the network on 127.0.0.1: listen as a monitor and as a creator
# (one per name), refusals that name it (--port, --bind, --register of its
# name, a second creator), local mailslots that take network writes too,
# send handing datagrams over (SEND) and --wait getting NETLOGON and
# browser replies back, --direct, a daemon restart under a running listen,
# a stalled daemon and one that answers garbage. Loopback only (in a
# network namespace of its own when root); every wait is bounded.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
isolate_net "$@"
make_tmp
need python3
fake=$src/tests/py/fake_mailslotd.py
export MAILSLOTD_DIR=$tmp/d
mkdir "$MAILSLOTD_DIR"
export XDG_RUNTIME_DIR=$tmp/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset MAILSLOT_DIR
base=$((20000 + ($$ % 20000)))
U=$base          # the fake daemon's "network" socket
V=$((base + 1))  # where SENDs are forwarded to
log=$tmp/log
PQ='0700574b533132005c4d41494c534c4f545c4e45545c47455444433132330000 57004b0053003100320000000b000000ffffffff'

# start_fake ARGS...: the fake daemon in the background (fpid), ready.
starts=0
start_fake() {
    starts=$((starts + 1))
    local out=$tmp/fake.$starts.out # a file of its own: no "ready" of the last one
    python3 "$fake" --dir "$MAILSLOTD_DIR" --udp-port "$U" --log "$log" "$@" >"$out" 2>&1 &
    fpid=$!
    pids+=("$fpid")
    for _ in $(seq 50); do
        grep -q ready "$out" 2>/dev/null && return 0
        sleep 0.1
    done
    bad "the fake daemon did not start: $(cat "$out")"
}
stop_fake() {
    kill "$fpid" 2>/dev/null
    wait "$fpid" 2>/dev/null
}
# logged N PATTERN [SECONDS]: the log has at least N lines matching (bounded).
logged() {
    for _ in $(seq $((${3:-5} * 10))); do
        [ "$(grep -cE -- "$2" "$log" 2>/dev/null)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# created N SLOT: N CREATEs of SLOT (a regex of the logged JSON) so far.
created() { logged "$1" '"msg": "create", "queue_max": [0-9]+, "slot": "'"$2"'"'; }
# wait_udp PORT: a UDP socket bound to PORT (bounded; without ss, 0.3 s).
wait_udp() {
    command -v ss >/dev/null || { sleep 0.3; return 0; }
    for _ in $(seq 50); do
        [ -n "$(ss -H -uln "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    return 1
}
# peer SLOT DATA: a datagram to the fake's network socket, as from a peer.
peer() {
    "$cli" send -q --direct --sport ephemeral --to 127.0.0.1 --port "$U" \
        --name 'FAKEHOST<00>' --from PEER --slot "$1" --data "$2"
}

# 1. listen with no mailslot named: a monitor, with the sender's addresses.
start_fake
listen_bg "$tmp/l1" --json --count 2 --timeout 10
created 1 '\*' && ok || bad "no monitor CREATE: $(cat "$log")"
grep -q 'through mailslotd .*a monitor' "$tmp/l1.err" && ok || bad "monitor line: $(cat "$tmp/l1.err")"
# no UDP socket of its own on 138
if command -v ss >/dev/null && ss -H -uanp 2>/dev/null | grep -q "pid=$lpid,"; then
    bad "listen opened a UDP socket beside mailslotd"
else
    ok
fi
peer '\MAILSLOT\app' one
peer '\MAILSLOT\other' two
wait "$lpid" && ok || bad "monitor listen exit $?: $(cat "$tmp/l1.err")"
grep -q '"src":"127.0.0.1"' "$tmp/l1" && grep -q '"src_name":"PEER<00>"' "$tmp/l1" &&
    grep -q '"dstport":'"$U" "$tmp/l1" && ok || bad "monitor output: $(head -c 400 "$tmp/l1")"
[ "$(grep -c '"mailslot":{"name"' "$tmp/l1")" -eq 2 ] && ok || bad "two messages expected"

# 2. creators: one per name; the Win32 rule across programs.
listen_bg "$tmp/l2" --slot '\MAILSLOT\one' --slot '\mailslot\ONE' --count 1 --timeout 10
created 1 '\\\\MAILSLOT\\\\one' && ok || bad "no CREATE of one: $(cat "$log")"
expect 4 "another program created it \(mailslotd" -- "$cli" listen --slot '\MAILSLOT\One' --timeout 1
peer '\MAILSLOT\ONE' to-one
wait "$lpid" && ok || bad "creator listen exit: $(cat "$tmp/l2.err")"
grep -q 'PEER<00> -> FAKEHOST<00> \\MAILSLOT\\ONE 6 octets' "$tmp/l2" && ok ||
    bad "creator output: $(cat "$tmp/l2")"

# 3. what does not go through it is refused, naming it; --direct binds.
expect 4 "mailslotd runs .*--port does not go through it; --direct" -- \
    "$cli" listen --port "$V" --timeout 1
expect 4 "--bind does not go through it" -- "$cli" listen --bind 127.0.0.1 --timeout 1
expect 4 "mailslotd .* holds FAKEHOST<00> already" -- "$cli" listen --register fakehost --timeout 1
n=$(grep -c '"msg": "hello"' "$log")
expect 1 "listen timed out" -- "$cli" listen --direct --port "$V" --bind 127.0.0.1 --timeout 0.3
[ "$(grep -c '"msg": "hello"' "$log")" -eq "$n" ] && ok || bad "--direct said hello"

# 4. a local mailslot takes network writes through the daemon too.
listen_bg "$tmp/l4" '\\.\mailslot\jobs' --data --count 2 --timeout 10
created 1 '\\\\MAILSLOT\\\\jobs' && ok || bad "local mailslot not registered"
expect 0 "" -- "$cli" send -q --to '\\.' --slot '\MAILSLOT\jobs' --data by-socket
peer '\MAILSLOT\JOBS' by-lan
wait "$lpid" && ok || bad "local listen exit: $(cat "$tmp/l4.err")"
grep -q 'local \\MAILSLOT\\jobs 9 octets: "by-socket"' "$tmp/l4" && ok || bad "local line: $(cat "$tmp/l4")"
grep -q '127.0.0.1:[0-9]* -> 127.0.0.1:'"$U"' DIRECT_UNIQUE PEER<00> .*JOBS 6 octets' "$tmp/l4" && ok ||
    bad "network line: $(cat "$tmp/l4")"

# 5. send hands the datagram over; the daemon sends it on.
listen_bg "$tmp/l5" --direct --bind 127.0.0.1 --port "$V" --count 1 --timeout 10
wait_udp "$V" && ok || bad "the direct listener did not bind $V"
# --from ME: not one of the host's names, so it goes as the host's.
expect 0 "FAKEHOST<00> -> SERVER<00> .* sent through mailslotd to 127.0.0.1:$V from port 138\$" -- \
    "$cli" send --to 127.0.0.1 --port "$V" --name 'SERVER<00>' --from ME --slot '\MAILSLOT\fwd' \
    --data via-daemon
wait "$lpid" && ok || bad "forwarded listen exit: $(cat "$tmp/l5.err")"
grep -q "127.0.0.1:$U -> 127.0.0.1:$V DIRECT_UNIQUE FAKEHOST<00> -> SERVER<00> .*fwd 10 octets" \
    "$tmp/l5" && ok || bad "forwarded: $(cat "$tmp/l5")"
grep -q '"dst_port": '"$V"'.*"msg": "send".*"src_name": "ME<00>"' "$log" && ok ||
    bad "SEND fields: $(grep send "$log" | cut -c1-300)"
n=$(grep -c '"msg": "hello"' "$log")
expect 0 "from port [0-9]+\$" -- "$cli" send --direct --to 127.0.0.1 --port "$V" --name 'X<00>' \
    --slot '\MAILSLOT\fwd' --data direct
[ "$(grep -c '"msg": "hello"' "$log")" -eq "$n" ] && ok || bad "send --direct said hello"
stop_fake

# 6. send --wait: NETLOGON replies to the reply mailslot it creates,
# browser replies by Token (the fake replays them after each SEND).
"$cli" send -q -w "$tmp/r1.pcap" --to 127.0.0.1 --name 'WKS12<00>' --from PDC \
    --slot '\MAILSLOT\NET\GETDC123' \
    --hex 0c005044433100005000440043003100000044004f004d00000001000000ffffffff
"$cli" send -q -w "$tmp/r2.pcap" --to 127.0.0.1 --name 'FAKEHOST<00>' --from PDC \
    --slot '\MAILSLOT\BROWSE' --hex 0a01040302015045455200
start_fake --replay-pcap "$tmp/r1.pcap" --replay-pcap "$tmp/r2.pcap"
expect 0 "replies to \\\\MAILSLOT\\\\NET\\\\GETDC123" -- "$cli" send --to 127.0.0.1 --port "$V" \
    --name 'PDC<1b>' --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQ" --wait 1
grep -q 'PDC<00> -> WKS12<00> \\MAILSLOT\\NET\\GETDC123 LOGON_PRIMARY_RESPONSE PDC PDC1' "$tmp/out" &&
    ok || bad "NETLOGON reply: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "only the reply expected: $(cat "$tmp/out")"
grep -q '"mode": 0, "msg": "create", "queue_max": 64, "slot": "\\\\MAILSLOT\\\\NET\\\\GETDC123"' "$log" &&
    ok || bad "reply mailslot not created"
expect 0 "" -- "$cli" send --to 127.0.0.1 --port "$V" --name 'WORKGROUP<1d>' \
    --slot '\MAILSLOT\BROWSE' --hex 090404030201 --wait 1 --json
grep -q '"browser":{"command":10,"count":1,"token":16909060,"names":\["PEER"\]' "$tmp/out" && ok ||
    bad "browser reply: $(cat "$tmp/out")"
grep -q '"msg": "send".*"token": 16909060' "$log" && ok || bad "TOKEN not sent"
# GETDC123 taken by a listener: send names a fresh one; the reply to 123
# goes to the listener, not to send.
listen_bg "$tmp/l6" --slot '\MAILSLOT\NET\GETDC123' --count 1 --timeout 10
created 2 '\\\\MAILSLOT\\\\NET\\\\GETDC123' && ok || bad "listener did not create GETDC123"
expect 0 "replies to \\\\MAILSLOT\\\\NET\\\\GETDC[0-9A-F]{8}," -- "$cli" send --to 127.0.0.1 \
    --port "$V" --name 'PDC<1b>' --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQ" --wait 1
[ ! -s "$tmp/out" ] && ok || bad "send got the listener's reply: $(cat "$tmp/out")"
wait "$lpid" && ok || bad "GETDC123 listener exit: $(cat "$tmp/l6.err")"
grep -q 'LOGON_PRIMARY_RESPONSE' "$tmp/l6" && ok || bad "listener missed its reply"
expect 0 "--wait shows replies to a NETLOGON request or a GetBackupListRequest only" -- \
    "$cli" send --to 127.0.0.1 --port "$V" --name 'X<00>' --slot '\MAILSLOT\x' --data a --wait 0.2
# send --json --wait: the frames go as they are; the reply mailslot the
# NETLOGON request names is created under that very name, the browser
# request's Token goes with its SEND: both replies come back.
"$cli" send -q -w "$tmp/q1.pcap" --to 127.0.0.1 --name 'PDC<1b>' --from WKS12 \
    --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQ"
"$cli" send -q -w "$tmp/q2.pcap" --to 127.0.0.1 --name 'WORKGROUP<1d>' --from WKS12 \
    --slot '\MAILSLOT\BROWSE' --hex 090404030201
for f in q1 q2; do "$cli" decode --json -q "$tmp/$f.pcap"; done |
    python3 -c 'import json, sys
for l in sys.stdin:
    o = json.loads(l); o.pop("payload", None); print(json.dumps(o))' >"$tmp/q.json"
expect 0 "through mailslotd" -- "$cli" send --json --to 127.0.0.1 --port "$V" --file "$tmp/q.json" --wait 1
created 3 '\\\\MAILSLOT\\\\NET\\\\GETDC123' && ok || bad "send --json: reply mailslot not created"
grep -q '"mailslot":{"name":"\\\\MAILSLOT\\\\NET\\\\GETDC123".*"command":12' "$tmp/out" && ok ||
    bad "send --json: NETLOGON reply: $(cat "$tmp/out")"
grep -q '"browser":{"command":10,"count":1,"token":16909060' "$tmp/out" && ok ||
    bad "send --json: browser reply: $(cat "$tmp/out")"
# ... and refused, nothing sent, when another program holds that mailslot.
listen_bg "$tmp/l6b" --slot '\MAILSLOT\NET\GETDC123' --count 1 --timeout 3
created 4 '\\\\MAILSLOT\\\\NET\\\\GETDC123' && ok || bad "listener did not create GETDC123"
n=$(grep -c '"msg": "send"' "$log")
expect 4 "the reply mailslot .*GETDC123 the request names is another program's" -- \
    "$cli" send --json --to 127.0.0.1 --port "$V" --file "$tmp/q.json" --wait 0.2
[ "$(grep -c '"msg": "send"' "$log")" -eq "$n" ] && ok || bad "send --json sent with the reply mailslot taken"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null

# 7. the daemon restarts under a running listen: it re-attaches, its
# mailslot registered again, and messages flow again.
listen_bg "$tmp/l7" --slot '\MAILSLOT\re' --count 2 --timeout 20 --stats
created 1 '\\\\MAILSLOT\\\\re' && ok || bad "no CREATE of re"
peer '\MAILSLOT\re' before
stop_fake
sleep 0.3
start_fake
created 2 '\\\\MAILSLOT\\\\re' && ok || bad "not registered again: $(cat "$tmp/l7.err")"
peer '\MAILSLOT\re' after
wait "$lpid" && ok || bad "restart listen exit: $(cat "$tmp/l7.err")"
grep -q 're 6 octets' "$tmp/l7" && grep -q 're 5 octets' "$tmp/l7" && ok ||
    bad "restart output: $(cat "$tmp/l7")"
grep -q 'mailslotd closed the connection; re-attaching' "$tmp/l7.err" && ok ||
    bad "no detach line: $(cat "$tmp/l7.err")"
grep -q 'attached to mailslotd at .* again, 1 mailslot registered' "$tmp/l7.err" && ok ||
    bad "no attach line: $(cat "$tmp/l7.err")"
grep -q 'mailslotd: 2 delivered.*1 detaches' "$tmp/l7.err" && ok || bad "stats: $(cat "$tmp/l7.err")"
stop_fake

# 8. a stalled daemon and one that answers garbage: an error, not a hang.
start_fake --stall
t0=$SECONDS
expect 4 "did not answer HELLO within 3000 ms; --direct listens without it" -- \
    "$cli" listen --timeout 10
expect 4 "did not answer .*; --direct sends without it" -- "$cli" send --to 127.0.0.1 \
    --name 'X<00>' --slot '\MAILSLOT\x' --data a
((SECONDS - t0 <= 9)) && ok || bad "stalled daemon took $((SECONDS - t0)) s"
stop_fake
start_fake --deny-monitors
expect 4 "refused the monitor: a monitor sees every mailslot's messages: root only; name mailslots with --slot, or --direct" -- \
    "$cli" listen --timeout 1
stop_fake
start_fake --garbage
expect 4 "answered HELLO with a packet we cannot read" -- "$cli" listen --timeout 10
stop_fake
# No daemon at all: the old way, quietly.
expect 1 "listen timed out" -- "$cli" listen --bind 127.0.0.1 --port "$V" --timeout 0.3
! grep -q mailslotd "$tmp/err" && ok || bad "mentions mailslotd: $(cat "$tmp/err")"

finish
