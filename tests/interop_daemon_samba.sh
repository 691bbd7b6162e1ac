#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mailslotd beside Samba, in namespaces (about 25 s): host A runs Samba's
# nmbd (SAMBAA, alias ALIASA, workgroup MSLAB, a PDC: domain logons = yes;
# its socket directory, lock and state directories in the work directory)
# AND `mailslotd -F` (its own $MAILSLOTD_DIR; started as root, running as
# nobody) with `nmbd_socket_dir` naming nmbd's socket directory. Host B
# is the peer.
#   - mailslotd finds UDP 138 held by nmbd and runs beside it: one log
#     line; it binds neither 137 nor 138 (ss), registers no name, STATUS
#     says mode beside_nmbd, connected, nmbd's names (node status);
#   - `mailslot listen --slot custom` on A as nobody (through the daemon)
#     receives B's unicast writes to \\SAMBAA\mailslot\custom (B resolves
#     SAMBAA by broadcast: nmbd answers) and to \\ALIASA\mailslot\CUSTOM
#     (another case), with the data and B's address and name, VIA nmbd;
#     a write to a name that is not nmbd's is counted, not delivered;
#   - meanwhile nmbd still answers B's NETLOGON LOGON_PRIMARY_QUERY;
#   - a program on A sends through the daemon: the datagram leaves A from
#     the daemon's unprivileged port, not 138 (B's listen sees it); and
#     `send --wait` (a LOGON_PRIMARY_QUERY to B, which answers to A:138 on
#     the request's reply mailslot) gets the reply through nmbd's socket;
#   - nmbd restarts: the daemon connects again (one line each way) and
#     writes from B reach the program again;
#   - SIGTERM: exit 0.
# Needs root, ip netns, unshare, setpriv, nmbd, jq; skips (77) otherwise,
# or fails under MAILSLOT_REQUIRE_ALL. KEEP_WORK=1 keeps the work directory.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need jq "jq is not installed"
need unshare "unshare (util-linux) is not installed"
need setpriv "setpriv (util-linux) is not installed"
it_require_cli send listen status
[[ -x $mailslotd ]] || skip "no mailslotd at $mailslotd"
MAILSLOTD=$(realpath "$mailslotd")
"$MAILSLOTD" --help | grep -q -- --nmbd-socket-dir || skip "mailslotd has no --nmbd-socket-dir"

it_init interop_daemon_samba
W=$IT_WORK
NS_A=ms-dsa-$$
NS_B=ms-dsb-$$
IF_A=dsa$$
IF_B=dsb$$
A_IP=192.0.2.1
B_IP=192.0.2.2
RUN=$W/a-run
SOCKDIR=$W/sock
IT_NB_NAME=SAMBAA
IT_NMBD_EXTRA="    netbios aliases = ALIASA
    nmbd:socket dir = $SOCKDIR
    server role = classic primary domain controller
    domain logons = yes
    domain master = yes"

it_pair "$NS_A" "$IF_A" "$A_IP" "$NS_B" "$IF_B" "$B_IP" || exit 1
if ! it_nmbd_start "$NS_A" "$IF_A"; then
    it_fail "nmbd starts on A" "see above"
    it_finish
fi
NMBD1=$IT_NMBD_PID
# nmbd keeps NETLOGON to its names only once they are registered.
it_wait_grep "$IT_NMBD_LOG" "success in registering name SAMBAA<00>" 20 "$NMBD1" ||
    it_log "nmbd did not log registering SAMBAA<00>"
it_wait_grep "$IT_NMBD_LOG" "success in registering name ALIASA<00>" 10 "$NMBD1" ||
    it_log "nmbd did not log registering ALIASA<00>"

mkdir -p "$RUN"
chown nobody "$RUN"
chmod 755 "$RUN"
CONF=$W/mailslotd.conf
printf 'workgroup = MSLAB\ninterface = %s\nuser = nobody\nnmbd_socket_dir = %s\n' "$IF_A" "$SOCKDIR" >"$CONF"
chmod 644 "$CONF"

