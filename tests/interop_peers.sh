#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two hosts, our tools on both ends, no Samba (~20 s): `mailslot send` in one
# namespace (PEERHOST, 192.0.2.20 and .21), `mailslot listen` in the other
# (LISTENHOST, 192.0.2.30), a veth pair between them.
#   - every addressing mode: unique to an IP with --name, group to the
#     broadcast address, --type broadcast, \\HOST (resolved by NBNS against
#     `listen --register`), \\*, \\DOMAIN: delivered, and on the wire with
#     the message type, names and IP destination of PROTOCOL.md §5.3;
#   - message sizes 0, 1, 424 (group), 425 (refused for group unless
#     forced), the direct-write maximum (also with a 17-character slot-name
#     tail), nested slot names;
#   - a Windows client's view of the listener: a NetBIOS name query for its
#     --register name is answered (nmblookup and scapy as queriers), one for
#     another name is not, and another host's registration of the name is
#     refused (defended);
#   - duplicate suppression: the same datagram (source name, DGM_ID, slot
#     case-insensitively, data) within 2 s is printed once, also when the
#     copy comes from another address; a new DGM_ID or the window's end lets
#     it through; --stats counts the drops;
#   - the bounded queue (--queue 2 on a stopped --pcap listener): the oldest
#     kept, the newest dropped and counted;
#   - listen --pcap with --slot filters, --count, --timeout, --bind ADDR
#     (no broadcasts), -i IFACE (unicast and broadcasts);
#   - scapy parses every datagram our sender put on the wire, fields equal
#     to `mailslot decode --json`.
# Needs root, ip netns, dumpcap, tshark, python3-scapy; skips otherwise (or
# fails under MAILSLOT_REQUIRE_ALL). Sub-tests of options the CLI does not
# offer are skipped the same way. KEEP_WORK=1 keeps captures and output.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need dumpcap "dumpcap (tshark) is not installed"
need tshark
it_require_scapy
it_require_cli send listen

it_init interop_peers
W=$IT_WORK
NS_S=ms-its-$$
NS_R=ms-itr-$$
IF_S=its$$
IF_R=itr$$
S_IP=192.0.2.20
S_IP2=192.0.2.21
R_IP=192.0.2.30
BC=$IT_BCAST
WG=MSLAB
RNAME=LISTENHOST
FROM=PEERHOST
J=("$IT_PY" "$IT_PYDIR/interop_json.py")
U=("$IT_PY" "$IT_PYDIR/interop_udp.py")
FORCE=$(it_first_opt send --force-size --force --oversize --allow-oversize --no-size-check) || FORCE=""
HAS_REGISTER=0
it_has_opt listen --register && HAS_REGISTER=1
HAS_PCAP=0
it_has_opt listen --pcap && HAS_PCAP=1

it_pair "$NS_S" "$IF_S" "$S_IP" "$NS_R" "$IF_R" "$R_IP" || exit 1
ip -n "$NS_S" addr add "$S_IP2/$IT_PREFIX_LEN" broadcast "$BC" dev "$IF_S"
it_dumpcap "$NS_S" "$IF_S" "$W/wire.pcapng" || exit 1
DUMPCAP=$IT_BG_PID

jcount() { "${J[@]}" count "$@" 2>/dev/null || echo 0; }
hexof() { od -An -tx1 <"$1" | tr -d ' \n'; }

# pattern N: N octets of text in a file; path printed.
pattern() {
    local f=$W/data.$1
    [[ -f $f ]] || { yes 'mailslot-interop-0123456789' | tr -d '\n' | head -c "$1" >"$f"; }
    printf '%s\n' "$f"
}

# ------------------------------------------------ listeners
LR_ARGS=(listen --json --timeout 120 --count 1000)
((HAS_REGISTER)) && LR_ARGS+=(--register "$RNAME")
HAS_STATS=0
it_has_opt listen --stats && HAS_STATS=1 && LR_ARGS+=(--stats)
# Should the listener take only datagrams to its own names, tell it the workgroup.
it_has_opt listen --workgroup && LR_ARGS+=(--workgroup "$WG")
it_bg "$NS_R" "$W/lr.json" "$W/lr.err" "$IT_CLI" "${LR_ARGS[@]}"
LR=$IT_BG_PID
if ! it_wait_udp "$NS_R" 138 "$LR" 10; then
    it_fail "listen binds UDP 138" "$(head -c 400 "$W/lr.err")"
    it_finish
