#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Win32-style example pair (examples/): mailslot_server creates
# \\.\mailslot\sample_mailslot, mailslot_client opens it and writes three
# messages; a second server on the same name fails; the client fails when
# no server runs. Private runtime directory.
set -u
build=${MAILSLOT_BUILD:-build}
srv="$build/examples/mailslot_server"
cln="$build/examples/mailslot_client"
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR="$tmp"
unset MAILSLOT_DIR MAILSLOT_PATH
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
if [ ! -x "$srv" ] || [ ! -x "$cln" ]; then
    echo "FAIL: examples not built in $build/examples"
    exit 1
fi

"$cln" >"$tmp/c0" 2>&1 && fail "client succeeded with no server"
grep -q "CreateFile failed: .*not found" "$tmp/c0" || fail "client error: $(cat "$tmp/c0")"

"$srv" 3 >"$tmp/s" 2>&1 &
pid=$!
for _ in $(seq 50); do
    grep -q "CreateMailslot .* ok" "$tmp/s" 2>/dev/null && break
    sleep 0.1
done
"$srv" >"$tmp/s2" 2>&1 && fail "second server succeeded"
grep -q "CreateMailslot failed: already exists" "$tmp/s2" || fail "second server: $(cat "$tmp/s2")"
"$cln" >"$tmp/c" 2>&1 || fail "client: $(cat "$tmp/c")"
timeout 10 tail --pid="$pid" -f /dev/null
wait "$pid" || fail "server exit status"
pid=
for m in one two three; do
    grep -q "^Message #[0-9]: Message $m for mailslot.$" "$tmp/s" || fail "message $m: $(cat "$tmp/s")"
done
grep -q "^CloseHandle: 3 message(s)$" "$tmp/s" || fail "close: $(cat "$tmp/s")"
[ -z "$(ls -A "$tmp/mailslot")" ] || fail "files left: $(ls "$tmp/mailslot")"
"$cln" >/dev/null 2>&1 && fail "client succeeded after the server closed"
[ "$failed" -eq 0 ] && echo "local_examples: ok"
[ "$failed" -eq 0 ]
