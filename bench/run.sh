#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark (issue 6): builds the project optimised and floor programs,
# then (1) generates deterministic corpora outside the source tree and times
# the libpcap floor, mailslot decode/check and tshark on them, interleaved
# over several runs; (2) the live part (bench/live.sh): receive through a
# recvmmsg floor, the library and `mailslot listen`, and send through a
# sendmmsg floor, the library and `mailslot send`, over the loopback of a
# network namespace and a veth pair between two (needs root); and writes
# docs/PERFORMANCE.md.
#
#   bench/run.sh [--quick] [--live-only]
#
# --quick: 2 runs, 10k and 100k datagrams only, 1 live run of 2 s (and
# docs/PERFORMANCE.md is written to the build directory instead, so a quick
# look never replaces the committed table). --live-only: only the live part;
# the capture part of the file is kept as it is. Environment: BENCH_BUILD
# (default build-bench), BENCH_CORPORA (default $BENCH_BUILD/corpora),
# BENCH_RUNS, BENCH_OUT, BENCH_LIVE_RUNS (5), BENCH_LIVE_SECONDS (3).
# Never part of the test run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
CORPORA=${BENCH_CORPORA:-$BUILD/corpora}
QUICK=0
LIVE_ONLY=0
for arg in "$@"; do
    case $arg in
    --quick) QUICK=1 ;;
    --live-only) LIVE_ONLY=1 ;;
    *)
        echo "usage: bench/run.sh [--quick] [--live-only]" >&2
        exit 2
        ;;
    esac
done
if ((QUICK)); then
    RUNS=${BENCH_RUNS:-2}
    SIZES=(10000 100000)
    OUT=${BENCH_OUT:-$BUILD/PERFORMANCE.md}
    LIVE_RUNS=${BENCH_LIVE_RUNS:-1}
    LIVE_SECS=${BENCH_LIVE_SECONDS:-2}
else
    RUNS=${BENCH_RUNS:-5}
    SIZES=(10000 100000 1000000)
    OUT=${BENCH_OUT:-$ROOT/docs/PERFORMANCE.md}
    LIVE_RUNS=${BENCH_LIVE_RUNS:-5}
    LIVE_SECS=${BENCH_LIVE_SECONDS:-3}
fi
# tshark does ~30 k frames/s here: 1 M datagrams would take minutes per run.
TSHARK_MAX=100000

TOOLS=(cmake cc python3 /usr/bin/time)
((LIVE_ONLY)) || TOOLS+=(editcap tshark valgrind callgrind_annotate)
for tool in "${TOOLS[@]}"; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench: $tool is missing (Debian: cmake gcc tshark python3 valgrind time)" >&2
        exit 1
    fi
done

