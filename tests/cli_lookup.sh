#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslot lookup against a fake name server on 127.0.0.1
# (tests/py/nbns_fake_peer.py): usage errors (exit 2, one line), the
# answers of a broadcast query (all of them, after the whole timeout), of
# a unicast one (the first ends it), groups, negative answers (exit 1),
# silence (exit 1 within the timeout), node status (-A), the --json
# objects, and the requests as they went on the wire (the peer's log).
# Loopback only; as root in a network namespace of its own.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
isolate_net "$@"
make_tmp
py=/usr/bin/python3
[[ -x $py ]] || skip "$py is missing"
expect_one_line=1

# ---- usage: exit 2, one line on stderr, before any packet
expect 2 'give a NAME or -A IP' -- "$cli" lookup
expect 2 "-A asks one host" -- "$cli" lookup -A 127.0.0.1 LABPEER
expect 2 "-A asks one host" -- "$cli" lookup -A 127.0.0.1 --to 127.0.0.1
expect 2 "-A: '300.1.1.1' is not an IPv4 address" -- "$cli" lookup -A 300.1.1.1
expect 2 "--to: 'host' is not an IPv4 address" -- "$cli" lookup --to host LABPEER
expect 2 "--wins: '1.2.3' is not an IPv4 address" -- "$cli" lookup --wins 1.2.3 LABPEER
expect 2 "-B: '' is not an IPv4 address" -- "$cli" lookup -B '' LABPEER
expect 2 'at most one of -B, --wins and --to' -- "$cli" lookup -B 127.0.0.1 --to 127.0.0.1 LABPEER
expect 2 "'WAYTOOLONGNAME16' is not a NetBIOS name: longer than 15 characters" -- \
    "$cli" lookup --to 127.0.0.1 WAYTOOLONGNAME16
expect 2 "'SIXTEENCHARSLONG<20>' is not a NetBIOS name: longer than 15 characters" -- \
    "$cli" lookup --to 127.0.0.1 'SIXTEENCHARSLONG<20>'
expect 2 "'AB<zz>' is not a NetBIOS name: the suffix must be <xx>, two hex digits" -- \
    "$cli" lookup --to 127.0.0.1 'AB<zz>'
expect 2 "'AB<1>' is not a NetBIOS name: the suffix must be" -- "$cli" lookup --to 127.0.0.1 'AB<1>'
expect 2 "'<20>' is not a NetBIOS name: no name before the suffix" -- "$cli" lookup --to 127.0.0.1 '<20>'
expect 2 "'' is not a NetBIOS name: the name is empty" -- "$cli" lookup --to 127.0.0.1 ''
expect 2 "--timeout: '0' is not milliseconds" -- "$cli" lookup --timeout 0 --to 127.0.0.1 X
expect 2 "--timeout: '1s' is not milliseconds" -- "$cli" lookup --timeout 1s --to 127.0.0.1 X
expect 2 "--port: '70000' is not a port" -- "$cli" lookup --port 70000 --to 127.0.0.1 X
expect 2 "unexpected argument 'TWO'" -- "$cli" lookup --to 127.0.0.1 ONE TWO
expect 2 "try 'mailslot lookup --help'" -- "$cli" lookup --bogus X
expect 2 'nosuchif0' -- "$cli" lookup -i nosuchif0 X
"$cli" lookup --help >"$tmp/help" && grep -q '^usage: mailslot lookup' "$tmp/help" &&
    grep -q '^Exit status: 0 found' "$tmp/help" && ok || bad "lookup --help"

# ---- the fake peer
start_bg "$py" "$src/tests/py/nbns_fake_peer.py" --port-file "$tmp/port" --log "$tmp/log" \
    --seconds 60 2>"$tmp/peer.err"
for ((i = 0; i < 50; i++)); do [[ -s $tmp/port ]] && break; sleep 0.1; done
[[ -s $tmp/port ]] || { bad "the fake peer did not start: $(cat "$tmp/peer.err")"; finish; exit 1; }
P=$(cat "$tmp/port")
L=("$cli" lookup --port "$P")

# timed STATUS ARGS...: run lookup, output in $tmp/out and $tmp/err, its
# exit status in rc and its duration in ms in took.
timed() {
    local t0 t1
    t0=$(date +%s%N)
    "${L[@]}" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    t1=$(date +%s%N)
    took=$(((t1 - t0) / 1000000))
}
# log_since N: the peer's log lines after line N.
log_since() { tail -n +"$(($1 + 1))" "$tmp/log"; }
log_len() { wc -l <"$tmp/log"; }

