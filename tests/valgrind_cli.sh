#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# valgrind memcheck over the CLI: decode, decode --json, decode --stats and
# check on every capture in captures/ and ../shared/captures. Any memcheck
# error, or a definite or indirect leak, fails (exit 1). The exit status of
# the command itself is not judged here (some captures are meant to fail
# check), only what valgrind reports.
# Skips (exit 77; a failure under MAILSLOT_REQUIRE_ALL) when valgrind or the
# captures are missing. Under an ASan build (MAILSLOT_SANITIZE=ON) memcheck
# cannot run the binary; the plain build's run covers it, so it passes with
# a note.
set -u
src=${MAILSLOT_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
cli=${MAILSLOT_CLI:-$src/build/tools/mailslot}
shared=${MAILSLOT_SHARED:-$src/../shared}
build=${MAILSLOT_BUILD:-$(dirname "$(dirname "$cli")")}

skip_or_fail() {
    if [[ -n ${MAILSLOT_REQUIRE_ALL:-} && ${MAILSLOT_REQUIRE_ALL:-} != 0 ]]; then
        echo "FAIL (MAILSLOT_REQUIRE_ALL set, nothing may skip): $*"
        exit 1
    fi
    echo "skipped: $*"
    exit 77
}

[[ -x $cli ]] || skip_or_fail "no mailslot CLI at $cli"
if grep -qs '^MAILSLOT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" ||
    nm -D "$cli" 2>/dev/null | grep -q '__asan_init'; then
    echo "valgrind_cli: not applicable to an ASan build ($cli); the plain build runs it"
    exit 0
fi
command -v valgrind >/dev/null || skip_or_fail "valgrind is not installed"

caps=()
for f in "$src"/captures/*.pcap "$src"/captures/*.pcapng "$src"/captures/*.cap \
    "$shared"/captures/*.pcap "$shared"/captures/*.pcapng "$shared"/captures/*.cap; do
    [[ -f $f ]] && caps+=("$f")
done
((${#caps[@]} > 0)) || skip_or_fail "no captures in $src/captures or $shared/captures"
[[ -d $shared/captures ]] || skip_or_fail "$shared/captures is missing"

work=$(mktemp -d /tmp/mailslot-valgrind.XXXXXX)
trap 'rm -rf -- "$work"' EXIT

# One valgrind run per (command, capture), several at once.
jobs_max=$(nproc 2>/dev/null || echo 2)
((jobs_max > 4)) && jobs_max=4
runs=0
bad=0
t0=$SECONDS
vg() {   # ID ARGS...
    local id=$1
    shift
    valgrind --tool=memcheck -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --track-origins=no --read-inline-info=no --log-file="$work/$id.vg" \
        "$cli" "$@" >/dev/null 2>"$work/$id.err"
    echo $? >"$work/$id.rc"
}
i=0
for f in "${caps[@]}"; do
    for mode in decode decode-json decode-stats check; do
        i=$((i + 1))
        case $mode in
        decode) args=(decode -q "$f") ;;
        decode-json) args=(decode --json -q "$f") ;;
        decode-stats) args=(decode --stats -q "$f") ;;
        check) args=(check "$f") ;;
        esac
        printf '%s %s\n' "$mode" "$f" >"$work/$i.what"
        vg "$i" "${args[@]}" &
        while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n; done
    done
done
wait
for ((k = 1; k <= i; k++)); do
    runs=$((runs + 1))
    rc=$(cat "$work/$k.rc" 2>/dev/null || echo missing)
    if [[ $rc == 99 || $rc == missing || -s $work/$k.vg ]] || ((rc >= 128)); then
        bad=$((bad + 1))
        echo "FAIL: $(cat "$work/$k.what") (exit $rc)"
        head -n 40 "$work/$k.vg"
    fi
done
echo "valgrind_cli: $runs runs on ${#caps[@]} captures, $bad with memcheck errors or leaks ($((SECONDS - t0)) s)"
((bad == 0))
