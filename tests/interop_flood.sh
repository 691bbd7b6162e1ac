#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Flood test (~30 s): `mailslot listen` in one namespace (FLOODRCV,
# 192.0.2.30) takes a bounded flood from another (192.0.2.20-.27, veth):
# at most FLOOD_COUNT datagrams (default 200000) or FLOOD_SECONDS seconds
# (default 20), whichever comes first, sent by tests/py/flood.py from
# prebuilt payloads: valid writes to other mailslots, a repeated write
# (duplicates), random octets, bad NetBIOS names, truncated SMB, bad
# DataOffset and DGM_LENGTH, oversize datagrams (577-1400 octets), NBDS
# fragments (sets never completed, overlapping, orphans), with fake
# SOURCE_IPs, names and DGM_IDs. Mixed in, at a low rate: 200 known valid
# writes to the one mailslot the listener serves, data "FLOODSEQ nnnnn",
# each sent when the listener's socket receive queue is empty (the sender
# pauses the flood until it is, at most 1 s): what the kernel drops when
# the flood outruns the listener is counted, but cannot be a known message.
# Checks:
#   - the listener keeps running through the flood;
#   - its peak memory (VmHWM) stays under a bound derived from its limits
#     (queue 256 messages / 1 MiB, NBDS reassembly 16 sets / 64 fragments /
#     64 KiB pool, duplicate table 1024 entries) over its own idle peak;
#   - all 200 known messages are printed, each once (the queue holds 256);
#   - --stats counts what it dropped and why: malformed, not for a served
#     mailslot, duplicates and NBDS fragments each non-zero, every
#     fragment dropped or held (none can complete), and its
#     datagram count plus the kernel's socket drops account for what was
#     sent.
# Prints one summary line ("flood: ..."). Needs root and ip netns; skips
# otherwise (or fails under MAILSLOT_REQUIRE_ALL). KEEP_WORK=1 keeps output.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
[[ -x $IT_PY ]] || skip "$IT_PY is missing"
it_require_cli listen
it_has_opt listen --stats || skip "'mailslot listen' has no --stats"

it_init interop_flood
W=$IT_WORK
NS_S=ms-fls-$$
NS_R=ms-flr-$$
IF_S=fls$$
IF_R=flr$$
S_IP=192.0.2.20
R_IP=192.0.2.30
SLOT='\MAILSLOT\FLOOD\KNOWN'
KNOWN=200
QUEUE=256
COUNT=${FLOOD_COUNT:-200000}
SECS=${FLOOD_SECONDS:-20}
F=("$IT_PY" "$IT_PYDIR/flood.py")

it_pair "$NS_S" "$IF_S" "$S_IP" "$NS_R" "$IF_R" "$R_IP" || exit 1
SRCS=$S_IP
for n in 21 22 23 24 25 26 27; do
    ip -n "$NS_S" addr add "192.0.2.$n/$IT_PREFIX_LEN" broadcast "$IT_BCAST" dev "$IF_S"
    SRCS+=,192.0.2.$n
done

vm() {   # PID FIELD: kB value of FIELD in /proc/PID/status
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}
# Kernel drops on the listener's UDP 138 socket(s) (/proc/net/udp "drops").
kdrops() {
    # shellcheck disable=SC2016  # an awk program
    ip netns exec "$NS_R" awk 'NR > 1 && $2 ~ /:008A$/ { d += $NF } END { print d + 0 }' /proc/net/udp
}

it_bg "$NS_R" "$W/listen.json" "$W/listen.err" "$IT_CLI" listen --json --stats \
    --slot "$SLOT" --queue "$QUEUE" --dedup-window 2000 --timeout $((SECS + 60))
LR=$IT_BG_PID
if ! it_wait_udp "$NS_R" 138 "$LR" 10; then
    it_fail "listen binds UDP 138" "$(head -c 400 "$W/listen.err")"
    it_finish
fi
sleep 0.3
IDLE_HWM=$(vm "$LR" VmHWM)
[[ $IDLE_HWM =~ ^[0-9]+$ ]] || IDLE_HWM=0
# The bound: the idle peak + queue (1 MiB of data + 256 message records,
# counted at 2 MiB) + reassembly pool (64 KiB, counted at 1 MiB) + the
# duplicate table (1024 entries, counted at 1 MiB) + 8 MiB margin for
# stdio and receive batches; never above 64 MiB.
LIMIT_KB=$((IDLE_HWM + 2048 + 1024 + 1024 + 8192))
((LIMIT_KB > 65536)) && LIMIT_KB=65536
it_log "listener PID $LR idle VmHWM ${IDLE_HWM} kB, bound ${LIMIT_KB} kB"

