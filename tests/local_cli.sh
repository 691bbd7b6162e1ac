#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# Local mailslots from the CLI: `mailslot listen '\\.\mailslot\x'` and
# `mailslot send --to '\\.' --slot '\MAILSLOT\x'` in a private runtime
# directory; exists / not found, no network socket, local + network on one
# listener (loopback, a high port), 64 KiB, stale files after a SIGKILL.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset MAILSLOT_DIR
dir="$XDG_RUNTIME_DIR/mailslot"

# wait_for FILE: up to 5 s for a socket to appear
wait_for() {
    for _ in $(seq 50); do
        [ -S "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# 1. listen locally, three senders, both name forms.
"$cli" listen --data '\\.\mailslot\Cli\Test' --count 3 --timeout 10 >"$tmp/l1" 2>"$tmp/l1.err" &
l1=$!
pids+=("$l1")
wait_for "$dir/cli%5ctest.s" && ok || bad "listener socket did not appear"
[ "$(stat -c %a "$dir")" = 700 ] && ok || bad "directory mode $(stat -c %a "$dir")"
[ "$(stat -c %a "$dir/cli%5ctest.s")" = 600 ] && ok || bad "socket mode"
# no UDP socket for a local-only listener (ss must see its local socket,
# or it sees nothing of this process at all)
if ! command -v ss >/dev/null; then
    skipped+=("ss (iproute2) is not installed: the listener's sockets not checked")
elif ! ss -H -xanp 2>/dev/null | grep -q "pid=$l1,"; then
    bad "ss does not see the listener's local socket"
elif ss -H -uanp 2>/dev/null | grep -q "pid=$l1,"; then
    bad "local-only listener has a UDP socket"
else
    ok
fi
expect 4 "another server holds it" -- "$cli" listen '\MAILSLOT\cli\test' --timeout 1 \
    --local-access user '\\.\mailslot\CLI\TEST'
expect 0 "" -- "$cli" send --to '\\.' --slot '\MAILSLOT\cli\test' --data 'one'
expect 0 "" -- "$cli" send --to '//.' --slot '\\.\MAILSLOT\CLI\TEST' --data 'two words'
printf 'th\001ree' | "$cli" send -q --to '\\.' --slot '\mailslot\cli\TEST' && ok || bad "stdin send"
wait "$l1" && ok || bad "listener exit $?"
grep -q '^1 local \\MAILSLOT\\Cli\\Test 3 octets: "one"$' "$tmp/l1" && ok || bad "line 1: $(cat "$tmp/l1")"
grep -q '^2 local .* 9 octets: "two words"$' "$tmp/l1" && ok || bad "line 2"
grep -q '^3 local .* 6 octets: "th\\x01ree"$' "$tmp/l1" && ok || bad "line 3"
[ ! -e "$dir/cli%5ctest.s" ] && ok || bad "socket left after close"

# 2. not found, usage
expect 1 "does not exist" -- "$cli" send --to '\\.' --slot '\MAILSLOT\nobody' --data x
expect 2 "takes no -w" -- "$cli" send --to '\\.' --slot '\MAILSLOT\x' --data x -w "$tmp/x.pcap"
expect 2 "--net goes with" -- "$cli" listen --net --timeout 1
expect 2 "not a mailslot" -- "$cli" listen 'pipe\x' --timeout 1
expect 2 "local-access" -- "$cli" listen --local-access everyone '\\.\mailslot\x'

# 3. 64 KiB through the CLI, JSON output, world access
head -c 65536 /dev/zero | tr '\0' 'k' >"$tmp/big"
"$cli" listen --json --local-access world '\\.\mailslot\big' --count 1 --timeout 10 \
    >"$tmp/l2" 2>"$tmp/l2.err" &
l2=$!
pids+=("$l2")
wait_for "$dir/big.s" && ok || bad "big socket"
[ "$(stat -c %a "$dir/big.s")" = 666 ] && ok || bad "world socket mode"
[ "$(stat -c %a "$dir")" = 711 ] && ok || bad "world directory mode"
expect 0 "65536 data octets" -- "$cli" send --to '\\.' --slot '\MAILSLOT\big' --file "$tmp/big"
wait "$l2" && ok || bad "big listener exit"
grep -q '"local":true,"slot":"\\\\MAILSLOT\\\\big","len":65536,' "$tmp/l2" && ok ||
    bad "big json: $(head -c 200 "$tmp/l2")"

# 4. local and network on one listener (loopback, high port)
port=$((30000 + ($$ % 20000)))
"$cli" listen --net --data --bind 127.0.0.1 --port "$port" '\\.\mailslot\both' --count 2 \
    --timeout 10 >"$tmp/l3" 2>"$tmp/l3.err" &
l3=$!
pids+=("$l3")
wait_for "$dir/both.s" && ok || bad "both socket"
expect 0 "" -- "$cli" send --to '\\.' --slot '\MAILSLOT\both' --data 'by-socket'
expect 0 "" -- "$cli" send --to 127.0.0.1 --name 'SERVER<00>' --from TESTER --port "$port" \
    --sport $((port + 1)) --slot '\MAILSLOT\both' --data 'by-udp'
wait "$l3" && ok || bad "both listener exit: $(cat "$tmp/l3.err")"
grep -q 'local .*"by-socket"' "$tmp/l3" && ok || bad "local message missing: $(cat "$tmp/l3")"
grep -q 'DIRECT_UNIQUE TESTER<00> -> SERVER<00> .*both 6 octets' "$tmp/l3" && ok || bad "network message missing: $(cat "$tmp/l3")"

# 5. SIGKILLed listener: stale socket, "does not exist", a new one starts
"$cli" listen '\\.\mailslot\crash' --timeout 30 >/dev/null 2>&1 &
l4=$!
pids+=("$l4")
wait_for "$dir/crash.s" && ok || bad "crash socket"
kill -KILL "$l4"
wait "$l4" 2>/dev/null
[ -S "$dir/crash.s" ] && ok || bad "expected a stale socket"
expect 1 "does not exist" -- "$cli" send --to '\\.' --slot '\MAILSLOT\crash' --data x
"$cli" listen --data '\\.\mailslot\crash' --count 1 --timeout 10 >"$tmp/l5" 2>&1 &
l5=$!
pids+=("$l5")
sleep 0.3
expect 0 "" -- "$cli" send --to '\\.' --slot '\MAILSLOT\crash' --data again
wait "$l5" && ok || bad "restarted listener: $(cat "$tmp/l5")"
grep -q '"again"' "$tmp/l5" && ok || bad "restarted listener output"

finish
