#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# The Win32-style example pair (examples/): mailslot_server creates
# \\.\mailslot\sample_mailslot, mailslot_client opens it and writes three
# messages; a second server on the same name fails; the client fails when
# no server runs. Private runtime directory.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
srv="$build/examples/mailslot_server"
cln="$build/examples/mailslot_client"
make_tmp
export XDG_RUNTIME_DIR="$tmp"
unset MAILSLOT_DIR MAILSLOT_PATH
if [ ! -x "$srv" ] || [ ! -x "$cln" ]; then
    echo "FAIL: examples not built in $build/examples"
    exit 1
fi

"$cln" >"$tmp/c0" 2>&1 && bad "client succeeded with no server" || ok
grep -q "CreateFile failed: .*not found" "$tmp/c0" && ok || bad "client error: $(cat "$tmp/c0")"

start_bg "$srv" 3 >"$tmp/s" 2>&1
for _ in $(seq 50); do
    grep -q "CreateMailslot .* ok" "$tmp/s" 2>/dev/null && break
    sleep 0.1
done
"$srv" >"$tmp/s2" 2>&1 && bad "second server succeeded" || ok
grep -q "CreateMailslot failed: already exists" "$tmp/s2" && ok || bad "second server: $(cat "$tmp/s2")"
"$cln" >"$tmp/c" 2>&1 && ok || bad "client: $(cat "$tmp/c")"
timeout 10 tail --pid="$bgpid" -f /dev/null
reap
[ "$rc" -eq 0 ] && ok || bad "server exit status"
for m in one two three; do
    grep -q "^Message #[0-9]: Message $m for mailslot.$" "$tmp/s" && ok || bad "message $m: $(cat "$tmp/s")"
done
grep -q "^CloseHandle: 3 message(s)$" "$tmp/s" && ok || bad "close: $(cat "$tmp/s")"
[ -z "$(ls -A "$tmp/mailslot")" ] && ok || bad "files left: $(ls "$tmp/mailslot")"
"$cln" >/dev/null 2>&1 && bad "client succeeded after the server closed" || ok
finish
