#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# The CLI on bad input: a clear message on stderr and the documented exit
# status, never a crash; and the happy paths those errors sit beside.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp

# Example A of PROTOCOL.md §4.6 (the same octets as tests/support/vectors.h).
payload=$(sed -n '/VEC_EXAMPLE_A/,/;/p' "$(dirname "$0")/support/vectors.h" | grep -o '"[0-9a-f]*"' | tr -d '"\n')
[ ${#payload} -eq 402 ] || { echo "FAIL: could not read example A"; exit 1; }
printf '{"frame":1,"time":1700000000.5,"ip":{"src":"192.0.2.10","dst":"192.0.2.255"},"udp":{"srcport":138,"dstport":138},"payload":"%s"}\n' "$payload" >"$tmp/a.json"

expect 2 'usage' -- "$cli"
expect 2 "unknown command 'bogus'" -- "$cli" bogus
expect 2 'no input' -- "$cli" decode
expect 2 'not a port number' -- "$cli" decode --port abc x.pcap
expect 2 'not a port number' -- "$cli" decode --port 70000 x.pcap
expect 3 'a.pcap' -- "$cli" decode a.pcap udp port 138
expect 2 "can't parse filter expression" -- "$cli" decode "$own" 'no such (('
expect 2 'operands after -r FILE are a BPF filter' -- "$cli" decode -r "$own" "$own"
expect 2 'unknown option' -- "$cli" decode --frobnicate x.pcap
expect 3 "$tmp/missing.pcap" -- "$cli" decode "$tmp/missing.pcap"
printf 'this is not a capture\n' >"$tmp/text.pcap"
expect 3 'text.pcap' -- "$cli" decode "$tmp/text.pcap"
: >"$tmp/empty.pcap"
expect 3 'empty.pcap' -- "$cli" decode "$tmp/empty.pcap"

# encode: usage and bad input; no output file may be left behind.
expect 2 'exactly one of -w FILE or --hex' -- "$cli" encode "$tmp/a.json"
expect 2 'exactly one of -w FILE or --hex' -- "$cli" encode --hex -w "$tmp/x.pcap" "$tmp/a.json"
expect 3 'cannot open' -- "$cli" encode --hex "$tmp/nope.json"
printf '{"frame":1,\n' >"$tmp/bad.json"
expect 3 'line 1: column' -- "$cli" encode -w "$tmp/bad.pcap" "$tmp/bad.json"
[ ! -e "$tmp/bad.pcap" ] && [ ! -e "$tmp/bad.pcap.partial" ] || bad "partial output left"
printf '{"frame":1}\n' >"$tmp/nonb.json"
expect 3 'no "nbdgm" object' -- "$cli" encode --hex "$tmp/nonb.json"
printf '{"payload":"abc"}\n' >"$tmp/oddhex.json"
expect 3 'not a hex string' -- "$cli" encode --hex "$tmp/oddhex.json"
printf '{"nbdgm":{"type":17,"src_name":"TOOLONGNAME12345678<00>","dst_name":"X<00>"},"mailslot":{"name":"\\\\MAILSLOT\\\\X"}}\n' >"$tmp/badname.json"
expect 3 'not a NetBIOS name' -- "$cli" encode --hex "$tmp/badname.json"
printf '{"nbdgm":{"type":17,"src_name":"A<00>","dst_name":"B<00>"},"trans":{"data_count":70000},"mailslot":{"name":"\\\\MAILSLOT\\\\X"}}\n' >"$tmp/range.json"
expect 3 'not an integer in range' -- "$cli" encode --hex "$tmp/range.json"

# Happy paths: encode -> pcap -> decode (file and stdin) -> same payload.
if "$cli" encode -w "$tmp/a.pcap" "$tmp/a.json" 2>"$tmp/err"; then
    ok
else
    bad "encode a.json: $(cat "$tmp/err")"
fi
line=$("$cli" decode -q "$tmp/a.pcap")
case $line in
*"DIRECT_GROUP SERVER1<00> -> WORKGROUP<1d> \\MAILSLOT\\BROWSE HostAnnouncement SERVER1"*) ok ;;
*) bad "text line: $line" ;;
esac
if "$cli" decode --json -q - <"$tmp/a.pcap" | grep -q "\"payload\":\"$payload\""; then
    ok
else
    bad "decode from stdin did not give the payload back"
fi
"$cli" encode --hex "$tmp/a.json" >"$tmp/hex"
[ "$(cat "$tmp/hex")" = "$payload" ] && ok || bad "--hex"

# A truncated capture: what was readable is printed, then exit 3.
"$cli" encode -w "$tmp/two.pcap" <(cat "$tmp/a.json" "$tmp/a.json")
size=$(stat -c %s "$tmp/two.pcap")
head -c $((size - 20)) "$tmp/two.pcap" >"$tmp/cut.pcap"
expect 3 'truncated' -- "$cli" decode "$tmp/cut.pcap"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "truncated file printed $(wc -l <"$tmp/out") lines, want 1"

# No UDP/138 frame: say so, exit 0.
sed 's/"srcport":138,"dstport":138/"srcport":137,"dstport":137/' "$tmp/a.json" >"$tmp/p137.json"
"$cli" encode -w "$tmp/p137.pcap" "$tmp/p137.json"
expect 0 'no UDP datagram on port 138' -- "$cli" decode "$tmp/p137.pcap"
expect 0 '1 datagram decoded' -- "$cli" decode --port 137 "$tmp/p137.pcap"
expect 0 '' -- "$cli" decode --help
expect 0 '' -- "$cli" encode --help

finish
