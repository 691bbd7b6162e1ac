#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# What a new user trips on (issue 16, points 1-10): each point's fix held
# here, against the built command and the docs that describe it. Local
# mailslots in a private runtime directory; nothing on the network.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset MAILSLOT_DIR
dir="$XDG_RUNTIME_DIR/mailslot"
wait_for() { # SOCKET: up to 5 s for it to appear
    for _ in $(seq 50); do
        [ -S "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# ---- 1. README's `\\.` row; the direct-write limit the docs give is the tool's
grep -E '^\| `\\\\\.` \|' "$src/README.md" | grep -qi 'refused' &&
    bad "README's send table still calls \\\\. refused" || ok
grep -q '416' "$src/man/mailslot.1" && bad "mailslot(1) still gives 416" || ok
"$cli" send --help | tr '\n' ' ' | grep -q '428 data octets for a name of 1 to 4 .*(412 for 17)' &&
    ok || bad "send --help: no 428 / 412 rule"
grep -q '(412 for 17)' "$src/man/mailslot.1" && ok || bad "mailslot(1): no 412 for 17"
# the rule against the tool: tails of 1, 4, 5, 17 characters; BROWSE
limit_of() { # SLOT DATALEN -> the tool's "N data octets fit" (empty when sent)
    "$cli" send -q -w - --to 192.0.2.9 --name 'PEER<00>' --slot "$1" \
        --data "$(head -c "$2" /dev/zero | tr '\0' x)" 2>&1 >/dev/null |
        sed -n 's/.*(\([0-9]*\) data octets fit).*/\1/p'
}
for t in a:428 abcd:428 abcde:424 abcdefghijklmnopq:412 BROWSE:426; do
    slot="\\MAILSLOT\\${t%%:*}" want=${t#*:}
    got=$(limit_of "$slot" 600)
    [ "$got" = "$want" ] && [ -z "$(limit_of "$slot" "$want")" ] && ok ||
        bad "limit for $slot: tool says '$got', the docs $want"
done

# ---- 2. send --file to a local mailslot: no CLI cap below the library's
"$cli" listen '\\.\mailslot\big' --count 1 --timeout 10 >"$tmp/big.out" 2>"$tmp/big.err" &
lpid=$!
pids+=("$lpid")
wait_for "$dir/big.s" && ok || bad "listener socket did not appear"
head -c 102400 /dev/zero | tr '\0' k >"$tmp/100k"
expect 0 "" -- "$cli" send --to '\\.' --slot '\MAILSLOT\big' --file "$tmp/100k"
wait "$lpid" && grep -q ' 102400 octets' "$tmp/big.out" && ok ||
    bad "100 KiB local message not received: $(head -c 200 "$tmp/big.out")"
# over the library's limit (its SO_SNDBUF asks 4 MiB): exit 1, one line,
# the limit named
"$cli" listen '\\.\mailslot\small' --timeout 10 >/dev/null 2>&1 &
lpid=$!
pids+=("$lpid")
wait_for "$dir/small.s" && ok || bad "listener socket did not appear"
head -c $((5 << 20)) /dev/zero >"$tmp/5m"
expect_one_line=1
expect 1 "standard input is over [0-9]+ octets, the most local mailslot .* takes" -- \
    sh -c '"$1" send --to "\\\\." --slot "\\MAILSLOT\\small" <"$2"' _ "$cli" "$tmp/5m"
expect_one_line=0
kill "$lpid"; wait "$lpid" 2>/dev/null

# ---- 6. two capture files: the filter rule kept, the file named
own=$src/captures/nmbd-announce.pcap
own2=$src/captures/nmbd-backuplist.pcapng
expect_one_line=1
mergecap_hint="is a file, but operands after FILE are a BPF filter; run once per file, or merge the files with mergecap"
expect 2 "'.*nmbd-backuplist.pcapng' $mergecap_hint" -- "$cli" check "$own" "$own2"
expect 2 "operands after -r FILE are a BPF filter; run once per file" -- "$cli" decode -r "$own" "$own2"
cp "$own" "$tmp/second"
expect 2 "can't parse filter.*'second' $mergecap_hint" -- sh -c 'cd "$1" && "$2" check "$3" second' _ "$tmp" "$cli" "$own"
expect 2 "with -i IFACE the operands are a BPF filter" -- "$cli" hosts -i lo "$own"
expect_one_line=0
# a filter word that is no file keeps tcpdump's meaning
expect 0 "" -- "$cli" check -q "$own" udp port 138

# ---- 7. a BPF filter that matches nothing says so
expect 0 "the BPF filter 'host 192.0.2.77' matched none of the 47 frames in .*nmbd-announce.pcap" -- \
    "$cli" check "$own" host 192.0.2.77
grep -q 'no UDP datagram' "$tmp/err" && bad "empty filter result still says 'no UDP datagram'" || ok
expect 0 "no UDP datagram on port 138 among the frames of .* the BPF filter 'udp port 137' matched" -- \
    "$cli" decode "$own" udp port 137

# ---- 8. options that do nothing for a local send are refused, one line
# --count 2: it ends once both messages of the --repeat send are printed
# (killing it at once could come before the second is printed).
"$cli" listen --data '\\.\mailslot\opts' --count 2 --timeout 20 >"$tmp/opts.out" 2>/dev/null &
lpid=$!
pids+=("$lpid")
wait_for "$dir/opts.s" && ok || bad "listener socket did not appear"
expect_one_line=1
for o in "--type group" "--name PEER<00>" "--from ME" "--as win9x" "--node-type h" \
    "--workgroup WG" "-i lo" "--sport 1138" "--port 1138" "--wins 192.0.2.1" \
    "--hosts /dev/null" "--direct" "--force-size" "--json"; do
    # shellcheck disable=SC2086  # the option and its value, split
    expect 2 "a local mailslot \(\\\\\\\\\.\) takes no ${o%% *}: it shapes or routes datagrams" -- \
        "$cli" send --to '\\.' --slot '\MAILSLOT\opts' --data x $o
done
expect_one_line=0
expect 0 "" -- "$cli" send -q --to '\\.' --slot '\MAILSLOT\opts' --data ok --repeat 2 --interval 0
wait "$lpid"
[ "$(grep -c '"ok"' "$tmp/opts.out")" = 2 ] && ok || bad "local send with --repeat: $(cat "$tmp/opts.out")"

# ---- 9. README's bare `mailslot`: where the built command is, before any example
first_example=$(grep -n '^    mailslot ' "$src/README.md" | head -1 | cut -d: -f1)
where=$(grep -n 'the command is$' "$src/README.md" | head -1 | cut -d: -f1)
[ -n "$where" ] && [ "$where" -lt "$first_example" ] &&
    sed -n "$where,$((where + 5))p" "$src/README.md" | tr '\n' ' ' |
    grep -q '`build/tools/mailslot`.*`sudo cmake --install *build`.*export PATH=\$PWD/build/tools' &&
    ok || bad "README: no word of build/tools/mailslot before its first example (line $first_example)"
[[ $cli == */tools/mailslot ]] && [ -x "$build/tools/mailslot" ] && ok || bad "the command is not at build/tools/mailslot"
grep -q '^echo .*the command is build/tools/mailslot' "$src/scripts/demo.sh" && ok ||
    bad "demo.sh does not say where the command is"

# ---- 10. small things
# the summary table's header names its last column
"$cli" check "$own" >"$tmp/chk" 2>&1
grep -qE '^rule +level +hits +requirement$' "$tmp/chk" && ok || bad "check header: $(grep hits "$tmp/chk")"
# one frame, one datagram, one octet: singular
"$cli" send -q -w "$tmp/one.pcap" --to 192.0.2.9 --name 'PEER<00>' --slot '\MAILSLOT\t' --data x
expect 0 "1 frame read \(link type EN10MB\), 1 datagram decoded$" -- "$cli" decode "$tmp/one.pcap"
grep -q ' \\MAILSLOT\\t 1 octet$' "$tmp/out" && ok || bad "decode: '$(cat "$tmp/out")'"
"$cli" send -q -w "$tmp/ar1.pcap" --force-size --to 192.0.2.255 --name 'WG<1d>' --slot '\MAILSLOT\BROWSE' --hex 02
"$cli" check "$tmp/ar1.pcap" | grep -q 'AnnouncementRequest is 1 octet (at least 2)' && ok || bad "check: 1 octets"
# the stderr summary: only the counts that say something
expect 0 "" -- "$cli" decode "$own"
[ "$(cat "$tmp/err")" = "mailslot decode: 47 frames read (link type EN10MB), 15 datagrams decoded; skipped: 32 other ports" ] &&
    ok || bad "decode summary: '$(cat "$tmp/err")'"
# no trailing blank after an AnnouncementRequest with an empty name
"$cli" send -q -w "$tmp/ar.pcap" --to 192.0.2.255 --name 'WG<1d>' --slot '\MAILSLOT\BROWSE' --hex 020000
"$cli" decode -q "$tmp/ar.pcap" >"$tmp/ar.txt"
grep -q 'AnnouncementRequest$' "$tmp/ar.txt" && ok || bad "AnnouncementRequest line: '$(cat -A "$tmp/ar.txt")'"
# decode -v lists the problems as --json does
"$cli" decode -q -v "$tmp/ar1.pcap" >"$tmp/v.txt"
grep -qx '    problems:' "$tmp/v.txt" &&
    grep -qx '        B-02 must mailslot.size @168: AnnouncementRequest is 1 octet (at least 2)' "$tmp/v.txt" &&
    ok || bad "decode -v: no problems: $(tail -3 "$tmp/v.txt")"
# check --list-rules --json is NDJSON, one object per rule of the text list
n_text=$("$cli" check --list-rules | wc -l)
/usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert rows and all(set(r) == {"id", "level", "field", "text", "source"} for r in rows)
assert len(rows) == int(sys.argv[1]), (len(rows), sys.argv[1])
' "$n_text" < <("$cli" check --list-rules --json) && ok || bad "check --list-rules --json is not NDJSON of every rule"
expect 2 "not both" -- "$cli" check --list-rules --json --markdown
# encode's errors on standard input say so
expect 3 '^mailslot encode: standard input, line 1: ' -- sh -c 'echo "{}" | "$1" encode --hex' _ "$cli"
# "src_name":"A" is A<00>, as send --name A
echo '{"nbdgm":{"type":16,"src_name":"A","dst_name":"peer","src_ip":"192.0.2.1"},"mailslot":{"name":"\\MAILSLOT\\t","data":"6869"}}' |
    "$cli" encode -w "$tmp/names.pcap" && "$cli" decode -q "$tmp/names.pcap" | grep -q ' A<00> -> peer<00> ' && ok ||
    bad "encode: a name without <xx>"

# ---- 4. one rule for local and network messages: the data only with --data
"$cli" listen '\\.\mailslot\nodata' --count 1 --timeout 10 >"$tmp/nd.out" 2>/dev/null &
lpid=$!
pids+=("$lpid")
wait_for "$dir/nodata.s" && ok || bad "listener socket did not appear"
expect 0 "" -- "$cli" send -q --to '\\.' --slot '\MAILSLOT\nodata' --data secret
wait "$lpid"
grep -qx '1 local \\MAILSLOT\\nodata 6 octets' "$tmp/nd.out" && ok || bad "local line without --data: '$(cat "$tmp/nd.out")'"
"$cli" listen --data '\\.\mailslot\withdata' --count 1 --timeout 10 >"$tmp/wd.out" 2>/dev/null &
lpid=$!
pids+=("$lpid")
wait_for "$dir/withdata.s" && ok || bad "listener socket did not appear"
expect 0 "" -- "$cli" send -q --to '\\.' --slot '\MAILSLOT\withdata' --data secret
wait "$lpid"
grep -qx '1 local \\MAILSLOT\\withdata 6 octets: "secret"' "$tmp/wd.out" && ok || bad "local line with --data: '$(cat "$tmp/wd.out")'"

# ---- 5. check's words and counts agree with the levels: D-07 on a frame
# with the browser service's (or nmbd's) layout is what that sender sends
expect 0 "" -- "$cli" check "$own"
grep -qx 'datagrams 15: clean 15, unusual 0, malformed 0' "$tmp/out" && ok || bad "nmbd's frames: $(grep datagrams "$tmp/out")"
expect 1 "" -- "$cli" check --strict -q "$own"
expect 0 "" -- "$cli" check "$tmp/ar.pcap"
grep -qx 'datagrams 1: clean 1, unusual 0, malformed 0' "$tmp/out" && grep -q '^D-07 ' "$tmp/out" && ok ||
    bad "windows-browser frame with D-07: $(cat "$tmp/out")"
# a finding no known sender produces: unusual
"$cli" send -q -w "$tmp/g425.pcap" --force-size --to 192.0.2.255 --name 'WG<00>' --slot '\MAILSLOT\t' \
    --data "$(head -c 425 /dev/zero | tr '\0' x)"
expect 0 "" -- "$cli" check -q "$tmp/g425.pcap"
grep -qx 'datagrams 1: clean 0, unusual 1, malformed 0' "$tmp/out" && ok || bad "425-octet group write: $(cat "$tmp/out")"
"$cli" check --help | tr '\n' ' ' | grep -q "unusual ones a 'common' finding that no known sender produces" && ok ||
    bad "check --help does not define unusual"

finish
