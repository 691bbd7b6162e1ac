#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# The CLI's conventions (issue 7): --help and --version on every
# subcommand, bash completion made from the same option tables as --help,
# filters (--slot, --type, --name, a BPF expression), -c, -w with '-' for
# standard output, colour only on a terminal, the progress line, a quiet
# end on a closed pipe, and SIGINT/SIGTERM: counters printed, unfinished
# output files removed, status 128+N. Needs only the project's captures.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
need script "'script' (util-linux) is not installed: no terminal to test with"

version=$("$cli" --version)
[[ $version =~ ^mailslot\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && ok || bad "mailslot --version: '$version'"

# ---- --help and --version on every subcommand (the list from --help)
subs=$("$cli" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ "$(echo "$subs" | wc -w)" -ge 7 ] && ok || bad "mailslot --help lists too few commands: $subs"
for s in $subs; do
    for h in --help -h; do
        out=$("$cli" "$s" $h 2>&1); rc=$?
        [ $rc -eq 0 ] && [[ $out == "usage: mailslot $s"* ]] && ok || bad "$s $h: exit $rc, '${out:0:60}'"
    done
    for v in --version -V; do
        out=$("$cli" "$s" $v 2>&1); rc=$?
        [ $rc -eq 0 ] && [ "$out" = "$version" ] && ok || bad "$s $v: exit $rc, '$out'"
    done
    "$cli" "$s" --no-such-option >/dev/null 2>"$tmp/err"; rc=$?
    [ $rc -eq 2 ] && grep -q "try 'mailslot $s --help'" "$tmp/err" && ok || bad "$s --no-such-option: exit $rc"
    [ "$s" = completion ] || { "$cli" "$s" --help | grep -q '^Exit status' && ok || bad "$s --help: no exit status"; }
done

# ---- bash completion: the options --help shows, per subcommand
"$cli" completion bash >"$tmp/comp.bash" && bash -n "$tmp/comp.bash" && ok || bad "completion script"
complete_words() { # WORDS... -> the candidates bash would offer
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mailslot; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$tmp/comp.bash" "$@"
}
[ "$(complete_words mailslot dec)" = decode ] && ok || bad "complete 'dec'"
[ "$(complete_words mailslot decode --js)" = --json ] && ok || bad "complete 'decode --js'"
[ "$(complete_words mailslot check --color al)" = always ] && ok || bad "complete '--color al'"
[ "$(complete_words mailslot decode --type br)" = broadcast ] && ok || bad "complete '--type br'"
[ "$(complete_words mailslot completion b)" = bash ] && ok || bad "complete 'completion b'"
complete_words mailslot decode -r "$src/captures/nmbd-a" | grep -q 'nmbd-announce.pcap$' && ok || bad "complete a file after -r"
complete_words mailslot hosts -i l | grep -qx lo && ok || bad "complete an interface after -i"
for s in $subs; do
    [ "$s" = completion ] && continue
    offered=$(complete_words mailslot "$s" - | sort -u)
    for o in $("$cli" "$s" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
        grep -qx -- "$o" <<<"$offered" && ok || bad "$s: completion lacks $o"
    done
done

# ---- filters
all=$("$cli" decode -q "$own" | wc -l)
lanman=$("$cli" decode -q --slot '\MAILSLOT\LANMAN' "$own")
n=$(grep -c . <<<"$lanman")
[ "$n" -gt 0 ] && [ "$n" -lt "$all" ] && ! grep -v 'MAILSLOT\\LANMAN' <<<"$lanman" | grep -q . && ok ||
    bad "--slot LANMAN: $n of $all lines, or other slots in them"
n2=$("$cli" decode -q --slot '\mailslot\lanman' --slot '\MAILSLOT\BROWSE' "$own" | wc -l)
[ "$n2" -gt "$n" ] && ok || bad "two --slot options are alternatives ($n2 vs $n)"
nu=$("$cli" decode -q --type unique "$own" | grep -c ' DIRECT_UNIQUE ')
ng=$("$cli" decode -q --type group "$own" | grep -c ' DIRECT_GROUP ')
[ "$nu" -gt 0 ] && [ "$ng" -gt 0 ] && [ $((nu + ng)) -eq "$all" ] && ok || bad "--type unique $nu + group $ng != $all"
[ "$("$cli" decode -q --type group --type unique "$own" | wc -l)" -eq "$all" ] && ok || bad "--type group --type unique"
[ "$("$cli" decode -q --type query --type error "$own" | wc -l)" -eq 0 ] && ok || bad "--type query/error"
[ "$("$cli" decode -q --name 'mslab<1d>' "$own" | wc -l)" -gt 0 ] && ok || bad "--name mslab<1d>"
[ "$("$cli" decode -q --name 'MSLAB<1d>' --slot '\MAILSLOT\LANMAN' "$own" | wc -l)" -eq 0 ] && ok ||
    bad "--name and --slot combine (LANMAN goes to <00>)"
[ "$("$cli" decode -q "$own" src host 192.0.2.10 | wc -l)" -eq "$all" ] && ok || bad "BPF 'src host 192.0.2.10'"
[ "$("$cli" decode -q -r "$own" 'src host 192.0.2.99' | wc -l)" -eq 0 ] && ok || bad "BPF with -r"
"$cli" decode "$own" src host 192.0.2.99 2>&1 >/dev/null | grep -q '47 frames outside the BPF filter' && ok ||
    bad "the summary counts what the BPF filter left out"
"$cli" decode --type bogus "$own" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--type bogus: not exit 2"
"$cli" decode --name 'SIXTEENCHARSLONG' "$own" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--name too long"
"$cli" check -q --slot '\MAILSLOT\LANMAN' "$own" >"$tmp/chk" 2>&1
grep -q "^datagrams $n:" "$tmp/chk" && ok || bad "check --slot counts only the LANMAN datagrams: $(head -1 "$tmp/chk")"
[ "$("$cli" hosts -q --json "$own" | wc -l)" -eq 1 ] && ok || bad "hosts on the own capture"
"$cli" hosts -q --json --name NOBODY "$own" >/dev/null; [ $? -eq 1 ] && ok || bad "hosts --name NOBODY: not exit 1"

# ---- -c and -w
[ "$("$cli" decode -q -c 3 "$own" | wc -l)" -eq 3 ] && ok || bad "-c 3"
"$cli" decode -q --slot '\MAILSLOT\LANMAN' -w "$tmp/lanman.pcap" "$own" >/dev/null
[ "$("$cli" decode -q "$tmp/lanman.pcap" | cut -d' ' -f3- )" = "$(cut -d' ' -f3- <<<"$lanman")" ] && ok ||
    bad "-w wrote other datagrams than those shown"
[ "$("$cli" decode -q -w - --slot '\MAILSLOT\LANMAN' "$own" | "$cli" decode -q - | wc -l)" -eq "$n" ] && ok ||
    bad "decode -w - | decode -"
"$cli" decode -q --json "$own" | "$cli" encode -w - >"$tmp/reenc.pcap"
st="${PIPESTATUS[*]}"
[ "$st" = "0 0" ] && [ -s "$tmp/reenc.pcap" ] && ! cmp -s "$tmp/reenc.pcap" "$own" && ok ||
    bad "decode --json | encode -w -: exit statuses $st, or it copied the input"
[ "$("$cli" decode -q --json "$own" | "$cli" encode -w - | "$cli" decode -q - | wc -l)" -eq "$all" ] && ok ||
    bad "encode -w - | decode -"

# ---- colour only on a terminal
esc=$'\033['
# The negative checks also require the command's own success and output:
# a command that failed writes no colour either.
"$cli" decode -q "$own" >"$tmp/plain"; rc=$?
[ $rc -eq 0 ] && grep -q 'MAILSLOT' "$tmp/plain" && ! grep -qF "$esc" "$tmp/plain" && ok ||
    bad "colour in a pipe, or decode failed (exit $rc)"
"$cli" decode -q --color=always "$own" | grep -qF "$esc" && ok || bad "--color=always"
"$cli" check --color=always "$src/captures/nmbd-backuplist.pcapng" | grep -qF "${esc}33m" && ok ||
    bad "check --color=always: no yellow 'common' finding"
"$cli" decode --color=sometimes "$own" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--color=sometimes"
TERM=xterm script -qec "$cli decode -q $own" /dev/null | grep -qF "$esc" && ok || bad "no colour on a terminal"
TERM=xterm NO_COLOR=1 script -qec "$cli decode -q $own" /dev/null >"$tmp/nocolor"; rc=$?
[ $rc -eq 0 ] && grep -q 'MAILSLOT' "$tmp/nocolor" && ! grep -qF "$esc" "$tmp/nocolor" && ok ||
    bad "colour with NO_COLOR, or decode failed (exit $rc)"

# ---- a larger capture: 15 datagrams x 4000, built with encode
"$cli" decode -q --json "$own" >"$tmp/one.json"
for _ in $(seq 4000); do cat "$tmp/one.json"; done | "$cli" encode -w "$tmp/big.pcap" || bad "encode big"
# Its size: the 24-octet file header once, then 4000 times the records of
# one copy (encode writes every copy the same way).
"$cli" encode -w "$tmp/one.pcap" "$tmp/one.json" || bad "encode one"
one=$(stat -c %s "$tmp/one.pcap")
big=$(stat -c %s "$tmp/big.pcap")
[ "$one" -gt 24 ] && [ "$big" -eq $((24 + 4000 * (one - 24))) ] && [ "$big" -gt 400000 ] && ok ||
    bad "big.pcap is $big octets, want 24 + 4000 x $((one - 24)) (and over the 200000 the next part splits at)"

# ---- the progress line: stderr a terminal, stdout not; after one second
head -c 200000 "$tmp/big.pcap" >"$tmp/part1"
tail -c +200001 "$tmp/big.pcap" >"$tmp/part2"
cat >"$tmp/slow.sh" <<EOF
{ cat "$tmp/part1"; sleep 1.3; cat "$tmp/part2"; } | "$cli" decode - >/dev/null
EOF
TERM=xterm script -qec "bash $tmp/slow.sh" /dev/null >"$tmp/tty.out"
grep -q 'frames/s' "$tmp/tty.out" && ok || bad "no progress line on a terminal: $(tr '\r' '\n' <"$tmp/tty.out" | tail -2)"
sed -i 's/decode -/decode -q -/' "$tmp/slow.sh"
TERM=xterm script -qec "bash $tmp/slow.sh" /dev/null >"$tmp/tty.out"; rc=$?
[ $rc -eq 0 ] && ! grep -q 'frames/s' "$tmp/tty.out" && ok || bad "a progress line with -q, or decode failed (exit $rc)"
{ cat "$tmp/part1"; sleep 1.3; cat "$tmp/part2"; } | "$cli" decode - 2>"$tmp/err" >/dev/null
rc=${PIPESTATUS[1]}
[ "$rc" -eq 0 ] && grep -q "$((4000 * all)) datagrams" "$tmp/err" && ! grep -q 'frames/s' "$tmp/err" && ok ||
    bad "a progress line into a file, or decode failed (exit $rc): $(tail -2 "$tmp/err")"

# ---- a closed pipe ends the program quietly
"$cli" decode "$tmp/big.pcap" 2>"$tmp/err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
{ [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } && [ ! -s "$tmp/err" ] && ok ||
    bad "decode | head: exit $rc, stderr '$(head -c 200 "$tmp/err")'"
(trap '' PIPE; "$cli" decode --json "$tmp/big.pcap" 2>"$tmp/err" | head -1 >/dev/null; exit "${PIPESTATUS[0]}")
rc=$?
{ [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } && [ ! -s "$tmp/err" ] && ok ||
    bad "decode | head with SIGPIPE ignored by the parent: exit $rc, stderr '$(head -c 200 "$tmp/err")'"

# --data: the message as text, escaped; browser lines keep their summary
"$cli" send -q --to 192.0.2.9 --name 'PEER<00>' --slot '\MAILSLOT\t' --hex '68692201' -w "$tmp/d.pcap"
[ "$("$cli" decode -q --data "$tmp/d.pcap" | sed 's/.* octets: //')" = '"hi\"\x01"' ] && ok ||
    bad "decode --data: $("$cli" decode -q --data "$tmp/d.pcap")"
[ "$("$cli" decode -q --data "$own")" = "$("$cli" decode -q "$own")" ] && ok || bad "--data changed browser lines"
"$cli" decode -q "$tmp/d.pcap" >"$tmp/nodata"; rc=$?
[ $rc -eq 0 ] && grep -q 'MAILSLOT\\t' "$tmp/nodata" && ! grep -q 'octets:' "$tmp/nodata" && ok ||
    bad "data shown without --data, or decode failed (exit $rc): $(cat "$tmp/nodata")"

# listen | head: the reader going away ends listen quietly with status 0
port=$((20000 + RANDOM % 20000))
( "$cli" listen --data --port "$port" --bind 127.0.0.1 --timeout 10 2>"$tmp/lerr"; echo "rc=$?" >"$tmp/lrc" ) | head -1 >"$tmp/lout" &
lpid=$!
sleep 0.8
for i in 1 2 3; do
    "$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\pipe' --data "m$i" --port "$port" \
        --sport $((port + 1)) || bad "send to the listener"
    sleep 0.2
done
wait "$lpid"
grep -q 'MAILSLOT\\pipe 2 octets: "m1"$' "$tmp/lout" && [ "$(cat "$tmp/lrc")" = rc=0 ] && [ ! -s "$tmp/lerr" ] && ok ||
    bad "listen | head -1: $(cat "$tmp/lrc"), stderr '$(cat "$tmp/lerr")', out '$(cat "$tmp/lout")'"

# send without --wait connects its socket (no route lookup per datagram);
# a port nobody listens on answers with ICMP, which must not fail the
# writes: a mailslot write is fire-and-forget. From a bound port, and the
# default way (as root a raw socket, else an ephemeral port).
dead=$((20000 + RANDOM % 20000))
for sp in --sport=$((dead + 1)) --sport=ephemeral ""; do
    for iv in 0 20; do
        n=$("$cli" send --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\void' --data x --repeat 5 \
            --interval "$iv" --port "$dead" ${sp:+"$sp"} 2>&1 | grep -c 'octets sent to')
        [ "$n" -eq 5 ] && ok || bad "send ${sp:-(default port)} --repeat 5 --interval $iv to a closed port: $n sent"
    done
done

# ---- SIGINT / SIGTERM: counters, no unfinished output file, 128+N
mkfifo "$tmp/fifo"
stop_test() { # SIGNAL EXPECTED_STATUS WHAT -- command reading the fifo
    local sig=$1 want=$2 what=$3
    shift 4
    # Not start_bg: the fifo is opened by the background process, which
    # waits there for the writer below.
    "$@" <"$tmp/fifo" >/dev/null 2>"$tmp/err" &
    bgpid=$!
    pids+=("$bgpid")
    exec 3>"$tmp/fifo"
    [ "${feed:-100000}" -eq 0 ] || head -c "${feed:-100000}" "$tmp/big.pcap" >&3
    sleep 0.5
    kill -"$sig" "$bgpid"
    local t=0
    while kill -0 "$bgpid" 2>/dev/null && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
    reap
    exec 3>&-
    [ "$rc" -eq "$want" ] && ok || bad "$what: exit $rc, want $want ($(head -c 300 "$tmp/err"))"
}
stop_test INT 130 "decode -w, SIGINT" -- "$cli" decode -w "$tmp/out.pcap" -
[ ! -e "$tmp/out.pcap" ] && ok || bad "decode left its unfinished -w file"
grep -q 'stopped by signal 2' "$tmp/err" && grep -q 'frames read' "$tmp/err" && ok || bad "decode: no counters after SIGINT"
stop_test TERM 143 "check, SIGTERM" -- "$cli" check --json -
grep -q '^datagrams' "$tmp/err" && grep -q 'stopped by signal 15' "$tmp/err" && ok || bad "check: no counters after SIGTERM"
feed=0 stop_test INT 130 "decode before the capture header, SIGINT" -- "$cli" decode -
grep -q 'stopped by signal 2' "$tmp/err" && ok || bad "decode stopped while opening: $(cat "$tmp/err")"
"$cli" decode -q --json "$own" >"$tmp/lines.json"
( exec 3>"$tmp/fifo"; cat "$tmp/lines.json" >&3; sleep 5 ) &
feeder=$!
start_bg "$cli" encode -w "$tmp/enc.pcap" "$tmp/fifo" 2>"$tmp/err"
sleep 0.7
reap INT
kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null
[ "$rc" -eq 130 ] && [ ! -e "$tmp/enc.pcap" ] && [ ! -e "$tmp/enc.pcap.partial" ] && ok ||
    bad "encode -w, SIGINT: exit $rc, files: $(cd "$tmp" && echo enc*)"
grep -q 'after 15 frames' "$tmp/err" && ok || bad "encode: no count after SIGINT: $(cat "$tmp/err")"

# send --repeat: SIGINT stops it between messages; the -w file goes away
start_bg "$cli" send --to 192.0.2.9 --name 'PEER<00>' --slot '\MAILSLOT\t' --data hi --repeat 100 \
    --interval 50 -w "$tmp/send.pcap" 2>"$tmp/err"
sleep 0.6
reap INT
[ "$rc" -eq 130 ] && [ ! -e "$tmp/send.pcap" ] && [ ! -e "$tmp/send.pcap.partial" ] &&
    grep -qE 'stopped by signal 2 after [0-9]+ of 100 messages' "$tmp/err" && ok ||
    bad "send --repeat, SIGINT: exit $rc, files: $(cd "$tmp" && echo send*), $(tail -1 "$tmp/err")"
"$cli" send -q --to 192.0.2.9 --name 'PEER<00>' --slot '\MAILSLOT\t' --data hi --repeat 3 --interval 0 \
    -w - | "$cli" decode -q - | grep -c 'MAILSLOT\\t' | grep -qx 3 && ok || bad "send -w - | decode -"

finish
