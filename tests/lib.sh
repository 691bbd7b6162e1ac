# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034  # variables are for the sourcing test
# What every shell test shares: where things are, the ok/bad counters, the
# end-of-test summary, skipping (exit 77; under MAILSLOT_REQUIRE_ALL, as CI
# runs, a skip is a failure), a temporary directory and the background
# processes removed at exit. Source it first:  . "$(dirname "$0")/lib.sh"
# (tests/interop/netns.sh sources it for the namespace tests.)
src=${MAILSLOT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
build=${MAILSLOT_BUILD:-$src/build}
cli=${MAILSLOT_CLI:-$build/tools/mailslot}
mailslotd=${MAILSLOTD:-$build/daemon/mailslotd}
shared=${MAILSLOT_SHARED:-$src/../shared}
own=$src/captures/nmbd-announce.pcap  # nmbd's own frames (captures/README.md)
cc=${CC:-cc}
failed=0 passed=0
pids=()  # background processes the test started: stopped at exit

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Run "$@" and count it: ok when it succeeds, bad with msg otherwise.
check() {
    local msg=$1
    shift
    if "$@"; then ok; else bad "$msg"; fi
}

# expect STATUS PATTERN -- CMD...: CMD (no input) exits with STATUS and,
# unless PATTERN is empty, writes a line matching it (grep -E) on stderr;
# with expect_one_line=1 a failing CMD writes exactly one line there. Its
# output stays in $tmp/out and $tmp/err.
expect_one_line=0
expect() {
    local want=$1 pat=$2 got
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    if [ "$got" -ne "$want" ] || { [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/err"; }; then
        bad "$* -> exit $got (want $want), stderr: $(head -c 300 "$tmp/err")"
    elif ((expect_one_line)) && [ "$want" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
        bad "$* -> not one line: $(cat "$tmp/err")"
    else
        ok
    fi
}

# start_bg CMD...: CMD in the background (redirect the call), its PID in
# bgpid; stopped at exit unless reap has waited for it.
start_bg() {
    "$@" &
    bgpid=$!
    pids+=("$bgpid")
}

# reap [SIGNAL]: send SIGNAL to the last start_bg, if given, and wait for
# it; its exit status in rc.
reap() {
    local keep=() p
    [[ -z ${1:-} ]] || kill -"$1" "$bgpid"
    wait "$bgpid"
    rc=$?
    for p in "${pids[@]}"; do [[ $p == "$bgpid" ]] || keep+=("$p"); done
    pids=("${keep[@]}")
}

# listen_bg OUT ARGS...: `mailslot listen ARGS` in the background, output
# in OUT and OUT.err, its PID in lpid (and pids); after 0.3 s to bind.
listen_bg() {
    local out=$1
    shift
    "$cli" listen "$@" >"$out" 2>"$out.err" &
    lpid=$!
    pids+=("$lpid")
    sleep 0.3
}

require_all() { [[ -n ${MAILSLOT_REQUIRE_ALL:-} && ${MAILSLOT_REQUIRE_ALL:-} != 0 ]]; }

# Skip the whole test: exit 77, or fail when nothing may be skipped.
skip() {
    if require_all; then
        echo "FAIL (MAILSLOT_REQUIRE_ALL set, nothing may skip): $*"
        exit 1
    fi
    echo "skipped: $*"
    exit 77
}

# need CMD [WHY]: skip the test unless CMD is installed.
need() {
    command -v "$1" >/dev/null || skip "${2:-$1 is not installed}"
}

is_root() { [[ $EUID -eq 0 ]]; }

# The closing line and status: "N passed, M failed"; then, when all passed
# but some part could not run (its reason in skipped), a skip.
skipped=()
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] || return 1
    ((${#skipped[@]} == 0)) || skip "${skipped[*]}"
}

# A temporary directory in $tmp. At exit the processes in pids are stopped
# and the directory is removed (KEEP_WORK=1 keeps it).
make_tmp() {
    tmp=$(mktemp -d)
    if [[ -n ${KEEP_WORK:-} ]]; then
        echo "work directory: $tmp"
    fi
    trap lib_cleanup EXIT
}

# shellcheck disable=SC2317  # called by the trap
lib_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    [[ -n ${KEEP_WORK:-} ]] || rm -rf -- "$tmp"
}

# As root, run the rest of the test in a network namespace of its own (a
# fresh loopback, up): live captures on lo then hear only this test's
# traffic, not that of tests running beside it. The namespace goes when
# the test ends. Call it first:  isolate_net "$@"
isolate_net() {
    is_root && [[ -z ${MS_OWN_NETNS:-} ]] || return 0
    command -v unshare >/dev/null || return 0
    exec env MS_OWN_NETNS=1 unshare --net -- bash -c 'ip link set lo up && exec bash "$0" "$@"' \
        "$0" "$@"
}
