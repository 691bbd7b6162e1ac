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
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -x $cli ]] || skip "no mailslot CLI at $cli"
if grep -qs '^MAILSLOT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" ||
    nm -D "$cli" 2>/dev/null | grep -q '__asan_init'; then
    echo "valgrind_cli: not applicable to an ASan build ($cli); the plain build runs it"
    exit 0
fi
need valgrind

caps=()
for f in "$src"/captures/*.pcap "$src"/captures/*.pcapng "$src"/captures/*.cap \
    "$shared"/captures/*.pcap "$shared"/captures/*.pcapng "$shared"/captures/*.cap; do
    [[ -f $f ]] && caps+=("$f")
done
((${#caps[@]} > 0)) || skip "no captures in $src/captures or $shared/captures"
[[ -d $shared/captures ]] || skip "$shared/captures is missing"

make_tmp
work=$tmp

# One valgrind run per (command, capture), several at once.
jobs_max=$(nproc 2>/dev/null || echo 2)
((jobs_max > 4)) && jobs_max=4
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
    rc=$(cat "$work/$k.rc" 2>/dev/null || echo missing)
    if [[ $rc == 99 || $rc == missing || -s $work/$k.vg ]] || ((rc >= 128)); then
        bad "$(cat "$work/$k.what") (exit $rc)"
        head -n 40 "$work/$k.vg"
    else
        ok
    fi
done
echo "valgrind_cli: $i runs on ${#caps[@]} captures, $failed with memcheck errors or leaks ($((SECONDS - t0)) s)"
finish
