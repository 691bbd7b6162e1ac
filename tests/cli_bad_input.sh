#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016  # single-quoted patterns and JSON are literal
# Bad input anywhere in the CLI (issue 5 item 5): arguments, files and
# encode's NDJSON. Each case must give exactly one line on stderr naming
# the problem (a pattern), the documented non-zero exit status, and, for
# encode -w and send -w, no output file and no FILE.partial left behind.
# Complements tests/cli_errors.sh. Nothing here touches the network: send
# only writes pcaps (-w), listen only fails in its option checks.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp

# refused STATUS PATTERN OUTFILE -- CMD...: exit STATUS, one stderr line that
# matches PATTERN, nothing on stdout, OUTFILE (when not "-") and
# OUTFILE.partial absent afterwards.
refused() {
    local want=$1 pat=$2 outf=$3 got lines why=""
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    lines=$(wc -l <"$tmp/err")
    if [[ $got -ne $want ]]; then
        why="exit $got (want $want)"
    elif [[ $lines -ne 1 ]]; then
        why="$lines lines on stderr (want 1)"
    elif ! grep -qE -- "$pat" "$tmp/err"; then
        why="stderr does not match /$pat/"
    elif [[ -s $tmp/out ]]; then
        why="output on stdout: $(head -c 100 "$tmp/out")"
    elif [[ $outf != - ]] && [[ -e $outf || -e $outf.partial ]]; then
        why="left $outf or $outf.partial"
    fi
    if [[ -n $why ]]; then
        bad "${*#"$cli"} -> $why; stderr: $(head -c 300 "$tmp/err")"
    else
        ok
    fi
    rm -f -- "$tmp/out.pcap" "$tmp/out.pcap.partial"
}

O=$tmp/out.pcap
J() { printf '%s\n' "$2" >"$tmp/$1.json"; printf '%s\n' "$tmp/$1.json"; }
GOOD='{"nbdgm":{"type":16,"src_name":"A<00>","dst_name":"B<00>"},"mailslot":{"name":"\\MAILSLOT\\X","data":"41"}'

# ---------------------------------------------------------------- encode
refused 3 '"ip.src" is not an IPv4 address' "$O" -- "$cli" encode -w "$O" "$(J ip "$GOOD"',"ip":{"src":"1.2.3.999"}}')"
refused 3 '"ip.dst" is not an IPv4 address' "$O" -- "$cli" encode -w "$O" "$(J ipd "$GOOD"',"ip":{"dst":7}}')"
refused 3 '"udp.srcport" is not a port' "$O" -- "$cli" encode -w "$O" "$(J sp "$GOOD"',"udp":{"srcport":99999}}')"
refused 3 '"udp.dstport" is not a port' "$O" -- "$cli" encode -w "$O" "$(J dp "$GOOD"',"udp":{"dstport":-1}}')"
refused 3 '"time" is not a number of seconds' "$O" -- "$cli" encode -w "$O" "$(J ts "$GOOD"',"time":"soon"}')"
refused 3 '"time" is not a number of seconds' "$O" -- "$cli" encode -w "$O" "$(J tn "$GOOD"',"time":-5}')"
refused 3 '"time" is not a number of seconds' "$O" -- "$cli" encode -w "$O" "$(J te "$GOOD"',"time":1e300}')"
refused 3 '"time" is not a number of seconds' "$O" -- "$cli" encode -w "$O" "$(J tb "$GOOD"',"time":99999999999}')"
# A bad object after good ones: nothing written, not even the good ones.
printf '%s}\n%s}\n{"payload":"zz"}\n' "$GOOD" "$GOOD" >"$tmp/late.json"
refused 3 'late.json, line 3: "payload" is not a hex string' "$O" -- "$cli" encode -w "$O" "$tmp/late.json"
printf '%s}\n{"payload":"00"\n' "$GOOD" >"$tmp/cut.json"
refused 3 'cut.json, line 2: column' "$O" -- "$cli" encode -w "$O" "$tmp/cut.json"
refused 3 'line 1: not a JSON object' "$O" -- "$cli" encode -w "$O" "$(J arr '[1,2]')"
refused 3 'line 1: "src_name" is missing' "$O" -- "$cli" encode -w "$O" "$(J nosrc '{"nbdgm":{"type":16}}')"
refused 3 'line 1: column .*unexpected' "$O" -- "$cli" encode -w "$O" "$(J two '{"payload":"00"} {"payload":"00"}')"
refused 3 'read error' "$O" -- "$cli" encode -w "$O" "$tmp"
refused 3 'cannot open' "$O" -- "$cli" encode -w "$O" "$tmp/nonexistent.json"
refused 4 'No such file or directory' "$tmp/nodir/x.pcap" -- "$cli" encode -w "$tmp/nodir/x.pcap" "$(J ok "$GOOD}")"

