#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `send` takes no datagram another program on its host should get (issue
# 13, point 6), live with Samba nmbd (~45 s, most of it nmbd becoming
# local master browser). Two namespaces joined by a veth pair: N at
# 192.0.2.10 runs nmbd (LABPEER, workgroup MSLAB, holds 138), P at
# 192.0.2.20 is PEERHOST. Counts are exact: 50 of 50.
#   1. P runs `listen`; N sends 50 writes to it (unicast) while P runs
#      `send` again and again and a `send --wait` lasting the whole time:
#      the listener prints 50/50. Again with the listener started after
#      the `send --wait` began (it must be able to bind 138 at all).
#   2. N, where nmbd holds 138, runs `send --wait` and repeated `send`s;
#      P sends 50 GetBackupListRequests to nmbd: 50 answers come back (nmbd
#      got every request). `send --sport 138` on N fails naming nmbd.
#   3. P sends 50 GetBackupListRequests to nmbd with one `send --repeat 50
#      --wait`: it prints 50 GetBackupListResponses (a) from port 138
#      through a raw socket while a `listen` on P holds 138 — the listener
#      gets the 50 responses too, and 50 writes N sends it meanwhile; a
#      broadcast request prints responses and not our own request; (b)
#      without CAP_NET_RAW, from an ephemeral port. The UDP checksums of
#      what P sent from 138 are checked by tshark on a capture.
# Needs root, ip netns, nmbd, dumpcap/tshark, setpriv; skips (exit 77)
# otherwise, or fails when MAILSLOT_REQUIRE_ALL is set. KEEP_WORK=1 keeps
# the work directory.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need dumpcap "dumpcap (tshark) is not installed"
need tshark
need setpriv "setpriv (util-linux) is not installed"
it_require_cli send listen

it_init interop_send_ports
W=$IT_WORK
NS_N=ms-spn-$$
NS_P=ms-spp-$$
IF_N=spn$$
IF_P=spp$$
N_IP=192.0.2.10
P_IP=192.0.2.20
FROM=PEERHOST
COUNT=50
J=("$IT_PY" "$IT_PYDIR/interop_json.py")
jcount() { "${J[@]}" count "$@" 2>/dev/null || echo 0; }

# wait_count FILE WANT SECONDS KEY=VALUE...: bounded wait until FILE has
# WANT matching objects; the count found in GOT.
wait_count() {
    local f=$1 want=$2 secs=$3 i
    shift 3
    for ((i = 0; i < secs * 5; i++)); do
        GOT=$(jcount "$f" "$@")
        ((GOT >= want)) && return 0
        sleep 0.2
    done
    return 1
}

# ms NS ARGS...: the CLI in namespace NS.
ms() {
    local ns=$1
    shift
    ip netns exec "$ns" "$IT_CLI" "$@"
}

it_pair "$NS_N" "$IF_N" "$N_IP" "$NS_P" "$IF_P" "$P_IP" || exit 1
it_dumpcap "$NS_P" "$IF_P" "$W/p.pcapng" || exit 1
DUMP_PID=$IT_BG_PID
if ! it_nmbd_start "$NS_N" "$IF_N"; then
    it_fail "nmbd starts" "see above"
    it_finish
fi

# listener NS NAME: `listen --json` in NS holding 138, PID in LPID; its
# output in $W/NAME.json.
listener() {
    it_bg "$1" "$W/$2.json" "$W/$2.err" "$IT_CLI" listen --json --timeout 60 --count 100000
    LPID=$IT_BG_PID
    it_wait_udp "$1" 138 "$LPID" 10
}

# noise NS DST SECONDS: in NS, `send` to DST without --wait, again and
# again (every 0.1 s, at most 10 per second) for SECONDS; PID in NPID.
noise() {
    local n=$(($3 * 10))
    # shellcheck disable=SC2016  # expanded by the inner bash
    it_bg "$1" "$W/noise.out" "$W/noise.err" bash -c \
        'for ((i = 0; i < $1; i++)); do "$2" send -q --to "$3" --name "OTHER<00>" \
             --slot "\\MAILSLOT\\NOISE" --data "noise $i" || exit 1; sleep 0.1; done' \
        noise "$n" "$IT_CLI" "$2"
    NPID=$IT_BG_PID
}

# waiter NS DST SECONDS NAME: `send --wait SECONDS` in NS (a request to DST
# nobody answers); PID in WPID, what it printed in $W/NAME.json.
waiter() {
    it_bg "$1" "$W/$4.json" "$W/$4.err" "$IT_CLI" send --json --to "$2" --name "OTHER<00>" \
        --slot '\MAILSLOT\WAITER' --data wait --wait "$3"
    WPID=$IT_BG_PID
}

# writes NS DST SLOT: 50 writes to DST's 138, 40 ms apart (one process).
writes() {
    it_run "$1" 20 "$IT_CLI" send -q --to "$2" --name "$FROM<00>" --slot "$3" --data "$3" \
        --repeat "$COUNT" --interval 40 >>"$W/writes.log" 2>&1
}

