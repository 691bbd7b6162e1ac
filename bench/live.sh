#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The live part of the benchmark (issue 6): receive and send over the
# loopback of a network namespace of our own and over a veth pair between
# two more, addresses from 192.0.2.0/24 only. Called by bench/run.sh:
#
#   bench/live.sh BUILD RESULTS_TSV RUNS SECONDS
#
# BUILD holds tools/mailslot and bench/live_{gen,floor,lib}. Appends one
# row per measurement to RESULTS_TSV:
#   kind env path run offered sent received seconds cpu_s note
# kind "search" (finding the offered load), "offer" (the load chosen),
# "load" (load average before and after), "recv" or "send". Needs root
# (ip netns); everything it creates carries this shell's PID in its name
# and is removed on exit.
set -euo pipefail

BUILD=$1
OUT=$2
RUNS=$3
SECS=$4
CLI=$BUILD/tools/mailslot
GEN=$BUILD/bench/live_gen
FLOOR=$BUILD/bench/live_floor
LIB=$BUILD/bench/live_lib
PORT=5138
SEND_COUNT=${BENCH_SEND_COUNT:-500000}

if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
    echo "bench: live part skipped (needs root and ip(8) for network namespaces)" >&2
    exit 0
fi

NS_LO=msb-$$-lo
NS_A=msb-$$-a
NS_B=msb-$$-b
VA=msb$$a
VB=msb$$b
PIDS=()
TMP=$(mktemp -d)
cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    ip netns del "$NS_LO" 2>/dev/null || true
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

printf 'load\tbefore\t\t\t\t\t\t\t\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
ip netns add "$NS_LO"
ip -n "$NS_LO" link set lo up
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B"
ip -n "$NS_A" addr add 192.0.2.1/24 dev "$VA"
ip -n "$NS_B" addr add 192.0.2.2/24 dev "$VB"
for ns in "$NS_A" "$NS_B"; do
    ip -n "$ns" link set lo up
done
ip -n "$NS_A" link set "$VA" up
ip -n "$NS_B" link set "$VB" up
# A few datagrams first: ARP is done before a timed run.
sleep 0.5
ip netns exec "$NS_A" "$GEN" rate 192.0.2.2 "$PORT" 1000 0.1 >/dev/null

# env -> sender namespace, receiver namespace, destination
env_ns() {
    case $1 in
    loopback) echo "$NS_LO $NS_LO 127.0.0.1" ;;
    veth) echo "$NS_A $NS_B 192.0.2.2" ;;
    esac
}

# Start a receiver in namespace $1 (path $2, at most $3 seconds); its
# stdout/stderr go to $TMP/rcv.{out,err}, user+system CPU to $TMP/rcv.time.
start_receiver() {
    local ns=$1 path=$2 max=$3
    case $path in
    floor) cmd=("$FLOOR" "$PORT" "$max") ;;
    lib) cmd=("$LIB" recv "$PORT" "$max") ;;
    cli) cmd=("$CLI" listen --port "$PORT" --timeout "$max" --stats) ;;
    cli_json) cmd=("$CLI" listen --port "$PORT" --timeout "$max" --stats --json) ;;
    esac
    if [[ $path == cli* ]]; then
        ip netns exec "$ns" /usr/bin/time -f '%U %S' -o "$TMP/rcv.time" "${cmd[@]}" \
            >/dev/null 2>"$TMP/rcv.err" &
    else
        ip netns exec "$ns" /usr/bin/time -f '%U %S' -o "$TMP/rcv.time" "${cmd[@]}" \
            >"$TMP/rcv.out" 2>"$TMP/rcv.err" &
    fi
    RCV_PID=$!
    PIDS+=("$RCV_PID")
    sleep 0.4
}

# Received count and CPU seconds of the receiver that just ended.
receiver_result() {
    local path=$1 n cpu
    if [[ $path == cli* ]]; then
        n=$(sed -n 's/.*datagrams, \([0-9]*\) messages printed.*/\1/p' "$TMP/rcv.err" | tail -n1)
    else
        n=$(awk '{print $2}' "$TMP/rcv.out")
    fi
    cpu=$(awk 'END {print $1 + $2}' "$TMP/rcv.time")
    echo "${n:-0} $cpu"
}

# One receive measurement: env, path, run, rate, seconds, kind.
recv_one() {
    local env=$1 path=$2 run=$3 rate=$4 secs=$5 kind=$6
    read -r sns rns dst <<<"$(env_ns "$env")"
    local max
    max=$(awk -v s="$secs" 'BEGIN {print s + 1.5}')
    start_receiver "$rns" "$path" "$max"
    local g
    g=$(ip netns exec "$sns" "$GEN" rate "$dst" "$PORT" "$rate" "$secs")
    wait "$RCV_PID" || true
    local sent el note=""
    sent=$(awk '{print $2}' <<<"$g")
    el=$(awk '{print $4}' <<<"$g")
    read -r got cpu <<<"$(receiver_result "$path")"
    if [[ $path == lib ]]; then
        note=$(awk '{print "server dropped " $6 " (queue full " $10 ", duplicates " $12 ")"}' \
            "$TMP/rcv.out")
    elif [[ $path == floor ]]; then
        note="socket drops $(awk '{print $4}' "$TMP/rcv.out")"
    else
        note=$(sed -n 's/.*dropped: \(.*\); NBDS.*/\1/p' "$TMP/rcv.err" | tail -n1)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$env" "$path" "$run" "$rate" \
        "$sent" "$got" "$el" "$cpu" "$note" >>"$OUT"
    echo "   $kind $env $path run $run: offered $rate/s, sent $sent, received $got, cpu ${cpu}s" >&2
}