# ---------------------------------------------------------------- send -w
S=(send --to 192.0.2.30 --name 'B<00>' --slot '\MAILSLOT\X' -w "$O")
refused 2 '--hex: not an even number of hex digits' "$O" -- "$cli" "${S[@]}" --hex 4
refused 2 '--hex: not an even number of hex digits' "$O" -- "$cli" "${S[@]}" --hex zz
refused 2 'at most one of --data, --hex, --file' "$O" -- "$cli" "${S[@]}" --data x --hex 41
refused 4 'nonexistent: No such file' "$O" -- "$cli" "${S[@]}" --file "$tmp/nonexistent"
refused 4 'read error' "$O" -- "$cli" "${S[@]}" --file "$tmp"
head -c 600 /dev/zero >"$tmp/big"
refused 1 'message of 600 octets \(428 data octets fit\) is over a limit: its SMB message would be 684 octets, 172 over 512' "$O" -- "$cli" "${S[@]}" --file "$tmp/big"
refused 2 "'NOTASLOT' is not a mailslot name" "$O" -- "$cli" send --to 192.0.2.30 --name 'B<00>' \
    --slot NOTASLOT --data x -w "$O"
refused 2 "destination name 'B<zz>' is not a NetBIOS name" "$O" -- "$cli" send --to 192.0.2.30 \
    --name 'B<zz>' --slot '\MAILSLOT\X' --data x -w "$O"
refused 2 "source name 'WAYTOOLONGNAME1234' is not a NetBIOS name" "$O" -- "$cli" "${S[@]}" \
    --from WAYTOOLONGNAME1234 --data x
refused 2 "--to: '999.1.1.1' is not an IPv4 address" "$O" -- "$cli" send --to 999.1.1.1 \
    --slot '\MAILSLOT\X' --data x -w "$O"
refused 2 "--to: '192.0.2' is not an IPv4 address" "$O" -- "$cli" send --to 192.0.2 \
    --slot '\MAILSLOT\X' --data x -w "$O"
refused 4 '--hosts: .*nonexistent: No such file' "$O" -- "$cli" "${S[@]}" --data x --hosts "$tmp/nonexistent"
refused 2 "--type must be unique, group or broadcast, not 'weird'" "$O" -- "$cli" "${S[@]}" --type weird --data x
refused 2 "--repeat: '0' is not a count" "$O" -- "$cli" "${S[@]}" --repeat 0 --data x
refused 2 "--interval: '-1' is not milliseconds" "$O" -- "$cli" "${S[@]}" --interval -1 --data x
refused 2 "--sport: '70000' is not a port" "$O" -- "$cli" "${S[@]}" --sport 70000 --data x
refused 2 "--wins: '1.2.3' is not an IPv4 address" "$O" -- "$cli" "${S[@]}" --wins 1.2.3 --data x
refused 2 '--wait needs the network' "$O" -- "$cli" "${S[@]}" --wait 1 --data x
refused 2 "unexpected argument 'extra'" "$O" -- "$cli" "${S[@]}" --data x extra
refused 4 'No such file or directory' "$tmp/nodir/x.pcap" -- "$cli" send --to 192.0.2.30 \
    --name 'B<00>' --slot '\MAILSLOT\X' --data x -q -w "$tmp/nodir/x.pcap"

# ---------------------------------------------------------------- decode, check
for c in decode check; do
    refused 2 "not a port" - -- "$cli" "$c" --port 0 "$tmp/x.pcap"
    refused 2 "not a port" - -- "$cli" "$c" --port 70000 "$tmp/x.pcap"
    refused 2 "'abc' is not a positive number" - -- "$cli" "$c" --reasm-timeout abc "$tmp/x.pcap"
    refused 2 "--reasm-sets: a whole number up to 65535" - -- "$cli" "$c" --reasm-sets 99999999999 "$tmp/x.pcap"
    refused 2 "--reasm-bytes: a whole number from 256" - -- "$cli" "$c" --reasm-bytes 10 "$tmp/x.pcap"