# ------------------------------------------------ 1. a listener beside send
# (while nmbd, started above, becomes local master browser)
case1() {   # NAME LATE: LATE=1 starts the listener after the send --wait
    local name=$1 late=$2 slot="\\MAILSLOT\\CASE1\\$1" t0 ok=1
    t0=$(date +%s.%N)
    ((late)) || listener "$NS_P" "l1$name" || ok=0
    waiter "$NS_P" "$N_IP" 6 "w1$name"
    noise "$NS_P" "$N_IP" 5
    sleep 0.5
    if ((late)); then listener "$NS_P" "l1$name" || ok=0; fi
    if ((!ok)); then
        it_fail "case 1$name: listen binds 138 beside send" "$(head -c 300 "$W/l1$name.err")"
        return
    fi
    writes "$NS_N" "$P_IP" "$slot"
    wait_count "$W/l1$name.json" "$COUNT" 3 mailslot.name="$slot" || true
    local got=$GOT
    it_wait_pid "$WPID" 8
    local wrc=$IT_RC copies
    copies=$(jcount "$W/w1$name.json" mailslot.name="$slot")
    it_wait_pid "$NPID" 8
    local nrc=$IT_RC
    it_stop_pid "$LPID" TERM
    if ((got == COUNT && wrc == 0 && nrc == 0)); then
        it_pass "case 1$name: listen gets $got/$COUNT while send runs ($( ((late)) && echo "listener started after send --wait; ")send --wait showed $copies copies)" \
            "$(it_since "$t0") s"
    else
        it_fail "case 1$name: listen gets every datagram while send runs" \
            "listener $got/$COUNT, send --wait exit $wrc, repeated send exit $nrc: $(head -c 200 "$W/noise.err")"
    fi
}
case1 a 0
case1 b 1

# ------------------------------------------------ 2. nmbd beside send
if ! it_nmbd_wait_master 60; then
    it_fail "nmbd becomes local master browser" "not within 60 s"
    it_finish
fi
it_pass "nmbd becomes local master browser" "$(it_nmbd_since) s after its start"

# GetBackupListRequest: opcode 9, count 4, token 1.
GBL_HEX=090401000000
GBL_PRE=()
# gbl NS OUT TO [OPTION...]: COUNT GetBackupListRequests from NS to TO
# (MSLAB<1d>, group), one `send` 50 ms apart with --wait 3 --json and the
# options given, prefixed by the command in GBL_PRE; output in OUT(.err).
gbl() {
    local ns=$1 out=$2 to=$3
    shift 3
    it_run "$ns" 30 "${GBL_PRE[@]}" "$IT_CLI" send --from "$FROM" --to "$to" --name "MSLAB<1d>" \
        --type group --slot '\MAILSLOT\BROWSE' --hex "$GBL_HEX" --repeat "$COUNT" \
        --interval 50 --wait 3 --json "$@" >"$out" 2>"$out.err"
}
RESP=(browser.command=10 nbdgm.src_name='LABPEER<00>')

t0=$(date +%s.%N)
waiter "$NS_N" "$P_IP" 8 w2
noise "$NS_N" "$P_IP" 6
sleep 0.3
# From an ephemeral port: what P prints depends only on what nmbd got.
gbl "$NS_P" "$W/gbl2.json" "$N_IP" --sport ephemeral
got=$(jcount "$W/gbl2.json" "${RESP[@]}")
it_wait_pid "$WPID" 10
wrc=$IT_RC
it_wait_pid "$NPID" 10
nrc=$IT_RC
if ((got == COUNT && wrc == 0 && nrc == 0)); then
    it_pass "case 2: nmbd answers $got/$COUNT GetBackupListRequests while send (--wait and repeated) runs beside it" \
        "$(it_since "$t0") s"
else
    it_fail "case 2: nmbd answers every request while send runs beside it" \
        "$got/$COUNT answers, send --wait exit $wrc, repeated send exit $nrc: $(head -c 300 "$W/gbl2.json.err")"
fi

# --sport 138 beside nmbd: refused, naming it (as /proc in N shows it).
rc=0
ms "$NS_N" send --sport 138 --to "$P_IP" --name "$FROM<00>" --slot '\MAILSLOT\X' --data x \
    >"$W/sport.out" 2>&1 || rc=$?
if ((rc == 4)) && grep -qE "port 138 is in use by nmbd \\(pid $IT_NMBD_PID\\)" "$W/sport.out"; then
    it_pass "case 2: send --sport 138 beside nmbd fails naming it" "$(head -n 1 "$W/sport.out")"
else
    it_fail "case 2: send --sport 138 beside nmbd fails naming it" \
        "exit $rc (nmbd is PID $IT_NMBD_PID): $(head -c 300 "$W/sport.out")"
fi