# One send measurement: a live_floor sink in the receiver namespace, the
# sender timed from outside (process start included).
send_one() {
    local env=$1 path=$2 run=$3
    read -r sns rns dst <<<"$(env_ns "$env")"
    start_receiver "$rns" floor 30
    local cmd
    case $path in
    floor) cmd=("$GEN" burst "$dst" "$PORT" "$SEND_COUNT") ;;
    lib) cmd=("$LIB" send "$dst" "$PORT" "$SEND_COUNT") ;;
    lib_many) cmd=("$LIB" send-many "$dst" "$PORT" "$SEND_COUNT") ;;
    cli) cmd=("$CLI" send --to "$dst" --name 'BENCH<00>' --slot '\MAILSLOT\BENCH' --data \
        "$(printf 'x%.0s' {1..100})" --repeat "$SEND_COUNT" --interval 0 \
        --port "$PORT" -q) ;;
    cli_udp) cmd=("$CLI" send --to "$dst" --name 'BENCH<00>' --slot '\MAILSLOT\BENCH' --data \
        "$(printf 'x%.0s' {1..100})" --repeat "$SEND_COUNT" --interval 0 \
        --port "$PORT" --sport ephemeral -q) ;;
    cli_verbose) cmd=("$CLI" send --to "$dst" --name 'BENCH<00>' --slot '\MAILSLOT\BENCH' \
        --data "$(printf 'x%.0s' {1..100})" --repeat "$SEND_COUNT" --interval 0 \
        --port "$PORT") ;;
    esac
    local t0 t1
    t0=$EPOCHREALTIME
    local errf=$TMP/snd.err
    # The per-message lines of a verbose send are not kept.
    [[ $path == cli_verbose ]] && errf=/dev/null
    ip netns exec "$sns" /usr/bin/time -f '%U %S' -o "$TMP/snd.time" "${cmd[@]}" \
        >/dev/null 2>"$errf" || {
        echo "bench: live send $path failed:" >&2
        cat "$TMP/snd.err" >&2
        exit 1
    }
    t1=$EPOCHREALTIME
    wait "$RCV_PID" || true
    local got cpu el
    got=$(awk '{print $2}' "$TMP/rcv.out")
    cpu=$(awk 'END {print $1 + $2}' "$TMP/snd.time")
    el=$(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN {printf "%.3f", (b - a) / 1e6}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' send "$env" "$path" "$run" 0 \
        "$SEND_COUNT" "$got" "$el" "$cpu" "" >>"$OUT"
    echo "   send $env $path run $run: $SEND_COUNT in ${el}s, sink received $got" >&2
}

# The offered load: 0.9 x the highest rate the floor received without
# loss on a bounded ladder of 1 s steps (the rate the generator achieved:
# on a shared machine it may fall short of the step). The ladder stops at
# the floor's first loss or at the generator's second shortfall (< 97 %
# of the step).
RATES=(100000 200000 300000 400000 500000 600000 800000)
declare -A OFFER
for env in loopback veth; do
    best=0
    short=0
    for r in "${RATES[@]}"; do
        recv_one "$env" floor 0 "$r" 1 search
        row=$(tail -n1 "$OUT")
        sent=$(cut -f6 <<<"$row")
        got=$(cut -f7 <<<"$row")
        el=$(cut -f8 <<<"$row")
        achieved=$(awk -v s="$sent" -v e="$el" 'BEGIN {printf "%d", s / e}')
        if ((got < sent)); then
            break
        fi
        if ((achieved > best)); then
            best=$achieved
        fi
        if ((achieved * 100 < r * 97)) && ((++short >= 2)); then
            break
        fi
    done
    OFFER[$env]=$(awk -v b="$best" 'BEGIN {printf "%d", int(b * 0.9 / 10000) * 10000}')
    if ((OFFER[$env] < 10000)); then
        OFFER[$env]=10000
    fi
    printf 'offer\t%s\t\t\t%s\t\t\t\t\t\n' "$env" "${OFFER[$env]}" >>"$OUT"
    echo "   $env: offered load ${OFFER[$env]}/s" >&2
done

for ((run = 1; run <= RUNS; run++)); do
    for env in loopback veth; do
        for path in floor lib cli cli_json; do
            recv_one "$env" "$path" "$run" "${OFFER[$env]}" "$SECS" recv
        done
    done
done
for ((run = 1; run <= RUNS; run++)); do
    for env in loopback veth; do
        for path in floor lib lib_many cli cli_udp cli_verbose; do
            send_one "$env" "$path" "$run"
        done
    done
done
printf 'load\tafter\t\t\t\t\t\t\t\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