SEND_RC=0
it_run "$NS_S" $((SECS + 30)) "${F[@]}" send --dst "$R_IP" --src "$SRCS" --count "$COUNT" \
    --seconds "$SECS" --known "$KNOWN" --known-slot "$SLOT" --drain-pid "$LR" \
    --known-gap-ms 1000 >"$W/send.json" 2>"$W/send.err" ||
    SEND_RC=$?
if ((SEND_RC != 0)); then
    it_fail "flood sent" "exit $SEND_RC: $(head -c 400 "$W/send.err")"
fi
SENT=$("$IT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["flood_sent"])' \
    "$W/send.json" 2>/dev/null || echo 0)
RATE=$("$IT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rate_pps"])' \
    "$W/send.json" 2>/dev/null || echo 0)
FSECS=$("$IT_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' \
    "$W/send.json" 2>/dev/null || echo 0)
it_log "sent: $(cat "$W/send.json" 2>/dev/null)"

# Let the listener drain (bounded: until every known message is out, or 10 s).
for ((i = 0; i < 100; i++)); do
    it_is_running "$LR" || break
    n=$(grep -c '464c4f4f44534551' "$W/listen.json" 2>/dev/null)
    ((${n:-0} >= KNOWN)) && break
    sleep 0.1
done
sleep 0.5

if it_is_running "$LR"; then
    it_pass "listener survives the flood" "PID $LR still running"
else
    it_fail "listener survives the flood" "exited: $(tail -n 3 "$W/listen.err")"
fi
HWM=$(vm "$LR" VmHWM)
[[ $HWM =~ ^[0-9]+$ ]] || HWM=0
if ((HWM > 0 && HWM <= LIMIT_KB)); then
    it_pass "memory bounded" "VmHWM ${HWM} kB <= ${LIMIT_KB} kB (idle ${IDLE_HWM} kB)"
else
    it_fail "memory bounded" "VmHWM ${HWM} kB, bound ${LIMIT_KB} kB"
fi
KDROPS=$(kdrops)
it_stop_pid "$LR" TERM

# Every known message printed, once.
VER=$("${F[@]}" verify "$W/listen.json" --known "$KNOWN" 2>&1) && VRC=0 || VRC=$?
DELIVERED=$("$IT_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["delivered"])' "$VER" \
    2>/dev/null || echo 0)
if ((VRC == 0)); then
    it_pass "every known message delivered" "$DELIVERED/$KNOWN"
else
    it_fail "every known message delivered" "$VER"
fi

# The counters: one --stats line, each kind of drop counted.
ST=$(grep -m1 '^mailslot listen: [0-9]* datagrams' "$W/listen.err" || true)
num() { sed -nE "s/.*[ (]([0-9]+) $1.*/\\1/p" <<<"$ST" | head -n 1; }
DGRAMS=$(sed -nE 's/^mailslot listen: ([0-9]+) datagrams.*/\1/p' <<<"$ST")
if [[ -z $ST || -z $DGRAMS ]]; then
    it_fail "--stats counts the drops" "no counter line: $(tail -n 3 "$W/listen.err")"
    DGRAMS=0
else
    bad=()
    for k in duplicate malformed "no such mailslot" "not a mailslot write"; do
        v=$(num "$k")
        [[ $v =~ ^[0-9]+$ ]] && ((v > 0)) || bad+=("$k=${v:-?}")
    done
    FR=$(sed -nE 's/.*NBDS fragments ([0-9]+) \(([0-9]+) reassembled, ([0-9]+) dropped\).*/\1 \2 \3/p' <<<"$ST")
    read -r FRAGS FREAS FDROP <<<"${FR:-0 0 0}"
    # No set of the flood can complete; every fragment is dropped or still
    # held (the server's reassembler holds at most 64).
    ((FRAGS > 0 && FREAS == 0 && FDROP <= FRAGS && FRAGS - FDROP <= 64)) ||
        bad+=("fragments=$FRAGS reassembled=$FREAS dropped=$FDROP (not all accounted for)")
    # Everything sent reached the listener or was dropped by the kernel
    # (flood + known; a little slack for the kernel's accounting).
    TOTAL=$((SENT + KNOWN))
    ((DGRAMS + KDROPS >= TOTAL * 99 / 100 && DGRAMS <= TOTAL)) ||
        bad+=("datagrams $DGRAMS + kernel drops $KDROPS vs sent $TOTAL")
    if ((${#bad[@]} == 0)); then
        it_pass "--stats counts the drops" "${ST#mailslot listen: }"
    else
        it_fail "--stats counts the drops" "${bad[*]} in: $ST"
    fi
fi
KiB() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
echo "flood: sent $SENT datagrams in $FSECS s ($RATE/s outside the pauses before known messages) from 8 addresses; listener read $DGRAMS" \
    "(kernel dropped $KDROPS); known delivered $DELIVERED/$KNOWN; VmHWM $(KiB "$HWM")" \
    "(idle $(KiB "$IDLE_HWM"), bound $(KiB "$LIMIT_KB"))"
it_finish