fi
if ((HAS_REGISTER)) && ! it_wait_udp "$NS_R" 137 "$LR" 5; then
    it_fail "listen --register binds UDP 137" "$(head -c 400 "$W/lr.err")"
    HAS_REGISTER=0
fi

LP=""
if ((HAS_PCAP)); then
    # A passive listener beside the bound one, filtered to two slots (the
    # second given in another case: slots compare case-insensitively).
    it_bg "$NS_R" "$W/lp.json" "$W/lp.err" "$IT_CLI" listen --json --pcap "$IF_R" --timeout 120 \
        --count 1000 --slot '\MAILSLOT\IT\UNIQUE' --slot '\mailslot\it\group'
    LP=$IT_BG_PID
    if ! it_wait_packet_socket "$NS_R" "$LP" 10; then
        it_fail "listen --pcap starts" "$(head -c 400 "$W/lp.err")"
        LP=""
    fi
    # --count 1: exits after the first message.
    it_bg "$NS_R" "$W/lc.json" "$W/lc.err" "$IT_CLI" listen --json --pcap "$IF_R" --timeout 60 --count 1
    LC=$IT_BG_PID
    it_wait_packet_socket "$NS_R" "$LC" 10 || true
fi

# ------------------------------------------------ sends
# deliver LABEL SLOT DATAFILE WIRE SEND-ARGS...: send from PEERHOST; the
# listener must print it (slot, data, source name) within 3 s; WIRE
# ("key=value ..." for the frame in the capture) is checked at the end.
WIRE_CHECKS=()
send_s() {
    SEND_RC=0
    it_run "$NS_S" 20 "$IT_CLI" send --from "$FROM" "$@" >"$W/send.out" 2>&1 || SEND_RC=$?
    { echo "== send $*"; cat "$W/send.out"; } >>"$W/send.log"
}
deliver() {
    local label=$1 slot=$2 file=$3 wire=$4 hex i
    shift 4
    hex=$(hexof "$file")
    send_s --slot "$slot" --file "$file" "$@"
    if ((SEND_RC != 0)); then
        it_fail "$label: sent" "exit $SEND_RC: $(head -c 300 "$W/send.out")"
        return
    fi
    for ((i = 0; i < 30; i++)); do
        (($(jcount "$W/lr.json" mailslot.name="$slot" mailslot.data="$hex") >= 1)) && break
        sleep 0.1
    done
    if (($(jcount "$W/lr.json" mailslot.name="$slot" mailslot.data="$hex" \
        nbdgm.src_name="$FROM<00>") >= 1)); then
        it_pass "$label: delivered" "$(wc -c <"$file") octets"
    else
        it_fail "$label: delivered" "not printed by listen within 3 s (slot $slot, $(wc -c <"$file") octets)"
    fi
    WIRE_CHECKS+=("$label|mailslot.name=$slot ip.src=$S_IP nbdgm.src_name=$FROM<00> $wire")
}
text() { printf '%s' "$2" >"$W/text.$1"; printf '%s\n' "$W/text.$1"; }

deliver "unique to an IP with --name" '\MAILSLOT\IT\UNIQUE' "$(text u 'unique hello')" \
    "ip.dst=$R_IP nbdgm.type=16 nbdgm.dst_name=$RNAME<00>" \
    --to "$R_IP" --name "$RNAME<00>"
deliver "group to the broadcast address" '\MAILSLOT\IT\GROUP' "$(text g 'group hello')" \
    "ip.dst=$BC nbdgm.type=17 nbdgm.dst_name=$WG<00>" \
    --to "$BC" --name "$WG<00>"
deliver "--type broadcast" '\MAILSLOT\IT\BCAST' "$(text b 'broadcast hello')" \
    "ip.dst=$BC nbdgm.type=18" \
    --to "$BC" --name "$WG<00>" --type broadcast
if ((HAS_REGISTER)); then
    deliver "\\\\HOST (resolved by NBNS, listen --register)" '\MAILSLOT\IT\HOST' "$(text h 'host hello')" \
        "ip.dst=$R_IP nbdgm.type=16 nbdgm.dst_name=$RNAME<00>" \
        --to "\\\\$RNAME" -i "$IF_S"
else
    it_skip "\\\\HOST addressing" "'mailslot listen --help' has no --register (nobody answers the name query)"
fi
deliver "\\\\* (workgroup $WG)" '\MAILSLOT\IT\STAR' "$(text s 'star hello')" \
    "ip.dst=$BC nbdgm.type=17 nbdgm.dst_name=$WG<00>" \
    --to '\\*' --workgroup "$WG" -i "$IF_S"