echo "== build (RelWithDebInfo) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target mailslot_cli mailslot >/dev/null
CLI=$BUILD/tools/mailslot
mkdir -p "$BUILD/bench" "$CORPORA"
CFLAGS=(-std=c11 -O2 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE)
cc "${CFLAGS[@]}" "$ROOT/bench/floor.c" -lpcap -o "$BUILD/bench/floor"
cc "${CFLAGS[@]}" "$ROOT/bench/live_floor.c" -o "$BUILD/bench/live_floor"
# Against the shared library, which brings its own dependencies along. The
# public headers sit in one folder per layer (include/LAYER/mailslot).
INCS=()
for d in "$ROOT"/include/*/; do INCS+=(-I"$d"); done
for prog in gen live_gen live_lib; do
    cc "${CFLAGS[@]}" "${INCS[@]}" "$ROOT/bench/$prog.c" -L"$BUILD" -Wl,-rpath,"$BUILD" \
        -lmailslot -lpcap -o "$BUILD/bench/$prog"
done

LIVE=$BUILD/bench/live.tsv
: >"$LIVE"
if ((LIVE_ONLY)); then
    echo "== live: $LIVE_RUNS runs of ${LIVE_SECS} s"
    bash "$ROOT/bench/live.sh" "$BUILD" "$LIVE" "$LIVE_RUNS" "$LIVE_SECS"
    python3 "$ROOT/bench/report.py" --root "$ROOT" --out "$OUT" --live "$LIVE" \
        --live-runs "$LIVE_RUNS" --live-seconds "$LIVE_SECS" --live-only
    echo "== wrote $OUT (live part)"
    exit 0
fi

echo "== corpora in $CORPORA"
FILES=()
for n in "${SIZES[@]}"; do
    f=$CORPORA/mix-$n.pcap
    # Regenerated whenever the generator changed (same seed, same octets).
    if [[ ! -s $f || $ROOT/bench/gen.c -nt $f ]]; then
        "$BUILD/bench/gen" "$f.tmp" "$n" 138
        mv "$f.tmp" "$f"
        editcap -F pcapng "$f" "$f.tmp.pcapng"
        mv "$f.tmp.pcapng" "${f%.pcap}.pcapng"
    fi
    FILES+=("$f" "${f%.pcap}.pcapng")
done

RESULTS=$BUILD/bench/results.tsv
: >"$RESULTS"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One timed run: wall microseconds (bash's microsecond clock around the whole
# process, /usr/bin/time included: the same small constant for every tool)
# and peak RSS in KiB. Output goes to /dev/null; a failure stops the bench.
measure() {
    local run=$1 file=$2 name=$3
    shift 3
    local t0 t1 rc=0
    t0=$EPOCHREALTIME
    /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/err" || rc=$?
    t1=$EPOCHREALTIME
    # check exits 1 when a datagram breaks a MUST rule: still a measurement.
    if ((rc != 0 && rc != 1)); then
        echo "bench: $name on $file failed ($rc):" >&2
        cat "$TMP/err" >&2
        exit 1
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$(basename "$file")" "$name" \
        "$((${t1/./} - ${t0/./}))" "$(tail -n1 "$TMP/rss")" >>"$RESULTS"
}

TSHARK_FIELDS=(-e nbdgm.type -e nbdgm.source_name -e mailslot.name -e browser.command)
echo "== $RUNS runs, interleaved"
for ((run = 1; run <= RUNS; run++)); do
    for f in "${FILES[@]}"; do
        echo "   run $run: $(basename "$f")"
        measure "$run" "$f" floor "$BUILD/bench/floor" "$f"
        measure "$run" "$f" check "$CLI" check -q "$f"
        measure "$run" "$f" decode_json "$CLI" decode --json -q "$f"
        measure "$run" "$f" decode_text "$CLI" decode -q "$f"
        measure "$run" "$f" decode_stats "$CLI" decode --stats -q "$f"
        n=$(basename "$f")
        n=${n#mix-}
        n=${n%%.*}
        if ((n <= TSHARK_MAX)); then
            measure "$run" "$f" tshark tshark -r "$f" -Y udp.port==138 -T fields \
                "${TSHARK_FIELDS[@]}"
        fi
    done
done

echo "== profile (callgrind, 100k pcap)"
PROF=$BUILD/bench/profile
mkdir -p "$PROF"
profile() {
    local tag=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$PROF/$tag.out" "$@" \
        "$CORPORA/mix-100000.pcap" >/dev/null 2>"$PROF/$tag.log" || true
}
profile floor "$BUILD/bench/floor"
profile check "$CLI" check -q
profile decode_json "$CLI" decode --json -q
profile decode_text "$CLI" decode -q

echo "== live: $LIVE_RUNS runs of ${LIVE_SECS} s"
bash "$ROOT/bench/live.sh" "$BUILD" "$LIVE" "$LIVE_RUNS" "$LIVE_SECS"

python3 "$ROOT/bench/report.py" --results "$RESULTS" --profile "$PROF" --cli "$CLI" \
    --root "$ROOT" --runs "$RUNS" --corpora "$CORPORA" --out "$OUT" --live "$LIVE" \
    --live-runs "$LIVE_RUNS" --live-seconds "$LIVE_SECS"
echo "== wrote $OUT"