done
# Unreadable captures: one line naming the file and the problem.
printf 'abc' >"$tmp/short.pcap"
refused 3 "nonexistent.pcap: No such file" - -- "$cli" check "$tmp/nonexistent.pcap"
refused 3 "$tmp: .*Is a directory" - -- "$cli" check "$tmp"
refused 3 "/dev/null: truncated dump file" - -- "$cli" check /dev/null
refused 3 "short.pcap: truncated dump file" - -- "$cli" check "$tmp/short.pcap"
# decode names the problem first, then prints its capture summary (two more
# lines, also with -q): only the first line and the status are checked.
first() {   # STATUS PATTERN -- CMD...
    local want=$1 pat=$2 got
    shift 3
    "$@" >/dev/null 2>"$tmp/err" </dev/null
    got=$?
    if [[ $got -eq $want ]] && head -n 1 "$tmp/err" | grep -qE -- "$pat"; then
        ok
    else
        bad "${*#"$cli"} -> exit $got (want $want); stderr: $(head -c 300 "$tmp/err")"
    fi
}
first 3 "nonexistent.pcap: No such file" -- "$cli" decode -q "$tmp/nonexistent.pcap"
first 3 "$tmp: .*Is a directory" -- "$cli" decode -q "$tmp"
first 3 "/dev/null: truncated dump file" -- "$cli" decode -q /dev/null
refused 2 "--markdown goes with --list-rules" - -- "$cli" check --markdown "$tmp/x.pcap"

# ---------------------------------------------------------------- listen (option checks only)
refused 2 "--port: '0' is not a port" - -- "$cli" listen --port 0
refused 2 "--port: 'abc' is not a port" - -- "$cli" listen --port abc
refused 2 "--bind: '1.2.3' is not an IPv4 address" - -- "$cli" listen --bind 1.2.3
refused 2 "--count: '-1' is not a number" - -- "$cli" listen --count -1
refused 2 "--timeout: 'abc' is not a number of seconds" - -- "$cli" listen --timeout abc
refused 2 "--timeout: '-1' is not a number of seconds" - -- "$cli" listen --timeout -1
refused 2 "--queue must be at least 1" - -- "$cli" listen --queue 0
refused 2 "--queue: '99999999' is not a number" - -- "$cli" listen --queue 99999999
refused 2 "--dedup-window: 'x' is not a number" - -- "$cli" listen --dedup-window x
refused 2 "interface nosuchif0 has no IPv4 address" - -- "$cli" listen -i nosuchif0 --port 50138
refused 2 "--pcap IFACE names the interface itself" - -- "$cli" listen --pcap lo -i lo

# The filters, -c, --timeout, -w and the completion command (issue 7).
W=$tmp/w.pcap
refused 2 "--name: 'A<1g>' is not a NetBIOS name" - -- "$cli" decode --name 'A<1g>' "$own"
refused 2 "--name: '<20>' is not a NetBIOS name" - -- "$cli" decode --name '<20>' "$own"
refused 2 "--slot: '' is not a mailslot name" - -- "$cli" check --slot '' "$own"
refused 2 "--slot: 'PIPE.X' is not a mailslot name" - -- "$cli" hosts --slot 'PIPE.X' "$own"
refused 2 "--type: '' is not one of" - -- "$cli" decode --type '' "$own"
refused 2 "-c: '0' is not a count" - -- "$cli" decode -c 0 "$own"
refused 2 "-c: '-3' is not a count" - -- "$cli" check -c -3 "$own"
refused 2 "--timeout: '0' is not a number of seconds" - -- "$cli" decode -i lo --timeout 0
refused 2 "--timeout goes with -i IFACE" - -- "$cli" check --timeout 5 "$own"
refused 2 "-r FILE and -i IFACE exclude each other" - -- "$cli" decode -r "$own" -i lo
refused 2 "--color: '' is not auto, always or never" - -- "$cli" decode --color '' "$own"
refused 2 "can't parse filter expression" "$W" -- "$cli" decode -w "$W" "$own" 'port port'
refused 3 "missing.pcap" "$W" -- "$cli" decode -w "$W" "$tmp/missing.pcap"
refused 4 "-w $tmp/no/such/dir/w.pcap" - -- "$cli" decode -w "$tmp/no/such/dir/w.pcap" "$own"
refused 2 "--stats prints a text table" - -- "$cli" decode --stats --json "$own"
refused 2 "only bash is known" - -- "$cli" completion zsh
refused 2 "only bash is known" - -- "$cli" completion
refused 2 "needs an argument" - -- "$cli" decode "$own" --slot

finish