deliver "\\\\DOMAIN" '\MAILSLOT\IT\DOMAIN' "$(text d 'domain hello')" \
    "ip.dst=$BC nbdgm.type=17 nbdgm.dst_name=$WG<00>" \
    --to "\\\\$WG" --workgroup "$WG" -i "$IF_S"
deliver "nested slot name" '\MAILSLOT\IT\NESTED\DEEPER\SLOT' "$(text n 'nested hello')" \
    "ip.dst=$R_IP nbdgm.type=16" --to "$R_IP" --name "$RNAME<00>"

# Sizes.
: >"$W/empty"
deliver "size 0 (unique)" '\MAILSLOT\IT\SIZE0' "$W/empty" "mailslot.size=0" --to "$R_IP" --name "$RNAME<00>"
deliver "size 1 (unique)" '\MAILSLOT\IT\SIZE1' "$(pattern 1)" "mailslot.size=1" --to "$R_IP" --name "$RNAME<00>"
deliver "size 424 (group)" '\MAILSLOT\IT\G424' "$(pattern 424)" "mailslot.size=424 nbdgm.type=17" \
    --to "$BC" --name "$WG<00>"
send_s --slot '\MAILSLOT\IT\G425' --file "$(pattern 425)" --to "$BC" --name "$WG<00>"
if ((SEND_RC != 0)); then
    it_pass "size 425 (group) refused" "exit $SEND_RC: $(head -n 1 "$W/send.out")"
else
    it_fail "size 425 (group) refused" "send exit 0"
fi
if [[ -n $FORCE ]]; then
    deliver "size 425 (group, $FORCE)" '\MAILSLOT\IT\G425F' "$(pattern 425)" "mailslot.size=425" \
        --to "$BC" --name "$WG<00>" "$FORCE"
else
    it_skip "size 425 (group) when forced" "'mailslot send --help' names no override (--force, --oversize, ...)"
fi

# The direct-write maximum is 512 - DataOffset (MS-MAIL <2>); DataOffset
# comes from a frame the sender writes for the same slot (send -w).
direct_max() {   # LABEL SLOT
    local label=$1 slot=$2 off max
    rm -f "$W/dm.pcap"
    "$IT_CLI" send -w "$W/dm.pcap" --from "$FROM" --to "$R_IP" --name "$RNAME<00>" --slot "$slot" \
        --hex 41 >/dev/null 2>&1 || true
    off=$("$IT_CLI" decode --json -q "$W/dm.pcap" 2>/dev/null | "${J[@]}" values /dev/stdin trans.data_offset | head -n 1)
    if [[ ! $off =~ ^[0-9]+$ ]]; then
        it_fail "direct-write maximum ($label)" "send -w gave no frame to take DataOffset from"
        return
    fi
    max=$((512 - off))
    deliver "direct-write maximum $max ($label)" "$slot" "$(pattern "$max")" "mailslot.size=$max nbdgm.type=16" \
        --to "$R_IP" --name "$RNAME<00>"
}
direct_max "slot \\MAILSLOT\\IT\\DMAX" '\MAILSLOT\IT\DMAX'
direct_max "17-character slot-name tail" '\MAILSLOT\ABCDEFGHIJKLMNOPQ'

# ------------------------------------------------ a Windows client's view
if ((HAS_REGISTER)); then
    mkdir -p "$W/nmb"/{lock,state,cache,private,pid,log}
    cat >"$W/nmb/smb.conf" <<EOF
[global]
    netbios name = QUERIER
    workgroup = $WG
    interfaces = $IF_S
    bind interfaces only = yes
    name resolve order = bcast
    lock directory = $W/nmb/lock
    state directory = $W/nmb/state
    cache directory = $W/nmb/cache
    private dir = $W/nmb/private
    pid directory = $W/nmb/pid
    log file = $W/nmb/log/log.%m
