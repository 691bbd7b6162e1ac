# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034  # variables are for the sourcing test
# What every shell test shares: where things are, the ok/bad counters, the
# end-of-test summary, and skipping (exit 77; under MAILSLOT_REQUIRE_ALL, as
# CI runs, a skip is a failure). Source it first:  . "$(dirname "$0")/lib.sh"
cli=${MAILSLOT_CLI:-build/tools/mailslot}
src=${MAILSLOT_SRC:-.}
build=${MAILSLOT_BUILD:-build}
shared=${MAILSLOT_SHARED:-$src/../shared}
failed=0 passed=0

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Run "$@" and count it: ok when it succeeds, bad with msg otherwise.
check() {
    local msg=$1
    shift
    if "$@"; then ok; else bad "$msg"; fi
}

require_all() { [[ -n ${MAILSLOT_REQUIRE_ALL:-} && ${MAILSLOT_REQUIRE_ALL:-} != 0 ]]; }

# Skip the whole test: exit 77, or fail when nothing may be skipped.
skip() {
    if require_all; then
        echo "FAIL (MAILSLOT_REQUIRE_ALL set, nothing may skip): $*"
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

# The closing line and status: "N passed, M failed".
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# A temporary directory removed at exit (KEEP_WORK=1 keeps it).
make_tmp() {
    tmp=$(mktemp -d)
    if [[ -n ${KEEP_WORK:-} ]]; then
        echo "work directory: $tmp"
    else
        trap 'rm -rf "$tmp"' EXIT
    fi
}

# As root, run the rest of the test in a network namespace of its own (a
# fresh loopback, up): live captures on lo then hear only this test's
# traffic, not that of tests running beside it. The namespace goes when
# the test ends. Call it first:  isolate_net "$@"
isolate_net() {
    [[ $(id -u) -eq 0 && -z ${MS_OWN_NETNS:-} ]] || return 0
    command -v unshare >/dev/null || return 0
    exec env MS_OWN_NETNS=1 unshare --net -- bash -c 'ip link set lo up && exec bash "$0" "$@"' \
        "$0" "$@"
}