# ------------------------------------------------ 3. send --wait prints replies
# (a) from 138 through a raw socket, while a listener on P holds 138.
t0=$(date +%s.%N)
if ! listener "$NS_P" l3; then
    it_fail "case 3a: listen binds 138" "$(head -c 300 "$W/l3.err")"
    it_finish
fi
L3=$LPID
it_bg "$NS_N" /dev/null "$W/w3.err" "$IT_CLI" send -q --to "$P_IP" --name "$FROM<00>" \
    --slot '\MAILSLOT\CASE3' --data case3 --repeat "$COUNT" --interval 40
W3=$IT_BG_PID
gbl "$NS_P" "$W/gbl3.json" "$N_IP"
got=$(jcount "$W/gbl3.json" "${RESP[@]}" udp.dstport=138)
it_wait_pid "$W3" 10
w3rc=$IT_RC
wait_count "$W/l3.json" "$COUNT" 3 mailslot.name='\MAILSLOT\CASE3' || true
l3w=$GOT
l3r=$(jcount "$W/l3.json" "${RESP[@]}")
if ((got == COUNT && l3w == COUNT && l3r == COUNT && w3rc == 0)); then
    it_pass "case 3a: send --wait from 138 (raw) prints $got/$COUNT GetBackupListResponses; the listener holding 138 gets them too ($l3r) and $l3w/$COUNT writes sent to it meanwhile" \
        "$(it_since "$t0") s"
else
    it_fail "case 3a: send --wait from 138 (raw) beside a listener" \
        "send printed $got/$COUNT responses to port 138; listener: $l3r responses, $l3w/$COUNT writes (sender exit $w3rc); $(head -c 300 "$W/gbl3.json.err")"
fi

# A broadcast request: nmbd's response, not our own request looped back.
t0=$(date +%s.%N)
rc=0
it_run "$NS_P" 10 "$IT_CLI" send --from "$FROM" --to "$IT_BCAST" --name "MSLAB<1d>" \
    --slot '\MAILSLOT\BROWSE' --hex 090402000000 --wait 2 --json >"$W/bc.json" 2>"$W/bc.err" || rc=$?
resp=$(jcount "$W/bc.json" "${RESP[@]}")
own=$(jcount "$W/bc.json" browser.command=9)
if ((rc == 0 && resp >= 1 && own == 0)); then
    it_pass "case 3a: broadcast request: send --wait prints the response ($resp), not its own request" \
        "$(it_since "$t0") s"
else
    it_fail "case 3a: broadcast request" "exit $rc, $resp responses, $own of our own requests: $(head -c 300 "$W/bc.err")"
fi

# (b) without CAP_NET_RAW: from an ephemeral port, said once on stderr.
t0=$(date +%s.%N)
before=$(jcount "$W/l3.json" "${RESP[@]}")
GBL_PRE=(setpriv --inh-caps=-net_raw --bounding-set=-net_raw --)
gbl "$NS_P" "$W/gbl3b.json" "$N_IP"
GBL_PRE=()
eport=$(sed -n 's/.*no CAP_NET_RAW.*sending from ephemeral port \([0-9]*\).*/\1/p' "$W/gbl3b.json.err")
notes=$(grep -c 'no CAP_NET_RAW' "$W/gbl3b.json.err")
sent=$(grep -c "from port ${eport:-none}\$" "$W/gbl3b.json.err")
got=$(jcount "$W/gbl3b.json" "${RESP[@]}" udp.dstport="${eport:-none}")
after=$(jcount "$W/l3.json" "${RESP[@]}")
if ((notes == 1 && sent == COUNT && got == COUNT && after == before)); then
    it_pass "case 3b: without CAP_NET_RAW send --wait sends $sent from ephemeral port $eport (said once) and prints $got/$COUNT responses to it" \
        "$(it_since "$t0") s"
else
    it_fail "case 3b: without CAP_NET_RAW" \
        "$notes notes, $sent/$COUNT sent from port '$eport', $got/$COUNT responses to it, listener got $((after - before)): $(head -c 300 "$W/gbl3b.json.err")"
fi
it_stop_pid "$L3" TERM

# ------------------------------------------------ checksums of the raw path
# Our UDP header and checksum, as the wire shows them: every datagram P
# sent from 138 (cases 1 and 3a) verifies.
sleep 0.5
it_stop_pid "$DUMP_PID" TERM
read -r good badsum < <(tshark -r "$W/p.pcapng" -o udp.check_checksum:TRUE \
    -Y "ip.src==$P_IP && udp.srcport==138" -T fields -e udp.checksum.status 2>/dev/null |
    awk '$1 == 1 {g++} $1 != 1 {b++} END {print g + 0, b + 0}')
if ((good >= 2 * COUNT && badsum == 0)); then
    it_pass "UDP checksums of the raw path verify (tshark)" "$good datagrams from $P_IP:138, none bad"
else
    it_fail "UDP checksums of the raw path verify (tshark)" "$good good, $badsum not good"
fi
it_finish