EOF
    if command -v nmblookup >/dev/null; then
        out=$(it_run "$NS_S" 10 nmblookup -s "$W/nmb/smb.conf" -l "$W/nmb/log" -B "$BC" "$RNAME" 2>&1) || true
        if grep -qE "^$R_IP $RNAME<00>" <<<"$out"; then
            it_pass "nmblookup -B $BC $RNAME is answered by listen --register" "$(grep -m1 "^$R_IP" <<<"$out")"
        else
            it_fail "nmblookup -B $BC $RNAME is answered" "$(tr '\n' ' ' <<<"$out" | head -c 300)"
        fi
    else
        it_skip "nmblookup as the querier" "nmblookup is not installed"
    fi
    out=$(it_run "$NS_S" 10 "${U[@]}" nbquery "$RNAME" --to "$BC" 2>&1) || true
    if grep -qE "^$RNAME<00> $R_IP " <<<"$out"; then
        it_pass "scapy B-node name query for $RNAME<00> is answered" "$out"
    else
        it_fail "scapy B-node name query for $RNAME<00> is answered" "$(tr '\n' ' ' <<<"$out" | head -c 300)"
    fi
    # Only the querier's own "no answer" (exit 1) counts: a crash, a
    # negative answer or the time limit is something else.
    it_run "$NS_S" 10 "${U[@]}" nbquery OTHERNAME --to "$BC" --timeout 1.5 >"$W/q.out" 2>&1 && rc=0 || rc=$?
    if ((rc == 1)) && grep -qx 'no answer for OTHERNAME<00> within 1.5 s' "$W/q.out"; then
        it_pass "a name query for a name not registered is not answered"
    else
        it_fail "a name query for a name not registered is not answered" \
            "exit $rc (want 1 and 'no answer'): $(tr '\n' ' ' <"$W/q.out" | head -c 300)"
    fi
    # Another host registering our unique name: the listener defends it.
    if it_run "$NS_S" 10 "${U[@]}" nbregister "$RNAME" --ip "$S_IP" --to "$BC" >"$W/r.out" 2>&1; then
        it_pass "listen --register defends $RNAME<00> against another host's registration" "$(cat "$W/r.out")"
    else
        it_fail "listen --register defends its name" "$(cat "$W/r.out")"
    fi
else
    it_skip "NetBIOS name query for the listener's name" "'mailslot listen --help' has no --register"
fi

# ------------------------------------------------ duplicate suppression
# Frames built with `mailslot encode` so the DGM_ID is ours to choose.
dgm() {   # ID SLOT -> hex payload
    printf '{"nbdgm":{"type":16,"id":%d,"src_ip":"%s","src_port":138,"src_name":"%s<00>","dst_name":"%s<00>"},"mailslot":{"name":"%s","data":"%s"}}\n' \
        "$1" "$S_IP" "$FROM" "$RNAME" "${2//\\/\\\\}" "$(printf 'dup test' | od -An -tx1 | tr -d ' \n')" |
        "$IT_CLI" encode --hex
}
DUPHEX=$(printf 'dup test' | od -An -tx1 | tr -d ' \n')
A=$(dgm 19761 '\MAILSLOT\IT\DUP')
A_LC=$(dgm 19761 '\mailslot\it\dup')
B=$(dgm 19762 '\MAILSLOT\IT\DUP')
dup_n() { jcount "$W/lr.json" mailslot.data="$DUPHEX" nbdgm.id="$1"; }
if [[ -z $A || -z $A_LC || -z $B ]]; then
    it_fail "duplicate suppression" "mailslot encode did not build the frames"
else
    it_run "$NS_S" 10 "${U[@]}" send "$R_IP" "$A" --count 2 --interval 200 >/dev/null
    # the same datagram from the sender's second address, slot in lower case
    it_run "$NS_S" 10 "${U[@]}" send "$R_IP" "$A_LC" --sport 0 >/dev/null
    it_run "$NS_S" 10 "$IT_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(bytes.fromhex(sys.argv[2]), (sys.argv[3], 138))' "$S_IP2" "$A" "$R_IP"
    it_run "$NS_S" 10 "${U[@]}" send "$R_IP" "$B" >/dev/null
    sleep 1
    a1=$(dup_n 19761)
    b1=$(dup_n 19762)
    if ((a1 == 1)); then
        it_pass "duplicate suppression: 4 copies within 2 s (2 alike, 1 slot in lower case, 1 from $S_IP2) printed once"
    else
        it_fail "duplicate suppression within 2 s" "printed $a1 times, want 1"
    fi
    if ((b1 == 1)); then
        it_pass "duplicate suppression: the same message with another DGM_ID is printed"
    else
        it_fail "duplicate suppression: another DGM_ID is not a duplicate" "printed $b1 times, want 1"
    fi
    sleep 2.2
    it_run "$NS_S" 10 "${U[@]}" send "$R_IP" "$A" >/dev/null
    sleep 0.5
    a2=$(dup_n 19761)
    if ((a2 == 2)); then
        it_pass "duplicate suppression: a copy after the 2-s window is printed again"
    else
        it_fail "duplicate suppression: copy after the window" "printed $a2 times in all, want 2"
    fi