# Broadcast: both answers (one from another socket, for another
# address), the garbage and the other transaction dropped, and only after
# the whole timeout; three requests with RD and B (0x0110).
n0=$(log_len)
timed -B 127.0.0.1 --timeout 400 labpeer
printf '%s\n' '127.0.0.1 LABPEER<00>' '192.0.2.123 LABPEER<00> (answered by 127.0.0.1)' >"$tmp/want"
[ $rc -eq 0 ] && sort "$tmp/out" | diff -u "$tmp/want" - && [ ! -s "$tmp/err" ] && ok ||
    bad "broadcast labpeer: exit $rc, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"
[ "$took" -ge 400 ] && [ "$took" -lt 1400 ] && ok || bad "broadcast ended after $took ms, not after its 400"
[ "$(log_since "$n0" | sort | uniq -c | awk '{$1=$1; print}')" = "3 0110 NB LABPEER<00>" ] && ok ||
    bad "broadcast requests: $(log_since "$n0" | tr '\n' ';')"

# Unicast to a host: no B (0x0100), the first answer ends it.
n0=$(log_len)
timed --to 127.0.0.1 --timeout 3000 LABPEER
[ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = '127.0.0.1 LABPEER<00>' ] && ok ||
    bad "--to: exit $rc, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"
[ "$took" -lt 1000 ] && ok || bad "--to did not end at the first answer ($took ms)"
[ "$(log_since "$n0")" = "0100 NB LABPEER<00>" ] && ok || bad "--to request: $(log_since "$n0" | tr '\n' ';')"

# A group through "WINS": three entries, each marked.
timed --wins 127.0.0.1 'mslab<1E>'
printf '192.0.2.2%s MSLAB<1e> group (answered by 127.0.0.1)\n' 1 2 3 >"$tmp/want"
[ $rc -eq 0 ] && diff -u "$tmp/want" "$tmp/out" && ok || bad "--wins group: exit $rc, $(cat "$tmp/err")"

# More entries than one answer keeps: said on stderr.
timed -B 127.0.0.1 --timeout 200 'BIG<1c>'
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 25 ] &&
    grep -qx 'mailslot lookup: the answer from 127.0.0.1 held 30 addresses; the first 25 are shown' "$tmp/err" &&
    ok || bad "BIG<1c>: exit $rc, $(wc -l <"$tmp/out") lines, err: $(cat "$tmp/err")"

# Negative: exit 1 at once, one line naming the responder and the RCODE.
timed --to 127.0.0.1 --timeout 3000 ghost
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$took" -lt 1000 ] &&
    [ "$(cat "$tmp/err")" = 'mailslot lookup: GHOST<00>: negative answer from 127.0.0.1 (rcode 3 NAM_ERR)' ] &&
    ok || bad "ghost: exit $rc after $took ms, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"
# A negative answer beside a positive one: found, the refusal on stderr.
timed -B 127.0.0.1 --timeout 200 MIXED
[ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = '192.0.2.99 MIXED<00> (answered by 127.0.0.1)' ] &&
    [ "$(cat "$tmp/err")" = 'mailslot lookup: negative answer from 127.0.0.1 (rcode 5 RFS_ERR)' ] &&
    ok || bad "MIXED: exit $rc, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"