# mailslotd -F on A as host sambaa (a UTS namespace of its own); log in
# $W/TAG.err, PID in DPID; bounded wait for its "ready" line.
daemon() {
    local tag=$1
    it_bg "$NS_A" "$W/$tag.out" "$W/$tag.err" env MAILSLOTD_DIR="$RUN" unshare --uts \
        /bin/sh -c 'hostname sambaa && exec "$0" "$@"' "$MAILSLOTD" -F -c "$CONF"
    DPID=$IT_BG_PID
    it_wait_grep "$W/$tag.err" "ready" 15 "$DPID"
}
as_nobody() { # OUT ERR ARGS...: a program on A as nobody, in the background
    local out=$1 err=$2
    shift 2
    it_bg "$NS_A" "$out" "$err" env MAILSLOTD_DIR="$RUN" setpriv --reuid=65534 --regid=65534 \
        --clear-groups "$@"
}
status_a() {
    it_run "$NS_A" 10 env MAILSLOTD_DIR="$RUN" "$IT_CLI" status --json >"$W/status.json" 2>"$W/status.err"
}
jq_a() { jq -r "$1" "$W/status.json" 2>/dev/null; }
send_b() { it_run "$NS_B" 20 "$IT_CLI" send -i "$IF_B" --from PEERB "$@"; }
asc() { printf '%s' "$1" | od -v -An -tx1 | tr -d ' \n'; }
hex16() { printf '%s' "$1" | iconv -t UTF-16LE | od -v -An -tx1 | tr -d ' \n'; }
# got FILE TEXT: listen --json lines with data TEXT (hex)
got() { jq -c --arg d "$(asc "$2")" 'select(.mailslot.data == $d)' "$1" 2>/dev/null | wc -l; }
wait_got() { # FILE TEXT SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        (($(got "$1" "$2") >= 1)) && return 0
        sleep 0.1
    done
    return 1
}

# ------------------------------------------------ start beside nmbd
t0=$(date +%s.%N)
if daemon d1 && grep -q "ready beside nmbd" "$W/d1.err"; then
    it_pass "mailslotd starts beside nmbd" "$(it_since "$t0") s; $(grep -m1 'beside nmbd:' "$W/d1.err")"
else
    it_fail "mailslotd beside nmbd did not become ready" "$(tail -5 "$W/d1.err")"
    it_finish
fi
grep -q "beside nmbd: UDP 138 is held by nmbd (pid $NMBD1)" "$W/d1.err" &&
    it_pass "one log line says why: UDP 138 is held by nmbd (pid $NMBD1)" ||
    it_fail "the beside-nmbd log line" "$(grep -m3 -E 'beside|held' "$W/d1.err")"
ports=$(ip netns exec "$NS_A" ss -Hulnp 2>/dev/null | grep "pid=$DPID," | awk '{print $4}' | tr '\n' ' ')
if [[ -n $ports && ! $ports =~ :13[78]\  ]]; then
    it_pass "mailslotd binds neither 137 nor 138" "its UDP: $ports"
else
    it_fail "mailslotd's ports" "'$ports'"
fi
# nmbd's names come by node status within a few seconds (2 s ticks).
for ((i = 0; i < 60; i++)); do
    status_a
    [[ $(jq_a '[.names[].name] | index("ALIASA<00>")') != null ]] && break
    sleep 0.2
done
DPORT=$(jq_a .daemon.port)
names=$(jq_a '[.names[] | "\(.name)/\(.state)"] | sort | join(" ")')
if [[ $(jq_a .daemon.mode) == beside_nmbd && $(jq_a .daemon.nmbd_connected) == true &&
    $(jq_a .daemon.nmbd_socket) == "$SOCKDIR/unexpected" && $(jq_a .daemon.uid) == 65534 &&
    $names == *SAMBAA\<00\>/nmbd* && $names == *ALIASA\<00\>/nmbd* && $names == *MSLAB\<00\>/nmbd* &&
    $DPORT -ge 1024 && $(jq_a .daemon.host) == SAMBAA ]]; then
    it_pass "STATUS: beside_nmbd, connected to $SOCKDIR/unexpected, as nobody, nmbd's names, port $DPORT"
else
    it_fail "STATUS beside nmbd" "$(head -c 700 "$W/status.json")"
fi
it_run "$NS_A" 10 env MAILSLOTD_DIR="$RUN" "$IT_CLI" status >"$W/status.txt" 2>&1
grep -q "beside nmbd: receiving through $SOCKDIR/unexpected (connected)" "$W/status.txt" &&
    it_pass "mailslot status says the mode" "$(grep -m1 'beside nmbd' "$W/status.txt")" ||
    it_fail "mailslot status text" "$(head -3 "$W/status.txt")"

