#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Beside Samba: what nmbd passes on through its "unexpected packet" socket
# (~45 s). nmbd (LABPEER, workgroup MSLAB, a PDC so that it answers
# NETLOGON) at 192.0.2.10 with `nmbd:socket dir = $W/sock`; our sender at
# 192.0.2.20 as PEERHOST. Readers of the socket, in nmbd's namespace:
#   - tests/transport/nmbd_dump (the library's reader), whose records go
#     through `encode -w` and `decode --json`;
#   - tests/py/nmbd_record.py, an independent reader (Python's struct in
#     the host's alignment), once with no name and once with the name
#     \MAILSLOT\custom;
#   - `mailslot listen --nmbd-socket-dir` as user nobody (no privilege).
# From the peer namespace we write, unicast and broadcast: to a custom
# mailslot (exact case and another case), a mixed-case nested name,
# \MAILSLOT\BROWSE to nmbd's name and to another name, \MAILSLOT\LANMAN,
# a NETLOGON query (which nmbd answers) and \MAILSLOT\net\ntlogon to
# nmbd's name, 700-octet writes and NBDS fragments to nmbd's name and to
# another name, and one with reserved flag bits and a wrong DGM_LENGTH;
# then check exactly which arrive, and how. Then a reader that does not
# read during a flood (nmbd blocks on it), and nmbd answering a
# GetBackupListRequest with our reader attached. Samba 4.17 behaviour is
# what is checked; where it is the format's, a mismatch would fail here.
# Needs root, ip netns, nmbd, python3, jq; skips (77) otherwise, or fails
# under MAILSLOT_REQUIRE_ALL. KEEP_WORK=1 keeps the work directory;
# RECORD_TO=FILE copies the raw stream recorded by nmbd_record.py there
# (captures/nmbd-unexpected.bin is one).
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need jq "jq is not installed"
need setpriv "setpriv (util-linux) is not installed"
it_require_cli send listen encode decode
DUMP=$build/tests/nmbd_dump
[[ -x $DUMP ]] || skip "no $DUMP (build the tests)"
it_has_opt listen --nmbd-socket-dir || skip "'mailslot listen' has no --nmbd-socket-dir"

it_init interop_nmbd_socket
W=$IT_WORK
NS_N=ms-iun-$$
NS_P=ms-iup-$$
IF_N=iun$$
IF_P=iup$$
NMBD_IP=192.0.2.10
PEER_IP=192.0.2.20
FROM=PEERHOST
SOCKDIR=$W/sock
REC=("$IT_PY" "$IT_PYDIR/nmbd_record.py")
UDP=("$IT_PY" "$IT_PYDIR/interop_udp.py")

it_pair "$NS_N" "$IF_N" "$NMBD_IP" "$NS_P" "$IF_P" "$PEER_IP" || exit 1
IT_NMBD_EXTRA="    nmbd:socket dir = $SOCKDIR
    server role = classic primary domain controller
    domain logons = yes
    domain master = yes"
if ! it_nmbd_start "$NS_N" "$IF_N"; then
    it_fail "nmbd starts" "see above"
    it_finish
fi
# nmbd passes on (rather than keeps) whatever is addressed to a name it
# has not registered yet: wait until its names are its own.
for n in "$IT_NB_NAME<00>" "$IT_NB_NAME<20>" "$IT_WORKGROUP<00>"; do
    it_wait_grep "$IT_NMBD_LOG" "success in registering name $n" 20 "$IT_NMBD_PID" ||
        it_log "nmbd did not log registering $n"
done
if [[ -S $SOCKDIR/unexpected ]]; then
    it_pass "nmbd creates its socket in 'nmbd:socket dir'" \
        "$(stat -c '%A %U' "$SOCKDIR/unexpected") $SOCKDIR/unexpected"
else
    it_fail "nmbd creates its socket in 'nmbd:socket dir'" "no $SOCKDIR/unexpected"
    it_finish
fi

# ------------------------------------------------ readers
it_bg "$NS_N" "$W/dump.json" "$W/dump.err" "$DUMP" "$SOCKDIR" 16
R1=$IT_BG_PID
it_bg "$NS_N" "$W/rec.json" "$W/rec.err" "${REC[@]}" "$SOCKDIR/unexpected" 16 "$W/rec.bin"
R2=$IT_BG_PID
it_bg "$NS_N" "$W/named.json" "$W/named.err" "${REC[@]}" "$SOCKDIR/unexpected" 16 "$W/named.bin" \
    --name '\MAILSLOT\custom'