# Silence: exit 1 once the timeout has passed, three requests.
for mode in -B --to --wins; do
    n0=$(log_len)
    timed "$mode" 127.0.0.1 --timeout 500 NOBODY
    [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$took" -ge 500 ] && [ "$took" -lt 1500 ] &&
        grep -qx "mailslot lookup: NOBODY<00>: no answer from 127.0.0.1:$P within 500 ms (3 queries)" "$tmp/err" &&
        [ "$(log_since "$n0" | wc -l)" -eq 3 ] && ok ||
        bad "$mode NOBODY: exit $rc after $took ms, err: $(cat "$tmp/err")"
done

# -i lo: the interface's address as the source.
timed -i lo --to 127.0.0.1 LABPEER
[ $rc -eq 0 ] && ok || bad "-i lo --to: exit $rc, $(cat "$tmp/err")"

# ---- node status
n0=$(log_len)
timed -A 127.0.0.1
cat >"$tmp/want" <<'EOF'
NAME                     TYPE    ONT  STATE
LABPEER<00>              unique  B    ACTIVE
LABPEER<20>              unique  B    ACTIVE,PERMANENT
MSLAB<1e>                group   B    ACTIVE
MSLAB<1d>                unique  H    ACTIVE,CONFLICT
<01><02>__MSBROWSE__<02><01> group   B    ACTIVE,DEREGISTERING
MAC address (unit ID) 02:00:c0:00:02:0a
EOF
[ $rc -eq 0 ] && diff -u "$tmp/want" "$tmp/out" && [ ! -s "$tmp/err" ] && ok ||
    bad "-A: exit $rc, err: $(cat "$tmp/err")"
[ "$(log_since "$n0")" = "0000 NBSTAT *<00>" ] && ok || bad "-A request: $(log_since "$n0" | tr '\n' ';')"
# A port where nobody answers.
dead=$("$py" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timed -A 127.0.0.1 --port "$dead" --timeout 300
[ $rc -eq 1 ] && grep -qx "mailslot lookup: node status of 127.0.0.1: no answer from 127.0.0.1:$dead within 300 ms (3 queries)" "$tmp/err" &&
    ok || bad "-A, nobody there: exit $rc, $(cat "$tmp/err")"

# ---- --json
timed --json -B 127.0.0.1 --timeout 200 LABPEER
cp "$tmp/out" "$tmp/j.labpeer"
timed --json -B 127.0.0.1 --timeout 200 MIXED
cp "$tmp/out" "$tmp/j.mixed"
timed --json --to 127.0.0.1 GHOST
[ $rc -eq 1 ] && ok || bad "--json GHOST: exit $rc"
cp "$tmp/out" "$tmp/j.ghost"
timed --json -A 127.0.0.1
cp "$tmp/out" "$tmp/j.status"
"$py" - "$tmp" "$P" <<'PY' && ok || bad "--json objects"
import json, sys
d, port = sys.argv[1], int(sys.argv[2])
def rows(name):
    return [json.loads(l) for l in open(f"{d}/j.{name}")]
lab = rows("labpeer")
assert len(lab) == 2, lab
for o in lab:
    assert set(o) == {"name", "from", "from_port", "positive", "rcode", "flags", "ms", "ttl",
                      "addresses"}, o
    assert o["name"] == "LABPEER<00>" and o["from"] == "127.0.0.1" and o["positive"] is True
    assert o["rcode"] == 0 and o["ttl"] == 300000 and o["flags"] == 0x8500, o
    assert isinstance(o["ms"], int) and 0 <= o["ms"] < 200, o
got = sorted((a["ip"], a["group"], a["ont"], a["nb_flags"]) for o in lab for a in o["addresses"])
assert got == [("127.0.0.1", False, "B", 0), ("192.0.2.123", False, "H", 0x6000)], got
assert sorted(o["from_port"] == port for o in lab) == [False, True], lab
mixed = rows("mixed")
neg = [o for o in mixed if not o["positive"]]
assert len(mixed) == 2 and len(neg) == 1, mixed
assert set(neg[0]) == {"name", "from", "from_port", "positive", "rcode", "rcode_name", "flags",
                       "ms"}, neg
assert neg[0]["rcode"] == 5 and neg[0]["rcode_name"] == "RFS_ERR", neg
ghost = rows("ghost")
assert len(ghost) == 1 and ghost[0]["rcode_name"] == "NAM_ERR", ghost
st = rows("status")
assert len(st) == 1, st
s = st[0]
assert s["from"] == "127.0.0.1" and s["unit_id"] == "0200c000020a", s
names = [(n["name"], n["suffix"], n["group"], n["ont"], n["active"], n["conflict"],
          n["deregistering"], n["permanent"]) for n in s["names"]]
assert names == [("LABPEER<00>", 0, False, "B", True, False, False, False),
                 ("LABPEER<20>", 0x20, False, "B", True, False, False, True),
                 ("MSLAB<1e>", 0x1e, True, "B", True, False, False, False),
                 ("MSLAB<1d>", 0x1d, False, "H", True, True, False, False),
                 ("<01><02>__MSBROWSE__<02><01>", 1, True, "B", True, False, True, False)], names
assert [n["flags"] for n in s["names"]] == [0x0400, 0x0600, 0x8400, 0x6c00, 0x9400]
PY

# The name as typed is upper-cased on the wire; NAME<xx> keeps its suffix.
n0=$(log_len)
timed --to 127.0.0.1 --timeout 100 'lab.peer<1D>'
[ $rc -eq 1 ] && [ "$(log_since "$n0" | sort -u)" = "0100 NB LAB.PEER<1d>" ] && ok ||
    bad "lab.peer<1D>: exit $rc, requests $(log_since "$n0" | tr '\n' ';')"

# Inside our own namespace (only lo, no route): the default broadcast has
# nowhere to go; a system error in one line, not a crash.
if [[ -n ${MS_OWN_NETNS:-} ]]; then
    timed --timeout 200 LABPEER
    [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '255.255.255.255' "$tmp/err" && ok ||
        bad "default broadcast without an interface: exit $rc, $(cat "$tmp/err")"
fi

reap TERM
finish