# A socket that answers in another layout (here: not the octet 0) while
# nmbd holds the port: a second mailslotd refuses in one line, exit 1.
mkdir -p "$W/fake" "$W/run2"
chmod 755 "$W/fake" "$W/run2"
it_bg "$NS_A" /dev/null "$W/fake.err" "$IT_PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
s.settimeout(20)
c, _ = s.accept()
c.recv(64)
c.send(b"\x01")
time.sleep(2)' "$W/fake/unexpected"
FAKE=$IT_BG_PID
for ((i = 0; i < 50; i++)); do [[ -S $W/fake/unexpected ]] && break; sleep 0.1; done
it_run "$NS_A" 10 env MAILSLOTD_DIR="$W/run2" "$MAILSLOTD" -F --nmbd-socket-dir "$W/fake" \
    -i "$IF_A" >/dev/null 2>"$W/d2.err"
rc=$?
if [[ $rc == 1 && $(wc -l <"$W/d2.err") == 1 ]] && grep -q "UDP 138 is held by nmbd (pid $NMBD1); nmbd's socket $W/fake/unexpected: .*not recognised" "$W/d2.err"; then
    it_pass "a socket in another layout: mailslotd refuses in one line, exit 1" "$(cut -c1-160 "$W/d2.err")"
else
    it_fail "refusal on a foreign layout" "exit $rc: $(cat "$W/d2.err")"
fi
it_stop_pid "$FAKE"

# ------------------------------------------------ B's writes to the program
as_nobody "$W/l1.out" "$W/l1.err" "$IT_CLI" listen --slot '\MAILSLOT\custom' --json --timeout 80
L1=$IT_BG_PID
it_wait_grep "$W/l1.err" "mailslotd" 5 "$L1" || it_log "listen said nothing of mailslotd: $(cat "$W/l1.err")"
t0=$(date +%s.%N)
send_b -q --to '\\SAMBAA' --slot '\MAILSLOT\custom' --data to-samba
send_b -q --to '\\ALIASA' --slot '\mailslot\CUSTOM' --data to-alias
send_b -q --to "$A_IP" --name 'NOTNMBD<00>' --slot '\MAILSLOT\custom' --data not-ours
if wait_got "$W/l1.out" to-samba 5 && wait_got "$W/l1.out" to-alias 5; then
    it_pass "B's unicast writes to \\\\SAMBAA\\mailslot\\custom and \\\\ALIASA\\mailslot\\CUSTOM reach listen on A (nobody) through nmbd and mailslotd" "$(it_since "$t0") s"
else
    it_fail "B's writes through nmbd" "$(head -c 600 "$W/l1.out"); $(tail -3 "$W/l1.err")"
fi
line=$(jq -c --arg d "$(asc to-samba)" 'select(.mailslot.data == $d)' "$W/l1.out" | head -1)
if jq -e --arg b "$B_IP" '.ip.src == $b and (.nbdgm.src_name | startswith("PEERB")) and
    (.nbdgm.dst_name | startswith("SAMBAA"))' <<<"$line" >/dev/null; then
    it_pass "the message carries B's address and name"
else
    it_fail "sender of the message" "$line"
fi
status_a
if (($(got "$W/l1.out" not-ours) == 0 && $(jq_a .counters.not_ours) >= 1 &&
    $(jq_a .counters.via_nmbd) >= 2 && $(jq_a .counters.delivered) >= 2)); then
    it_pass "a write to a name that is not nmbd's: counted (not_ours), not delivered; via_nmbd $(jq_a .counters.via_nmbd)"
else
    it_fail "not_ours / via_nmbd" "$(jq -c .counters "$W/status.json" | head -c 400)"
fi

