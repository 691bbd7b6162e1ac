#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslotd's command line and life on loopback (about 5 s): --help and
# --version; bad options and configuration files refused with exit 2 and
# one line naming the option or the file and line; then, as root in a
# network namespace of its own (loopback, ports 5137/5138): started in the
# background it returns 0 once ready and its socket answers `mailslot
# status` (its UDP receive buffer the one the file asked for, an attached
# program's socket a 16 MiB send buffer on its side); a second one exits 1 naming the first; SIGHUP with a broken
# file keeps the running configuration and says why; a port held by
# another program makes it refuse, naming the holder; SIGTERM removes its
# socket. Skips the live part (and the whole test under
# MAILSLOT_REQUIRE_ALL fails) when not root.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
isolate_net "$@"
make_tmp
[[ -x $mailslotd ]] || { echo "FAIL: no mailslotd at $mailslotd"; exit 1; }
expect_one_line=1

# ---- options
version=$(sed -n 's/^project(mailslot VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
for h in --help -h; do
    "$mailslotd" $h >"$tmp/help" 2>&1 && head -1 "$tmp/help" | grep -qx 'usage: mailslotd \[OPTIONS\]' &&
        grep -q '^Exit status' "$tmp/help" && ok || bad "mailslotd $h"
done
for v in --version -V; do
    [[ $("$mailslotd" $v) == "mailslotd $version" ]] && ok || bad "mailslotd $v: $("$mailslotd" $v)"
done
expect 2 "^mailslotd: bad option '--bogus'; try 'mailslotd --help'$" -- "$mailslotd" --bogus
expect 2 "unexpected argument 'extra'" -- "$mailslotd" -F extra
expect 2 "^mailslotd: --queue: '0': not a number from 1 to 4096$" -- "$mailslotd" --queue 0
expect 2 "^mailslotd: --rcvbuf: '32M': not a number from 65536 to 1073741824$" -- \
    "$mailslotd" --rcvbuf 32M
expect 2 "^mailslotd: --name: 'SIXTEENCHARSLONG': longer than 15 characters$" -- "$mailslotd" -n SIXTEENCHARSLONG
expect 2 "^mailslotd: --wins: '192.0.2': not a unicast IPv4 address$" -- "$mailslotd" --wins 192.0.2
expect 2 "^mailslotd: --port: '0': not a number from 1 to 65535$" -- "$mailslotd" --port 0
expect 2 "^mailslotd: --workgroup: 'W<00>': a workgroup has no <xx> suffix$" -- "$mailslotd" -w 'W<00>'

# ---- configuration files
expect 2 "^mailslotd: $tmp/none.conf: No such file or directory$" -- "$mailslotd" -F -c "$tmp/none.conf"
printf '# ok\nname = A\n\nqueue = lots\n' >"$tmp/bad.conf"
expect 2 "^mailslotd: $tmp/bad.conf: line 4: queue: 'lots': not a number from 1 to 4096$" -- \
    "$mailslotd" -F -c "$tmp/bad.conf"
printf 'workgroup = A\nworkgroup = B\n' >"$tmp/twice.conf"
expect 2 "line 2: workgroup given twice \\(first on line 1\\)$" -- "$mailslotd" -F -c "$tmp/twice.conf"
printf 'color = blue\n' >"$tmp/key.conf"
expect 2 "line 1: unknown key 'color'" -- "$mailslotd" -F -c "$tmp/key.conf"
expect 2 "^mailslotd: $tmp: Is a directory$" -- "$mailslotd" -F -c "$tmp"

if ! is_root; then
    skipped+=("the live part needs root (a network namespace of its own)")
    finish
    exit
fi

# ---- live, on loopback
export MAILSLOTD_DIR=$tmp/run
mkdir -p "$MAILSLOTD_DIR"
printf 'name = FIRST\nworkgroup = LOOPWG\ninterface = lo\nrcvbuf = 1048576\n' >"$tmp/lo.conf"
args=(-c "$tmp/lo.conf" --port 5138 --name-port 5137)
t0=$EPOCHREALTIME
"$mailslotd" "${args[@]}" 2>"$tmp/bg.err"
rc=$?
[[ $rc == 0 && -S $MAILSLOTD_DIR/control && ! -s $tmp/bg.err ]] && ok ||
    bad "background start: exit $rc, socket $(ls "$MAILSLOTD_DIR"), stderr $(cat "$tmp/bg.err")"
"$cli" status --json >"$tmp/st.json" 2>"$tmp/st.err" && ok || bad "status: $(cat "$tmp/st.err")"
dpid=$(jq -r .daemon.pid "$tmp/st.json")
pids+=("$dpid")
[[ $(jq -r '[.names[] | select(.state == "active") | .name] | sort | join(" ")' "$tmp/st.json") == \
    "FIRST<00> LOOPWG<00> $(hostname | cut -d. -f1 | tr a-z A-Z | cut -c1-15)<00>" ]] && ok ||
    bad "names: $(jq -c .names "$tmp/st.json")"
# rcvbuf: UDP 5138's receive buffer as asked (Linux shows twice the
# size asked for: its bookkeeping share).
[[ $(ss -Hulmn 'sport = :5138' | grep -o 'rb[0-9]*' | head -1) == rb2097152 ]] && ok ||
    bad "rcvbuf = 1048576: $(ss -Hulmn 'sport = :5138')"
# A program attached: its socket's send buffer on the daemon's side is
# 16 MiB (twice that shown, as above), the daemon being root.
"$cli" listen --slot '\MAILSLOT\SBUF' --timeout 5 >/dev/null 2>&1 &
lpid=$!
pids+=("$lpid")
tb=
for ((i = 0; i < 30; i++)); do
    tb=$(ss -Hxmp 2>/dev/null | grep "pid=$dpid," | grep -o 'tb[0-9]*' | sort -u | tr '\n' ' ')
    [[ $tb == *tb33554432* ]] && break
    sleep 0.1
done
[[ $tb == *tb33554432* ]] && ok || bad "a client's send buffer: $tb"
kill "$lpid" 2>/dev/null
wait "$lpid" 2>/dev/null
echo "background start to ready: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}') s"
# Detached: its own session, not our child.
[[ $(ps -o sid= -p "$dpid" | tr -d ' ') == "$dpid" ]] && ok || bad "the daemon is not a session leader"

# A second one, in the background too: exit 1, its reason on stderr.
MAILSLOTD_DIR=$tmp/run2 "$mailslotd" "${args[@]}" 2>"$tmp/second.err"
rc=$?
[[ $rc == 1 ]] && grep -q "^mailslotd: UDP 5138 is held by mailslotd (pid $dpid)" "$tmp/second.err" && ok ||
    bad "second daemon: exit $rc: $(cat "$tmp/second.err")"

# SIGHUP with a broken file: the running configuration stays.
printf 'name = SECOND\nname = TWO WORDS\n' >"$tmp/lo.conf"
kill -HUP "$dpid"
sleep 0.5
"$cli" status --json >"$tmp/st2.json" 2>/dev/null
[[ $(jq -r '[.names[].name] | join(" ")' "$tmp/st2.json") == *FIRST* &&
    $(jq -r '[.names[].name] | join(" ")' "$tmp/st2.json") != *SECOND* ]] && ok ||
    bad "a broken file changed the names: $(jq -c .names "$tmp/st2.json")"

kill -TERM "$dpid"
for ((i = 0; i < 50; i++)); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$dpid" 2>/dev/null && [[ ! -e $MAILSLOTD_DIR/control ]] && ok ||
    bad "SIGTERM: still running or socket left: $(ls "$MAILSLOTD_DIR")"
expect 1 "^mailslot status: no mailslotd at $MAILSLOTD_DIR/control: mailslotd does not run" -- "$cli" status

# A port another program holds: refused, the holder named (-F: the
# error on stderr, exit 1).
printf 'interface = lo\n' >"$tmp/lo.conf"
/usr/bin/python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",5138)); time.sleep(5)' 2>/dev/null &
holder=$!
pids+=("$holder")
for ((i = 0; i < 30; i++)); do ss -Huln 'sport = :5138' | grep -q . && break; sleep 0.1; done
expect 1 "^mailslotd: UDP 5138 is held by python3 \\(pid $holder\\): mailslotd cannot run beside it$" -- \
    "$mailslotd" -F "${args[@]}"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
finish
