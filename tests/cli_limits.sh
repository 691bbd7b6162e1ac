#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslot send's size limits from the command line (issue 15): every
# frame send accepts passes `check` with no MUST finding, every message it
# refuses is refused in one line naming each limit broken and its excess
# (exit 1), and --force-size sends it anyway. A sweep over data sizes
# around the limits x mailslot-name lengths x types x layouts; the full
# sweep of every size is tests/runtime/test_client_limits.c.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
expect_one_line=1

sizes=(0 372 373 424 425 428 429 443)
tails=(1 4 5 60 200)
n=0 accepted=0 refused=0
for t in "${tails[@]}"; do
    slot="\\MAILSLOT\\$(head -c "$t" /dev/zero | tr '\0' q)"
    for type in unique group broadcast; do
        for as in windows windows-browser; do
            for s in "${sizes[@]}"; do
                head -c "$s" /dev/zero | tr '\0' d >"$tmp/data"
                n=$((n + 1))
                args=(send -q -w "$tmp/f.pcap" --to 192.0.2.9 --name 'PEER<00>' --from SWEEP
                    --type "$type" --as "$as" --slot "$slot" --file "$tmp/data")
                "$cli" "${args[@]}" >/dev/null 2>"$tmp/err"
                rc=$?
                if [ $rc -eq 0 ]; then
                    accepted=$((accepted + 1))
                    "$cli" check -q "$tmp/f.pcap" >"$tmp/chk" 2>&1 && ok ||
                        bad "accepted $type $as ${t}-octet name $s octets, check says: $(grep -m1 must "$tmp/chk")"
                    continue
                fi
                refused=$((refused + 1))
                [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
                    grep -qE 'is over (a limit|2 limits): .*[0-9]+ over.*--force-size sends it anyway$' "$tmp/err" &&
                    ok || bad "refused $type $as $t $s: exit $rc, $(cat "$tmp/err")"
                # Sent anyway, the frame breaks what the refusal named.
                "$cli" "${args[@]}" --force-size >/dev/null 2>&1 || bad "--force-size $type $as $t $s"
                "$cli" check "$tmp/f.pcap" >"$tmp/chk" 2>/dev/null
                for rule in D-11 D-13; do
                    named=0 found=0
                    case $rule in
                        D-11) grep -q 'SMB message would be' "$tmp/err" && named=1 ;;
                        D-13) grep -q 'at most 424 data octets' "$tmp/err" && named=1 ;;
                    esac
                    grep -q " $rule " "$tmp/chk" && found=1
                    # D-13 also holds direct writes to 512 - DataOffset: the
                    # SMB limit's other face.
                    [ $rule = D-13 ] && [ $type = unique ] && continue
                    [ $named -eq $found ] && ok ||
                        bad "$type $as $t $s: refusal names $rule: $named, check finds it: $found ($(cat "$tmp/err"))"
                done
            done
        done
    done
done
[ $accepted -gt 60 ] && [ $refused -gt 60 ] && ok || bad "sweep too small: $accepted accepted, $refused refused"

# The issue's case: 424 octets to a 60-character name, a group write.
slot="\\MAILSLOT\\$(head -c 60 /dev/zero | tr '\0' n)"
head -c 424 /dev/zero >"$tmp/424"
head -c 430 /dev/zero >"$tmp/430"
expect 1 '^mailslot send: message of 424 octets \(372 data octets fit\) is over a limit: its SMB message would be 564 octets, 52 over 512 \(PROTOCOL.md §5.4\); --force-size sends it anyway$' -- \
    "$cli" send -w "$tmp/x.pcap" --to 192.0.2.255 --type group --name 'WG<00>' --slot "$slot" --file "$tmp/424" --from A
expect 1 'is over 2 limits: its SMB message would be 570 octets, 58 over 512; a group write carries at most 424 data octets, 6 over' -- \
    "$cli" send -w "$tmp/x.pcap" --to 192.0.2.255 --type group --name 'WG<00>' --slot "$slot" --file "$tmp/430" --from A
[ -e "$tmp/x.pcap" ] && bad "a refused send left its pcap" || ok

echo "cli_limits: $n sends, $accepted accepted, $refused refused"
finish