fi

# ------------------------------------------------ bounded queue
# listen --queue N: N messages held per mailslot; when full the newest is
# dropped and counted. A bound listener reads one datagram per message, so
# the queue cannot fill; in --pcap mode every frame waiting in the capture
# buffer is queued at once. So: stop a --pcap listener, send 6 messages,
# let it go on: it must print the 2 oldest and count 4 as "queue full".
if ((HAS_PCAP)) && it_has_opt listen --queue && it_has_opt listen --stats; then
    it_bg "$NS_R" "$W/lq.json" "$W/lq.err" "$IT_CLI" listen --json --pcap "$IF_R" --queue 2 --stats \
        --slot '\MAILSLOT\IT\QUEUE' --dedup-window 0 --timeout 30
    LQ=$IT_BG_PID
    if it_wait_packet_socket "$NS_R" "$LQ" 10; then
        kill -STOP "$LQ"
        for i in 1 2 3 4 5 6; do
            h=$(printf '{"nbdgm":{"type":16,"id":%d,"src_ip":"%s","src_port":138,"src_name":"%s<00>","dst_name":"%s<00>"},"mailslot":{"name":"\\\\MAILSLOT\\\\IT\\\\QUEUE","data":"%s"}}\n' \
                $((20000 + i)) "$S_IP" "$FROM" "$RNAME" "$(printf 'queue-%d' "$i" | od -An -tx1 | tr -d ' \n')" |
                "$IT_CLI" encode --hex)
            it_run "$NS_S" 10 "${U[@]}" send "$R_IP" "$h" >/dev/null
        done
        sleep 0.5
        kill -CONT "$LQ"
        sleep 1.5
        it_stop_pid "$LQ" TERM
        got=$("${J[@]}" values "$W/lq.json" nbdgm.id | tr '\n' ' ')
        qfull=$(grep -oE '[0-9]+ queue full' "$W/lq.err" | grep -oE '^[0-9]+')
        if [[ $got == "20001 20002 " && $qfull == 4 ]]; then
            it_pass "bounded queue (--queue 2): the 2 oldest printed, the 4 newest dropped and counted"
        else
            it_fail "bounded queue (--queue 2)" \
                "printed DGM_IDs '$got', queue full '${qfull:-?}' (want 20001 20002, 4): $(tail -c 300 "$W/lq.err")"
        fi
    else
        it_fail "bounded queue: listen --pcap --queue starts" "$(head -c 300 "$W/lq.err")"
    fi
else
    it_skip "bounded queue when full" "'mailslot listen --help' lacks --pcap, --queue or --stats"
fi

# ------------------------------------------------ --count, --timeout, --slot
if ((HAS_PCAP)); then
    it_wait_pid "$LC" 3
    if ((IT_RC == 0)) && [[ $(jcount "$W/lc.json") -eq 1 ]]; then
        it_pass "listen --count 1 exits 0 after one message"
    else
        it_fail "listen --count 1" "exit $IT_RC, $(jcount "$W/lc.json") messages"
    fi
    t0=$(date +%s%N)
    it_run "$NS_R" 10 "$IT_CLI" listen --json --pcap "$IF_R" --slot '\MAILSLOT\NOTHING' --timeout 1 \
        >"$W/lt.json" 2>"$W/lt.err"
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    if ((rc != 124 && ms >= 900 && ms < 5000)); then
        it_pass "listen --timeout 1 stops after about a second" "${ms} ms, exit $rc"
    else
        it_fail "listen --timeout 1" "${ms} ms, exit $rc"
    fi
    if [[ -n $LP ]]; then
        it_stop_pid "$LP" TERM
        total=$(jcount "$W/lp.json")
        nu=$(jcount "$W/lp.json" mailslot.name='\MAILSLOT\IT\UNIQUE')
        ng=$(jcount "$W/lp.json" mailslot.name='\MAILSLOT\IT\GROUP')
        if ((nu == 1 && ng == 1 && total == 2)); then
            it_pass "listen --pcap --slot X --slot y: only those slots, case-insensitively"
        else
            it_fail "listen --pcap with --slot filters" "UNIQUE $nu, GROUP $ng, $total in all (want 1, 1, 2)"
        fi
    fi
else
    it_skip "listen --pcap, --count, --timeout, --slot" "'mailslot listen --help' has no --pcap"
fi

