#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The capture-decoding benchmark (issue 6): builds the project optimised and
# a libpcap floor program, generates deterministic corpora outside the
# source tree, times the floor, mailslot decode/check and tshark on them,
# interleaved over several runs, and writes docs/PERFORMANCE.md.
#
#   bench/run.sh [--quick]
#
# --quick: 2 runs, 10k and 100k datagrams only (and docs/PERFORMANCE.md is
# written to the build directory instead, so a quick look never replaces
# the committed table). Environment: BENCH_BUILD (default build-bench),
# BENCH_CORPORA (default $BENCH_BUILD/corpora), BENCH_RUNS, BENCH_OUT.
# Never part of the test run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
CORPORA=${BENCH_CORPORA:-$BUILD/corpora}
QUICK=0
if [[ ${1:-} == --quick ]]; then
    QUICK=1
elif [[ $# -gt 0 ]]; then
    echo "usage: bench/run.sh [--quick]" >&2
    exit 2
fi
if ((QUICK)); then
    RUNS=${BENCH_RUNS:-2}
    SIZES=(10000 100000)
    OUT=${BENCH_OUT:-$BUILD/PERFORMANCE.md}
else
    RUNS=${BENCH_RUNS:-5}
    SIZES=(10000 100000 1000000)
    OUT=${BENCH_OUT:-$ROOT/docs/PERFORMANCE.md}
fi
# tshark does ~30 k frames/s here: 1 M datagrams would take minutes per run.
TSHARK_MAX=100000

for tool in cmake cc editcap tshark python3 valgrind callgrind_annotate /usr/bin/time; do
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
# Against the shared library, which brings its own dependencies along.
cc "${CFLAGS[@]}" -I"$ROOT/include" "$ROOT/bench/gen.c" -L"$BUILD" -Wl,-rpath,"$BUILD" \
    -lmailslot -lpcap -o "$BUILD/bench/gen"

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

python3 "$ROOT/bench/report.py" --results "$RESULTS" --profile "$PROF" --cli "$CLI" \
    --root "$ROOT" --runs "$RUNS" --corpora "$CORPORA" --out "$OUT"
echo "== wrote $OUT"