# ------------------------------------------------ nmbd keeps NETLOGON
PQ=0700$(asc PEERB)00$(asc '\MAILSLOT\NET\GETDC123')00$(hex16 PEERB)00000b000000ffffffff
out=$(send_b --to "$A_IP" --name 'SAMBAA<00>' --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQ" --wait 3 --json 2>&1)
if grep -E '"command": ?12\b' <<<"$out" | grep -q SAMBAA; then
    it_pass "nmbd still answers B's NETLOGON LOGON_PRIMARY_QUERY"
else
    it_fail "nmbd answers B's NETLOGON query" "$(head -c 400 <<<"$out")"
fi

# ------------------------------------------------ sending through the daemon
it_bg "$NS_B" "$W/lb.out" "$W/lb.err" "$IT_CLI" listen -i "$IF_B" --json --timeout 40
LB=$IT_BG_PID
it_wait_udp "$NS_B" 138 "$LB" 5 || it_log "listen on B did not bind 138"
as_nobody "$W/sa.out" "$W/sa.err" "$IT_CLI" send --to "$B_IP" --name 'PEERB<00>' \
    --slot '\MAILSLOT\froma' --data from-a
it_wait_pid "$IT_BG_PID" 10
if wait_got "$W/lb.out" from-a 5 &&
    jq -e --arg a "$A_IP" --argjson p "$DPORT" 'select(.mailslot.data != null) | select(.ip.src == $a) |
        .udp.srcport == $p and .nbdgm.src_port == $p' "$W/lb.out" >/dev/null &&
    grep -q "sent through mailslotd to $B_IP:138 from port $DPORT" "$W/sa.out" "$W/sa.err"; then
    it_pass "a program on A sends through mailslotd: it leaves from UDP $DPORT (unprivileged), not 138"
else
    it_fail "send through the daemon" "$(cat "$W/sa.out" "$W/sa.err" | head -c 300); B saw: $(head -c 400 "$W/lb.out")"
fi
# send --wait: a LOGON_PRIMARY_QUERY to B; B answers to A:138 on the reply
# mailslot the request names: through nmbd's socket to the program.
via0=$(jq_a .counters.via_nmbd)
PQA=0700$(asc SAMBAA)00$(asc '\MAILSLOT\NET\GETDC777')00$(hex16 SAMBAA)00000b000000ffffffff
as_nobody "$W/sw.out" "$W/sw.err" "$IT_CLI" send --to "$B_IP" --name 'PEERB<00>' \
    --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQA" --wait 8 --json
SW=$IT_BG_PID
reply_slot=""
for ((i = 0; i < 50; i++)); do
    reply_slot=$(jq -r 'select(.netlogon.command == 7) | .netlogon.mailslot_name // empty' "$W/lb.out" 2>/dev/null | tail -1)
    [[ -n $reply_slot ]] && break
    sleep 0.1
done
if [[ -n $reply_slot ]]; then
    PR=0c00$(asc PEERB)00$(hex16 PEERB)0000$(hex16 MSLAB)000001000000ffffffff
    send_b -q --to '\\SAMBAA' --slot "$reply_slot" --hex "$PR"
fi
it_wait_pid "$SW" 12
status_a
if [[ -n $reply_slot ]] && grep -E '"command": ?12\b' "$W/sw.out" | grep -q PEERB &&
    (($(jq_a .counters.via_nmbd) > via0)); then
    it_pass "send --wait through mailslotd: B's answer to A:138 on $reply_slot comes back through nmbd's socket"
else
    it_fail "send --wait reply through nmbd" "slot '$reply_slot'; $(head -c 400 "$W/sw.out") $(head -c 200 "$W/sw.err")"
fi

# ------------------------------------------------ nmbd restarts
t0=$(date +%s.%N)
lines0=$(wc -l <"$IT_NMBD_LOG")
it_stop_pid "$NMBD1"
it_wait_grep "$W/d1.err" "nmbd closed its unexpected-packet socket" 5 "$DPID" ||
    it_log "no 'closed' line"
it_nmbd_start "$NS_A" "$IF_A" || it_log "nmbd did not start again"
for ((i = 0; i < 200; i++)); do   # its names again (the log goes on in the same file)
    tail -n +"$((lines0 + 1))" "$IT_NMBD_LOG" | grep -q "success in registering name SAMBAA<00>" && break
    sleep 0.1
done
if it_wait_grep "$W/d1.err" "answers again" 10 "$DPID"; then
    send_b -q --to '\\SAMBAA' --slot '\MAILSLOT\custom' --data after-restart
    if wait_got "$W/l1.out" after-restart 5; then
        it_pass "nmbd restarts: mailslotd connects again (one line each way); writes arrive again" "$(it_since "$t0") s"
    else
        it_fail "after nmbd's restart" "no delivery"
    fi
else
    it_fail "nmbd restart" "$(tail -3 "$W/d1.err")"
fi

# ------------------------------------------------ stop
kill -TERM "$DPID"
it_wait_pid "$DPID" 10
[[ $IT_RC == 0 ]] && it_pass "SIGTERM: exit 0" || it_fail "SIGTERM" "exit $IT_RC: $(tail -2 "$W/d1.err")"
for p in "$L1" "$LB"; do it_stop_pid "$p"; done
it_finish