R3=$IT_BG_PID
it_bg "$NS_N" "$W/listen.json" "$W/listen.err" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$IT_CLI" listen --nmbd-socket-dir "$SOCKDIR" --json --timeout 90 --stats
L=$IT_BG_PID
if it_wait_grep "$W/dump.err" connected 5 "$R1"; then
    it_pass "the library's reader connects and nmbd answers its query"
else
    it_fail "the library's reader connects" "$(head -c 300 "$W/dump.err")"
fi
sleep 1
if it_is_running "$L"; then
    it_pass "listen --nmbd runs as nobody beside nmbd"
else
    it_fail "listen --nmbd runs as nobody beside nmbd" "$(head -c 300 "$W/listen.err")"
fi

# ------------------------------------------------ what we write
declare -A ID   # label -> DGM_ID as send printed it (decimal)
# snd LABEL SEND-ARGS...: one write from the peer; its DGM_ID in ID[LABEL].
snd() {
    local label=$1 out id
    shift
    out=$(it_run "$NS_P" 10 "$IT_CLI" send --from "$FROM" --force-size "$@" 2>&1)
    printf '%s: %s\n' "$label" "$out" >>"$W/send.log"
    id=$(grep -oE 'DGM_ID 0x[0-9a-f]+' <<<"$out" | tail -n 1)
    if [[ -z $id ]]; then
        it_fail "send $label" "$(head -c 300 <<<"$out")"
        return
    fi
    ID[$label]=$((${id#DGM_ID }))
    sleep 0.2
}
# raw LABEL HEX...: datagrams built here (encode), sent from 138 by Python;
# their DGM_ID (all the same) in ID[LABEL].
raw() {
    local label=$1 h
    shift
    ID[$label]=$((16#${1:4:4}))
    for h in "$@"; do
        it_run "$NS_P" 10 "${UDP[@]}" send "$NMBD_IP" "$h" >>"$W/send.log" 2>&1 ||
            it_fail "send $label" "interop_udp.py failed"
        sleep 0.2
    done
}
u() { snd "$1" --to "$NMBD_IP" --name "$2" --slot "$3" "${@:4}"; }
asc() { printf '%s' "$1" | od -v -An -tx1 | tr -d ' \n'; }
hex16() { printf '%s' "$1" | iconv -t UTF-16LE | od -v -An -tx1 | tr -d ' \n'; }
BIG=$(head -c 700 /dev/zero | tr '\0' x)

u custom "$IT_NB_NAME<20>" '\MAILSLOT\custom' --data u-custom
u CUSTOM "$IT_NB_NAME<00>" '\MAILSLOT\CUSTOM' --data u-CUSTOM
snd bcast --to "$IT_BCAST" --name "$IT_WORKGROUP<00>" --type group --slot '\MAILSLOT\custom' --data b-custom
u mixed "$IT_NB_NAME<20>" '\MAILSLOT\MiXeD\Case' --data mixed
u browse_own "$IT_NB_NAME<20>" '\MAILSLOT\BROWSE' --hex "0200$(asc "$FROM")00"
u browse_other 'OTHER<20>' '\MAILSLOT\BROWSE' --hex 0c00
u lanman_own "$IT_NB_NAME<00>" '\MAILSLOT\LANMAN' --hex 0000
u ntlogon_own "$IT_NB_NAME<00>" '\MAILSLOT\net\ntlogon' --hex 07000000
u big_own "$IT_NB_NAME<20>" '\MAILSLOT\custom' --data "$BIG"
u big_other 'OTHER<20>' '\MAILSLOT\custom' --data "$BIG"

# A NETLOGON primary query (0x07) to nmbd's name, reply to
# \MAILSLOT\NET\GETDC123: nmbd (a PDC) answers 0x0C, and keeps the query.
PQ=0700$(asc "$FROM")00$(asc '\MAILSLOT\NET\GETDC123')00$(hex16 "$FROM")00000b000000ffffffff
out=$(it_run "$NS_P" 20 "$IT_CLI" send --from "$FROM" --to "$NMBD_IP" --name "$IT_NB_NAME<00>" \
    --slot '\MAILSLOT\NET\NETLOGON' --hex "$PQ" --wait 3 --json 2>&1)
printf 'netlogon: %s\n' "$out" >>"$W/send.log"
id=$(grep -oE 'DGM_ID 0x[0-9a-f]+' <<<"$out" | tail -n 1)
[[ -n $id ]] && ID[netlogon]=$((${id#DGM_ID }))
if grep -E '"command": ?12\b' <<<"$out" | grep -q "$IT_NB_NAME"; then
    it_pass "nmbd answers our NETLOGON primary query while readers are attached" \
        "$(grep -oE '"netlogon":\{[^}]*\}' <<<"$out" | head -n 1 | cut -c1-120)"
else
    it_fail "nmbd answers our NETLOGON primary query" "$(head -c 400 <<<"$out")"
fi

# Datagrams built here: a fragment pair (F+M at 0, then the rest at 150)
# to each of nmbd's name and another, and a datagram with a reserved flag
# bit (0x10) and a DGM_LENGTH 5 too big.
frags() {   # DST_NAME ID: the two fragments' hex, one a line
    local base
    base=$(printf '{"nbdgm":{"type":16,"flags":2,"id":%d,"src_ip":"%s","src_name":"%s<00>","dst_name":"%s"},"mailslot":{"name":"\\\\MAILSLOT\\\\frag","data":"%s"}}' \
        "$2" "$PEER_IP" "$FROM" "$1" "$(head -c 300 /dev/zero | tr '\0' f | od -v -An -tx1 | tr -d ' \n')" |
        "$IT_CLI" encode --hex -)
    local ud=${base:164}   # after the 82-octet header and names
    printf '{"nbdgm":{"type":16,"flags":3,"id":%d,"src_ip":"%s","src_name":"%s<00>","dst_name":"%s","offset":0,"user_data":"%s"}}\n{"nbdgm":{"type":16,"flags":0,"id":%d,"src_ip":"%s","src_name":"%s<00>","dst_name":"%s","offset":150,"user_data":"%s"}}\n' \
        "$2" "$PEER_IP" "$FROM" "$1" "${ud:0:300}" "$2" "$PEER_IP" "$FROM" "$1" "${ud:300}" |
        "$IT_CLI" encode --hex -
}
mapfile -t F_OWN < <(frags "$IT_NB_NAME<20>" 17000)
mapfile -t F_OTHER < <(frags 'OTHER<20>' 17001)
raw frag_own "${F_OWN[@]}"
raw frag_other "${F_OTHER[@]}"
ODD=$(printf '{"nbdgm":{"type":16,"flags":18,"id":17002,"src_ip":"%s","src_name":"%s<00>","dst_name":"OTHER<20>"},"mailslot":{"name":"\\\\MAILSLOT\\\\odd","data":"6869"}}' \
    "$PEER_IP" "$FROM" | "$IT_CLI" encode --hex -)
ODD=${ODD:0:20}$(printf '%04x' $((16#${ODD:20:4} + 5)))${ODD:24}
raw odd "$ODD"

# ------------------------------------------------ what came through
for p in "$R1" "$R2" "$R3"; do it_wait_pid "$p" 20; done
"$IT_CLI" encode -w "$W/dump.pcap" "$W/dump.json" 2>"$W/encode.err" &&
    "$IT_CLI" decode --json -q "$W/dump.pcap" >"$W/dump.dec" 2>"$W/decode.err"
# n FILE ID [JQ-CONDITION]: records with that DGM_ID (decode output: not
# the "reassembled" objects).
n() { jq -c "select(.nbdgm.id == $2 and (.reassembled | not) ${3:+and ($3)})" "$1" 2>/dev/null | wc -l; }
nrec() { jq -c "select(.id == $2)" "$1" 2>/dev/null | wc -l; }   # nmbd_record.py output

# expect LABEL WANT WHAT: the library's reader (decoded) and the Python
# reader must both have WANT records of LABEL's DGM_ID (WANT "1+": one or
# more), with the decode condition JQ on every one.
expect() {
    local label=$1 want=$2 what=$3 cond=${4:-} a b ok=0
    local id=${ID[$label]:-}
    if [[ -z $id ]]; then
        it_fail "$what" "nothing was sent"
        return
    fi
    a=$(n "$W/dump.dec" "$id")
    b=$(nrec "$W/rec.json" "$id")
    if [[ $want == 1+ ]]; then ((a >= 1 && a == b)) && ok=1; else ((a == want && b == want)) && ok=1; fi
    if ((ok)) && [[ -n $cond ]] && (($(n "$W/dump.dec" "$id" "$cond") != a)); then
        ok=0
        what="$what [$cond]"
    fi
    if ((ok)); then
        it_pass "$what" "$a record(s), DGM_ID $id"
    else
        it_fail "$what" "library reader $a, Python reader $b record(s) of DGM_ID $id (want $want)"
    fi
}
SRC='.ip.src == "'$PEER_IP'" and .udp.srcport == 138 and (.time | floor) == .time'
expect custom 1 "custom mailslot to nmbd's name comes through" \
    "$SRC and .mailslot.name == \"\\\\MAILSLOT\\\\custom\" and .nbdgm.dst_name == \"$IT_NB_NAME<20>\""
expect CUSTOM 1 "\\MAILSLOT\\CUSTOM (another case) comes through" '.mailslot.name == "\\MAILSLOT\\CUSTOM"'
expect bcast 1+ "a broadcast comes through (nmbd may read it on two sockets: then twice)" \
    '.nbdgm.type == 17 and .mailslot.name == "\\MAILSLOT\\custom"'
expect mixed 1 "a mixed-case nested name comes through with its case" '.mailslot.name == "\\MAILSLOT\\MiXeD\\Case"'
expect browse_own 0 "nmbd keeps \\MAILSLOT\\BROWSE to its own name"
expect browse_other 1 "\\MAILSLOT\\BROWSE to another name comes through" '.nbdgm.dst_name == "OTHER<20>"'
expect lanman_own 0 "nmbd keeps \\MAILSLOT\\LANMAN to its own name"
expect netlogon 0 "nmbd keeps \\MAILSLOT\\NET\\NETLOGON to its own name"
expect ntlogon_own 0 "nmbd keeps \\MAILSLOT\\net\\ntlogon (any case) to its own name"
expect big_own 0 "nmbd drops a 700-octet write to its own name"
expect big_other 1 "a 700-octet write to another name comes cut to 576 octets" '(.payload | length) == 1152'
expect frag_own 0 "nmbd drops NBDS fragments to its own name"
expect frag_other 2 "NBDS fragments to another name come through, each as a record" '.nbdgm.dst_name == "OTHER<20>"'
expect odd 1 "nmbd re-encodes: reserved flag bits cleared, DGM_LENGTH recomputed" \
    "(.nbdgm.flags == 2) and (.nbdgm.length == ((.payload | length) / 2 - 14))"
if (($(jq -s '[.[] | select(.reassembled == true and .nbdgm.id == 17001)] | length' "$W/dump.dec") == 1)); then
    it_pass "the two fragments decode as one reassembled datagram"
else
    it_fail "the two fragments decode as one reassembled datagram" "none in decode's output"
fi
a=$(jq -s 'length' "$W/dump.json")
b=$(jq -s 'length' "$W/rec.json")
if ((a == b && a > 0)) && [[ $(jq -c '.payload[4:8]' "$W/dump.json" | tr -d '"' | tr '\n' ' ') == \
    $(jq -c '.id' "$W/rec.json" | while read -r i; do printf '%04x ' "$i"; done) ]]; then
    it_pass "the library's reader and the Python reader read the same records" "$a records"
else
    it_fail "the library's reader and the Python reader read the same records" "$a and $b"
fi
c=$(jq -s 'length' "$W/named.json")
if (($(nrec "$W/named.json" "${ID[custom]}") == 1 && $(nrec "$W/named.json" "${ID[CUSTOM]}") == 0)) &&
    ((c >= 2)); then
    it_pass "a query with a name is answered case-sensitively (why we send none)" \
        "\\MAILSLOT\\custom: $c records, none for \\MAILSLOT\\CUSTOM"
else
    it_fail "a query with a name" "$c records: $(head -c 300 "$W/named.json")"
fi
if [[ -n ${RECORD_TO:-} ]]; then
    cp "$W/rec.bin" "$RECORD_TO" && it_log "raw stream copied to $RECORD_TO"
fi

# ------------------------------------------------ a reader that falls behind
# nmbd's code skips a reader with more than 10 records queued, but the
# connection is a blocking socket: once a reader's buffer is full
# (net.core.wmem_default, 208 KiB, counted with the kernel's overhead:
# some 170 records of 590 octets), nmbd blocks in the write, and stops
# altogether (no datagram to anyone, nothing in its log) until that reader
# reads. A reader that sleeps 12 s while 400 such datagrams come in 10 s:
# it misses none, and a reader that reads all along gets nothing for
# seconds.
FLOOD=$(printf '{"nbdgm":{"type":16,"flags":2,"id":0,"src_ip":"%s","src_name":"%s<00>","dst_name":"OTHER<20>"},"mailslot":{"name":"\\\\MAILSLOT\\\\flood","data":"%s"}}' \
    "$PEER_IP" "$FROM" "$(head -c 390 /dev/zero | tr '\0' z | od -v -An -tx1 | tr -d ' \n')" |
    "$IT_CLI" encode --hex -)
it_bg "$NS_N" "$W/lazy.json" "$W/lazy.err" "${REC[@]}" "$SOCKDIR/unexpected" 17 "$W/lazy.bin" --lazy 12
R4=$IT_BG_PID
it_bg "$NS_N" "$W/busy.json" "$W/busy.err" "$DUMP" "$SOCKDIR" 17
R5=$IT_BG_PID
it_wait_grep "$W/busy.err" connected 5 "$R5" || true
sleep 0.5
cat >"$W/flood.py" <<'EOF'
import socket, sys, time
p = bytearray(bytes.fromhex(sys.argv[2]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1, 401):
    p[2:4] = i.to_bytes(2, "big")
    s.sendto(p, (sys.argv[1], 138))
    time.sleep(0.025)
print(f"flood: 400 datagrams of {len(p)} octets sent")
EOF
it_run "$NS_P" 60 "$IT_PY" "$W/flood.py" "$NMBD_IP" "$FLOOD" >>"$W/send.log" 2>&1
it_wait_pid "$R4" 25
it_wait_pid "$R5" 25
lazy=$(jq -s 'length' "$W/lazy.json")
busy=$(jq -c 'select(.payload | test("5c4d41494c534c4f545c666c6f6f6400"))' "$W/busy.json" | wc -l)
prefix=$(jq -s '[.[].id] == [range(1; length + 1)]' "$W/lazy.json")
# The longest time without a record for the busy reader, in nmbd's seconds.
gap=$(jq -s '[.[] | select(.payload | test("5c4d41494c534c4f545c666c6f6f6400")) | .time] |
    [range(1; length) as $i | .[$i] - .[$i - 1]] | max // 0' "$W/busy.json")
if ((lazy == busy && lazy > 10 && gap >= 4)) && [[ $prefix == true ]]; then
    it_pass "a reader that does not read stops nmbd (no skip: it blocks)" \
        "the sleeping reader got all $lazy datagrams nmbd took in; the reading one got none for $gap s"
else
    it_fail "a reader that does not read stops nmbd" \
        "sleeping reader $lazy (in order from 1: $prefix), reading reader $busy, longest gap $gap s"
fi

# ------------------------------------------------ listen --nmbd
lc() { jq -c "select(.nbdgm.id == $1 ${2:+and ($2)})" "$W/listen.json" 2>/dev/null | wc -l; }
if (($(lc "${ID[custom]}") == 1 && $(lc "${ID[bcast]}") == 1 && $(lc "${ID[mixed]}") == 1 &&
    $(lc 17001 '.reassembled == true') == 1 && $(lc "${ID[browse_own]}") == 0)); then
    it_pass "listen --nmbd prints the writes once (broadcast copy dropped, fragments reassembled)"
else
    it_fail "listen --nmbd prints the writes" "$(jq -c '[.nbdgm.id, .mailslot.name]' "$W/listen.json" | head -n 20 | tr '\n' ' ')"
fi

# ------------------------------------------------ nmbd still does its job
if it_nmbd_wait_master 60; then
    out=$(it_run "$NS_P" 20 "$IT_CLI" send --from "$FROM" --to "$IT_BCAST" --name "$IT_WORKGROUP<1d>" \
        --type group --slot '\MAILSLOT\BROWSE' --hex 090407000000 --wait 3 --json 2>&1)
    if grep -E '"command": ?10\b' <<<"$out" | grep -qE '"token": ?7\b'; then
        it_pass "nmbd answers a GetBackupListRequest while listen --nmbd is attached"
    else
        it_fail "nmbd answers a GetBackupListRequest" "$(head -c 300 <<<"$out")"
    fi
else
    it_fail "nmbd becomes local master browser" "not within 60 s"
fi

# nmbd stopping ends listen --nmbd with exit 4 and nmbd's words.
it_stop_pid "$IT_NMBD_PID" TERM
it_wait_pid "$L" 10
if ((IT_RC == 4)) && grep -q 'nmbd closed' "$W/listen.err"; then
    it_pass "listen --nmbd ends when nmbd stops (exit 4)" "$(grep -m1 'nmbd closed' "$W/listen.err")"
else
    it_fail "listen --nmbd ends when nmbd stops" "exit $IT_RC: $(tail -c 300 "$W/listen.err")"
fi
it_finish
