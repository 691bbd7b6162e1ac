#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Receiving through mailslotd (issue 14, point 8): over a veth pair between
# two network namespaces of our own (192.0.2.1 -> 192.0.2.2), find the
# recvmmsg floor's loss-free rate the way bench/live.sh does (a ladder of
# 1 s steps of bench/live_floor on UDP 138), then, RUNS times:
#   - the floor at 0.5 x that rate for SECONDS (its CPU per datagram at
#     the very load the daemon gets);
#   - `mailslotd -F` as root (UDP 138, 32 MiB receive buffer, its own
#     $MAILSLOTD_DIR, holding BENCH<00>) with bench/live_daemon attached
#     (ms_server through the daemon, one mailslot \MAILSLOT\BENCH), the
#     same load for SECONDS: sent (generator), received (receiver), the
#     daemon's STATUS counters, the kernel's drops on UDP 138, CPU per
#     datagram of the daemon and of the receiver.
#
#   bench/daemon.sh [--runs N] [--seconds S] [--queue N] [--build DIR]
#                   [--mailslotd PATH]
#
# Builds what it needs in DIR (default build-bench, like bench/run.sh);
# --mailslotd measures another daemon binary instead (an older build, for
# a before/after; one without --rcvbuf uses its built-in 32 MiB).
# Needs root and ip(8); everything it creates carries this shell's PID in
# its name and is removed on exit. BENCH_PERF=DIR: perf record -g of the
# daemon and the receiver for half of each run, into DIR. Writes a table on stdout and the raw
# rows to DIR/bench/daemon.tsv. Never part of the test run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
RUNS=3
SECS=10
QUEUE=
DAEMON_BIN=
while (($#)); do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --queue) QUEUE=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --mailslotd) DAEMON_BIN=$2; shift 2 ;;
    *)
        echo "usage: bench/daemon.sh [--runs N] [--seconds S] [--queue N] [--build DIR]" \
            "[--mailslotd PATH]" >&2
        exit 2
        ;;
    esac
done
if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
    echo "bench: needs root and ip(8) for network namespaces" >&2
    exit 1
fi

echo "== build (RelWithDebInfo) in $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target mailslot_cli mailslot mailslotd >/dev/null
mkdir -p "$BUILD/bench"
CFLAGS=(-std=c11 -O2 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE)
cc "${CFLAGS[@]}" "$ROOT/bench/live_floor.c" -o "$BUILD/bench/live_floor"
INCS=()
for d in "$ROOT"/include/*/; do INCS+=(-I"$d"); done
for prog in live_gen live_daemon; do
    cc "${CFLAGS[@]}" "${INCS[@]}" "$ROOT/bench/$prog.c" -L"$BUILD" -Wl,-rpath,"$BUILD" \
        -lmailslot -lpcap -o "$BUILD/bench/$prog"
done
CLI=$BUILD/tools/mailslot
MAILSLOTD=${DAEMON_BIN:-$BUILD/daemon/mailslotd}
GEN=$BUILD/bench/live_gen
FLOOR=$BUILD/bench/live_floor
RCV=$BUILD/bench/live_daemon
OUT=$BUILD/bench/daemon.tsv
: >"$OUT"
PORT=138
SRC=192.0.2.1
DST=192.0.2.2

NS_A=msd-$$-a
NS_B=msd-$$-b
VA=msd$$a
VB=msd$$b
PIDS=()
TMP=$(mktemp -d)
cleanup() {
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B"
ip -n "$NS_A" addr add "$SRC/24" dev "$VA"
ip -n "$NS_B" addr add "$DST/24" dev "$VB"
for ns in "$NS_A" "$NS_B"; do
    ip -n "$ns" link set lo up
done
ip -n "$NS_A" link set "$VA" up
ip -n "$NS_B" link set "$VB" up
sleep 0.5
# ARP before any timed run.
ip netns exec "$NS_A" "$GEN" rate "$DST" "$PORT" 1000 0.1 >/dev/null

# CPU seconds (user + system) of a running process, from /proc.
proc_cpu() {
    awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"
}

# The kernel's receive-buffer drops on UDP 138 in namespace B (the socket's
# drops column of /proc/net/udp; 0 when nothing is bound).
udp_drops() {
    ip netns exec "$NS_B" awk -v p="$(printf ':%04X' "$PORT")" \
        'index($2, p) == length($2) - 4 {d += $NF} END {print d + 0}' /proc/net/udp
}

# floor RATE SECONDS KIND RUN: one floor measurement; appends a row
#   KIND run offered sent received seconds cpu_s note
floor() {
    local rate=$1 secs=$2 kind=$3 run=$4 max
    max=$(awk -v s="$secs" 'BEGIN {print s + 1.5}')
    ip netns exec "$NS_B" "$FLOOR" "$PORT" "$max" >"$TMP/floor.out" 2>&1 &
    local fp=$!
    PIDS+=("$fp")
    sleep 0.4
    local g
    g=$(ip netns exec "$NS_A" "$GEN" rate "$DST" "$PORT" "$rate" "$secs")
    wait "$fp" || true
    local sent el got cpu drops
    read -r _ sent _ el _ <<<"$g"
    read -r _ got _ drops _ cpu <"$TMP/floor.out"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$run" "$rate" "$sent" "$got" "$el" \
        "$cpu" "socket drops $drops" >>"$OUT"
    echo "   $kind floor run $run: offered $rate/s, sent $sent, received $got, cpu ${cpu}s" >&2
}

# The floor's loss-free rate: bench/live.sh's ladder (1 s steps; stops at
# the first loss or the generator's second shortfall), the highest rate
# achieved without loss.
RATES=(100000 200000 300000 400000 500000 600000 800000)
best=0
short=0
for r in "${RATES[@]}"; do
    floor "$r" 1 search 0
    row=$(tail -n1 "$OUT")
    sent=$(cut -f4 <<<"$row")
    got=$(cut -f5 <<<"$row")
    el=$(cut -f6 <<<"$row")
    achieved=$(awk -v s="$sent" -v e="$el" 'BEGIN {printf "%d", s / e}')
    ((got < sent)) && break
    ((achieved > best)) && best=$achieved
    if ((achieved * 100 < r * 97)) && ((++short >= 2)); then
        break
    fi
done
OFFER=$(awk -v b="$best" 'BEGIN {printf "%d", int(b * 0.5 / 1000) * 1000}')
((OFFER >= 1000)) || OFFER=1000
printf 'offer\t\t%s\t\t\t\t\tfloor loss-free %s/s\n' "$OFFER" "$best" >>"$OUT"
echo "   floor loss-free rate $best/s: offered load $OFFER/s" >&2

RUN=$TMP/run
mkdir -p "$RUN"
: >"$TMP/empty.conf"
DARGS=(-F -c "$TMP/empty.conf" -i "$VB" --name BENCH)
[[ -n $QUEUE ]] && DARGS+=(--queue "$QUEUE")
"$MAILSLOTD" --help | grep -q -- --rcvbuf && DARGS+=(--rcvbuf $((32 << 20)))

# status KEY...: values from the daemon's STATUS (mailslot status --json).
status_json() {
    ip netns exec "$NS_B" env MAILSLOTD_DIR="$RUN" timeout 10 "$CLI" status --json
}

# One run through the daemon; appends a row
#   daemon run offered sent received seconds cpu_s note
# with cpu_s the daemon's and the note the receiver's CPU and the counters.
through_daemon() {
    local run=$1 rate=$2 secs=$3
    ip netns exec "$NS_B" env MAILSLOTD_DIR="$RUN" unshare --uts /bin/sh -c \
        'hostname benchhost && exec "$0" "$@"' "$MAILSLOTD" "${DARGS[@]}" \
        >/dev/null 2>"$TMP/d.err" &
    local dp=$!
    PIDS+=("$dp")
    local i
    for ((i = 0; i < 150; i++)); do
        grep -qs 'ready: holding' "$TMP/d.err" && break
        kill -0 "$dp" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'ready: holding' "$TMP/d.err"; then
        local rc=running
        kill -0 "$dp" 2>/dev/null || { wait "$dp"; rc="exit $?"; } || true
        echo "bench: mailslotd did not become ready ($rc):" >&2
        cat "$TMP/d.err" >&2
        exit 1
    fi
    local max
    max=$(awk -v s="$secs" 'BEGIN {print s + 1.5}')
    ip netns exec "$NS_B" env MAILSLOTD_DIR="$RUN" "$RCV" '\MAILSLOT\BENCH' "$max" \
        >"$TMP/r.out" 2>"$TMP/r.err" &
    local rp=$!
    PIDS+=("$rp")
    for ((i = 0; i < 50; i++)); do
        grep -qs ready "$TMP/r.err" && break
        kill -0 "$rp" 2>/dev/null || break
        sleep 0.1
    done
    local st0 dc0 kd0
    st0=$(status_json)
    dc0=$(proc_cpu "$dp")
    kd0=$(udp_drops)
    local pp=()
    if [[ -n ${BENCH_PERF:-} ]]; then
        # Profiles of both processes under the load (perf record -g).
        mkdir -p "$BENCH_PERF"
        perf record -q -g -o "$BENCH_PERF/daemon-$run.perf" -p "$dp" -- sleep "$((secs / 2))" \
            >/dev/null 2>&1 &
        pp+=($!)
        perf record -q -g -o "$BENCH_PERF/receiver-$run.perf" -p "$rp" -- sleep "$((secs / 2))" \
            >/dev/null 2>&1 &
        pp+=($!)
    fi
    local g
    g=$(ip netns exec "$NS_A" "$GEN" rate "$DST" "$PORT" "$rate" "$secs")
    wait "$rp" || true
    for p in "${pp[@]}"; do wait "$p" || true; done
    local dc1 kd1 st1
    dc1=$(proc_cpu "$dp")
    kd1=$(udp_drops)
    st1=$(status_json)
    kill "$dp" 2>/dev/null || true
    wait "$dp" || true
    local sent el got ddrop qfull rcpu dcpu
    read -r _ sent _ el _ <<<"$g"
    read -r _ got _ ddrop _ qfull _ rcpu <"$TMP/r.out"
    dcpu=$(awk -v a="$dc0" -v b="$dc1" 'BEGIN {printf "%.2f", b - a}')
    local c
    c=$(jq -r -n --argjson a "$st0" --argjson b "$st1" \
        '[($b.counters.datagrams - $a.counters.datagrams), ($b.counters.delivered - $a.counters.delivered),
          ($b.counters.queue_full - $a.counters.queue_full)] | map(tostring) | join(" ")')
    local dgr del qf
    read -r dgr del qf <<<"$c"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' daemon "$run" "$rate" "$sent" "$got" "$el" \
        "$dcpu" "receiver_cpu $rcpu daemon_datagrams $dgr daemon_delivered $del daemon_queue_full $qf daemon_dropped_reported $ddrop lib_queue_full $qfull kernel_drops $((kd1 - kd0))" \
        >>"$OUT"
    echo "   daemon run $run: offered $rate/s, sent $sent, daemon read $dgr, delivered $del," \
        "received $got; kernel drops $((kd1 - kd0)), daemon queue_full $qf;" \
        "cpu daemon ${dcpu}s receiver ${rcpu}s" >&2
}

for ((run = 1; run <= RUNS; run++)); do
    floor "$OFFER" "$SECS" recv "$run"
    through_daemon "$run" "$OFFER" "$SECS"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$OUT" "$best" "$OFFER" "$SECS" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import sys
out, best, offer, secs, lb, la = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(out) if l.strip()]
print(f"floor loss-free rate (veth, 1 s ladder): {int(best):,} datagrams/s; "
      f"offered 0.5 x = {int(offer):,}/s for {secs} s; load average {lb} -> {la}")
print()
print("| run | path | sent | received | lost | CPU µs/dgram | × floor | notes |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
floor_us = {}
for r in rows:
    kind, run = r[0], r[1]
    if kind not in ("recv", "daemon"):
        continue
    sent, got, cpu = int(r[3]), int(r[4]), float(r[6])
    us = cpu / got * 1e6 if got else 0.0
    if kind == "recv":
        floor_us[run] = us
        print(f"| {run} | floor | {sent:,} | {got:,} | {sent - got:,} | {us:.2f} | 1.00 | {r[7]} |")
        continue
    kv = r[7].split()
    note = dict(zip(kv[0::2], kv[1::2]))
    rus = float(note["receiver_cpu"]) / got * 1e6 if got else 0.0
    f = floor_us.get(run) or 0
    ratio = lambda x: f"{x / f:.2f}" if f else "-"
    print(f"| {run} | mailslotd | {sent:,} | {note['daemon_datagrams']} read | "
          f"{sent - int(note['daemon_datagrams']):,} | {us:.2f} | {ratio(us)} | "
          f"kernel drops {note['kernel_drops']}, queue full {note['daemon_queue_full']}, "
          f"delivered {note['daemon_delivered']} |")
    print(f"| {run} | receiver (live_daemon) | {note['daemon_delivered']} | {got:,} | "
          f"{sent - got:,} | {rus:.2f} | {ratio(rus)} | daemon-reported drops "
          f"{note['daemon_dropped_reported']}, library queue full {note['lib_queue_full']} |")
    print(f"| {run} | daemon + receiver | {sent:,} | {got:,} | {sent - got:,} | "
          f"{us + rus:.2f} | {ratio(us + rus)} | |")
EOF