sleep 0.5
it_stop_pid "$LR" TERM
if ((HAS_STATS)); then
    # The copies the dedup test made: A again, A with the slot in lower
    # case, A from the second address; nothing else is a duplicate.
    ndup=$(grep -oE '[0-9]+ duplicate' "$W/lr.err" | grep -oE '^[0-9]+')
    if [[ $ndup == 3 ]]; then
        it_pass "listen --stats counts the 3 duplicates it dropped"
    else
        it_fail "listen --stats counts the duplicates it dropped" "'${ndup:-?}', want 3: $(tail -c 300 "$W/lr.err")"
    fi
fi

# ------------------------------------------------ --bind ADDR, -i IFACE
# (the main listener is gone, so each of these is alone on 138)
# bound_case LABEL WANT_UNICAST WANT_BCAST LISTEN-ARGS...
bound_case() {
    local label=$1 wu=$2 wb=$3 pid gu gb
    shift 3
    it_bg "$NS_R" "$W/lb.json" "$W/lb.err" "$IT_CLI" listen --json --timeout 20 --slot '\MAILSLOT\IT\BIND' "$@"
    pid=$IT_BG_PID
    if ! it_wait_udp "$NS_R" 138 "$pid" 10; then
        it_fail "listen $label" "did not bind 138: $(head -c 300 "$W/lb.err")"
        it_stop_pid "$pid" TERM
        return
    fi
    send_s --slot '\MAILSLOT\IT\BIND' --data "unicast $label" --to "$R_IP" --name "$RNAME<00>"
    send_s --slot '\MAILSLOT\IT\BIND' --data "broadcast $label" --to "$BC" --name "$WG<00>"
    sleep 1
    it_stop_pid "$pid" TERM
    gu=$(jcount "$W/lb.json" mailslot.data="$(printf 'unicast %s' "$label" | od -An -tx1 | tr -d ' \n')")
    gb=$(jcount "$W/lb.json" mailslot.data="$(printf 'broadcast %s' "$label" | od -An -tx1 | tr -d ' \n')")
    if [[ $gu == "$wu" && $gb == "$wb" ]]; then
        it_pass "listen $label: unicast heard $gu, broadcast heard $gb"
    else
        it_fail "listen $label" "unicast heard $gu (want $wu), broadcast heard $gb (want $wb)"
    fi
}
bound_case "--bind $R_IP" 1 0 --bind "$R_IP"
bound_case "-i $IF_R" 1 1 -i "$IF_R"

# ------------------------------------------------ the wire
it_stop_pid "$DUMPCAP" INT
"$IT_CLI" decode --json -q "$W/wire.pcapng" >"$W/wire.json" 2>/dev/null || true
for c in "${WIRE_CHECKS[@]}"; do
    label=${c%%|*}
    read -r -a conds <<<"${c#*|}"
    n=$(jcount "$W/wire.json" "${conds[@]}")
    if ((n >= 1)); then
        it_pass "$label: on the wire" "${c#*|}"
    else
        it_fail "$label: on the wire" "no frame with ${c#*|}"
    fi
done
if ((HAS_REGISTER)); then
    q=$(tshark -r "$W/wire.pcapng" -Y "ip.src == $S_IP && nbns.flags.response == 0 && nbns.name contains \"$RNAME\"" \
        -T fields -e frame.number 2>/dev/null | wc -l)
    a=$(tshark -r "$W/wire.pcapng" -Y "ip.src == $R_IP && nbns.flags.response == 1 && nbns.addr == $R_IP" \
        -T fields -e frame.number 2>/dev/null | wc -l)
    if ((q >= 1 && a >= 1)); then
        it_pass "\\\\HOST: sender's NBNS query and listener's answer on the wire (tshark)" "$q queries, $a answers"
    else
        it_fail "\\\\HOST: NBNS query and answer on the wire" "$q queries, $a answers"
    fi
fi
# scapy over every datagram our sender put on the wire (not the raw
# duplicates, which the helper sent from the same address: all are ours).
if MAILSLOT_CLI=$IT_CLI "$IT_PY" "$IT_PYDIR/interop_scapy.py" "$W/wire.pcapng" --src "$S_IP" --min 10 \
    >"$W/scapy.out" 2>&1; then
    it_pass "scapy parses every datagram we sent, fields equal to decode --json" \
        "$(head -n 1 "$W/scapy.out"); $(grep -m1 '^not compared' "$W/scapy.out")"
else
    it_fail "scapy parses every datagram we sent, fields equal" "$(head -n 6 "$W/scapy.out" | tr '\n' ' ')"
fi

it_finish
