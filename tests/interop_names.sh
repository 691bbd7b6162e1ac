#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The name service of `mailslot listen --register` against Samba nmbd as a
# domain controller and WINS server (`domain logons = yes`, `wins support =
# yes`, `domain master = yes`, `max wins ttl = 30`), ~2 min: two
# namespaces joined by a veth pair, nmbd (HIDDENPDC, alias OURS,
# workgroup MSLAB) at 192.0.2.10, our listeners at 192.0.2.20.
#   - ours first: a listener holding OURS<00> before nmbd starts defends
#     it; nmbd logs that it could not register OURS<00>; a broadcast query
#     for OURS gets only our address;
#   - nmbd first: `listen --register HIDDENPDC` refuses (exit 4) with one
#     line naming 192.0.2.10; a broadcast query gets only nmbd's address;
#     the same through the WINS server (--wins) names it too;
#   - WINS: `listen --register WINSNAME --wins 192.0.2.10` is in nmbd's
#     WINS (nmblookup -U) at once and still after 90 s (the TTL is 30 s: it
#     refreshed, while a name whose holder was killed expired meanwhile),
#     and gone from it after SIGTERM (released); a broadcast query then
#     gets no answer from us within 2 s;
#   - node status: nmblookup -A and impacket's getnodestatus list our
#     names, group flag and MAC address;
#   - a conflict demand from an on-link node makes the listener give the
#     name up (logged) and stop answering for it.
# Needs root, ip netns, nmbd, nmblookup, python3 with impacket and scapy;
# skips (77) otherwise, or fails under MAILSLOT_REQUIRE_ALL. KEEP_WORK=1
# keeps the work directory.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need nmblookup "Samba nmblookup (samba-common-bin) is not installed"
it_require_scapy
"$IT_PY" -c 'import impacket.nmb' >/dev/null 2>&1 ||
    skip "python3-impacket is not installed ($IT_PY cannot import impacket.nmb)"
it_require_cli listen

it_init interop_names
W=$IT_WORK
NS_N=ms-inn-$$
NS_P=ms-inp-$$
IF_N=inn$$
IF_P=inp$$
NMBD_IP=192.0.2.10
OUR_IP=192.0.2.20
BC=$IT_BCAST
IT_NB_NAME=HIDDENPDC
IT_NMBD_EXTRA="    server role = classic primary domain controller
    domain logons = yes
    domain master = yes
    wins support = yes
    max wins ttl = 30
    min wins ttl = 10
    netbios aliases = OURS
    name resolve order = wins bcast"

it_pair "$NS_N" "$IF_N" "$NMBD_IP" "$NS_P" "$IF_P" "$OUR_IP" || exit 1

# nmb NS ARGS...: nmblookup in NS with a throw-away configuration (our
# side has no Samba of its own).
printf '[global]\n    disable netbios = no\n    name resolve order = bcast\n' >"$W/client.conf"
nmb() {
    local ns=$1
    shift
    it_run "$ns" 20 nmblookup -s "$W/client.conf" "$@" 2>&1
}

# addrs_of OUTPUT NAME: the addresses nmblookup printed for NAME, sorted.
addrs_of() { awk -v n="$2" 'toupper($2) ~ "^" toupper(n) "<" {print $1}' <<<"$1" | sort -u | tr '\n' ' '; }

# listener TAG ARGS...: `mailslot listen` in our namespace, in the
# background; output in $W/TAG.out / TAG.err; its PID in LPID.
listener() {
    local tag=$1
    shift
    it_bg "$NS_P" "$W/$tag.out" "$W/$tag.err" "$IT_CLI" listen -i "$IF_P" "$@"
    LPID=$IT_BG_PID
}

# ------------------------------------------------ ours first
listener ours --register OURS --timeout 240 --stats
OURS_PID=$LPID
if it_wait_grep "$W/ours.err" "registered OURS<00>" 10 "$OURS_PID"; then
    it_pass "a listener registers OURS<00> by broadcast ($(grep -c 'registered' "$W/ours.err") line)"
else
    it_fail "the first listener did not register OURS<00>: $(cat "$W/ours.err")"
fi

it_nmbd_start "$NS_N" "$IF_N" || exit 1
# nmbd 4.17: "my_name_register_failed: Failed to register my name OURS<00>
# on subnet 192.0.2.10."
if it_wait_grep "$IT_NMBD_LOG" "Failed to register my name OURS<00>" 30 "$IT_NMBD_PID"; then
    it_pass "ours first: nmbd logs: $(grep -m1 -o 'Failed to register my name OURS<00>.*' "$IT_NMBD_LOG")"
else
    it_fail "ours first: nmbd did not log a failure for OURS<00> (KEEP_WORK=1 for its log)"
fi
if it_wait_grep "$W/ours.err" "defended OURS<00>: refused its registration by $NMBD_IP" 5 "$OURS_PID"; then
    it_pass "ours first: the listener logged its defence against $NMBD_IP"
else
    it_fail "ours first: no defence logged: $(cat "$W/ours.err")"
fi
got=$(addrs_of "$(nmb "$NS_N" -B "$BC" OURS)" OURS)
if [[ $got == "$OUR_IP " ]]; then
    it_pass "ours first: a broadcast query for OURS gets only $OUR_IP"
else
    it_fail "ours first: nmblookup -B OURS gave '$got'"
fi

# ------------------------------------------------ nmbd first
# nmbd defends HIDDENPDC<00> only once its own broadcast registration is
# done (~4 s after its start; until then nobody holds it): "success in
# registering name HIDDENPDC<00>".
it_wait_grep "$IT_NMBD_LOG" "success in registering name HIDDENPDC<00>" 30 "$IT_NMBD_PID" >/dev/null ||
    it_log "nmbd did not log its registration of HIDDENPDC<00>"
t0=$(date +%s.%N)
it_run "$NS_P" 20 "$IT_CLI" listen -i "$IF_P" --register HIDDENPDC --timeout 5 \
    >"$W/hidden.out" 2>"$W/hidden.err"
rc=$?
want="mailslot listen: refused HIDDENPDC<00>: held by $NMBD_IP (negative registration response from $NMBD_IP, ACT_ERR)"
if [[ $rc == 4 && $(cat "$W/hidden.err") == "$want" ]]; then
    it_pass "nmbd first: refused, exit 4, one line naming $NMBD_IP ($(it_since "$t0") s)"
else
    it_fail "nmbd first: exit $rc, stderr: $(cat "$W/hidden.err")"
fi
got=$(addrs_of "$(nmb "$NS_P" -B "$BC" HIDDENPDC)" HIDDENPDC)
if [[ $got == "$NMBD_IP " ]]; then
    it_pass "nmbd first: a broadcast query for HIDDENPDC gets only $NMBD_IP"
else
    it_fail "nmbd first: nmblookup -B HIDDENPDC gave '$got'"
fi
it_run "$NS_P" 20 "$IT_CLI" listen -i "$IF_P" --register HIDDENPDC --wins "$NMBD_IP" \
    --timeout 5 >"$W/hiddenw.out" 2>"$W/hiddenw.err"
rc=$?
if [[ $rc == 4 ]] && grep -q "refused HIDDENPDC<00>: held by $NMBD_IP .*WINS server $NMBD_IP" "$W/hiddenw.err"; then
    it_pass "nmbd first, with --wins: refused by the WINS server, naming $NMBD_IP"
else
    it_fail "nmbd first, with --wins: exit $rc, stderr: $(cat "$W/hiddenw.err")"
fi

# ------------------------------------------------ WINS
listener wins --register WINSNAME --wins "$NMBD_IP" --timeout 200 --stats --json
WINS_PID=$LPID
WINS_T0=$(date +%s.%N)
if it_wait_grep "$W/wins.err" "registered WINSNAME<00> with WINS server $NMBD_IP, TTL 30 s" 15 "$WINS_PID"; then
    it_pass "WINS: registered with $NMBD_IP, TTL 30 s (max wins ttl)"
else
    it_fail "WINS: not registered: $(cat "$W/wins.err")"
fi
out=$(nmb "$NS_P" -U "$NMBD_IP" --recursion WINSNAME)
if [[ $(addrs_of "$out" WINSNAME) == "$OUR_IP " ]]; then
    it_pass "WINS: nmblookup -U $NMBD_IP WINSNAME gives $OUR_IP"
else
    it_fail "WINS: nmblookup -U said: $out"
fi

# The control: a name registered the same way whose holder dies without a
# release (SIGKILL) must be gone from WINS by the end of the wait, or
# "still there after 90 s" would prove nothing about refreshing.
listener killed --register KILLEDNAME --wins "$NMBD_IP" --timeout 60
KILLED_PID=$LPID
if it_wait_grep "$W/killed.err" "registered KILLEDNAME<00> with WINS server" 15 "$KILLED_PID"; then
    it_stop_pid "$KILLED_PID" KILL 2>/dev/null
else
    it_fail "WINS: the control name was not registered: $(cat "$W/killed.err")"
fi

# ------------------------------------------------ node status (while WINS waits)
listener node --register NODEHOST --register-group MSLAB --timeout 60
NODE_PID=$LPID
it_wait_grep "$W/node.err" "registered MSLAB<00> \(group\)" 10 "$NODE_PID" >/dev/null
it_wait_grep "$W/node.err" "registered NODEHOST<00>" 10 "$NODE_PID" >/dev/null
MAC=$(ip -n "$NS_P" -br link show "$IF_P" | awk '{print $3}')
st=$(nmb "$NS_N" -A "$OUR_IP")
if grep -qE '^\s*NODEHOST\s+<00> -\s+(B|H) <ACTIVE>' <<<"$st" &&
    grep -qE '^\s*MSLAB\s+<00> - <GROUP> (B|H) <ACTIVE>' <<<"$st" &&
    grep -qi "MAC Address = ${MAC//:/-}" <<<"$st"; then
    it_pass "node status: nmblookup -A lists NODEHOST<00>, MSLAB<00> <GROUP>, the MAC ${MAC}"
else
    it_fail "node status: nmblookup -A said: $st"
fi
imp=$(ip netns exec "$NS_N" timeout 20 "$IT_PY" "$IT_PYDIR/node_status.py" "$OUR_IP" 2>&1)
if grep -qx "NODEHOST<00> unique active" <<<"$imp" && grep -qx "MSLAB<00> group active" <<<"$imp" &&
    grep -qix "mac ${MAC}" <<<"$imp"; then
    it_pass "node status: impacket getnodestatus lists the same names and MAC"
else
    it_fail "node status: impacket said: $imp"
fi

# A conflict demand from nmbd's (on-link) address: the name is given up.
ip netns exec "$NS_N" timeout 10 "$IT_PY" "$IT_PYDIR/conflict_demand.py" "$OUR_IP" NODEHOST >/dev/null 2>&1
if it_wait_grep "$W/node.err" "gave up NODEHOST<00>: conflict demand from an on-link node \($NMBD_IP\)" 5 "$NODE_PID"; then
    got=$(addrs_of "$(nmb "$NS_N" -B "$BC" NODEHOST)" NODEHOST)
    if [[ -z $got ]]; then
        it_pass "conflict demand from $NMBD_IP (on-link): NODEHOST<00> given up, logged, no longer answered"
    else
        it_fail "conflict demand: still answered after giving up: '$got'"
    fi
else
    it_fail "conflict demand: not obeyed: $(cat "$W/node.err")"
fi
it_stop_pid "$NODE_PID" TERM

# ------------------------------------------------ WINS refresh, release
# Still registered after 90 s of a 30 s TTL: it refreshed.
left=$(awk -v a="$WINS_T0" -v b="$(date +%s.%N)" -v w="${NAMES_WINS_WAIT:-92}" \
    'BEGIN{x = w - (b - a); print (x > 0) ? int(x + 0.5) : 0}')
sleep "$left"
out=$(nmb "$NS_P" -U "$NMBD_IP" --recursion WINSNAME)
got=$(addrs_of "$out" WINSNAME)
refreshes=$(grep -c "refreshed WINSNAME<00> with WINS server $NMBD_IP" "$W/wins.err")
if [[ $got == "$OUR_IP " ]] && ((refreshes >= 4)); then
    it_pass "WINS: still in WINS after $(it_since "$WINS_T0") s, $refreshes refreshes (TTL 30 s)"
else
    it_fail "WINS: after $(it_since "$WINS_T0") s, $refreshes refreshes, nmblookup -U said: $out"
fi
out=$(nmb "$NS_P" -U "$NMBD_IP" --recursion KILLEDNAME)
if grep -q "name_query failed to find name KILLEDNAME" <<<"$out"; then
    it_pass "WINS: the control name, not refreshed (its holder was killed), expired meanwhile"
else
    it_fail "WINS: the control name did not expire: $out"
fi
it_stop_pid "$WINS_PID" TERM
if grep -q "released WINSNAME<00>: the WINS server confirmed" "$W/wins.err" &&
    grep -q '"event":"released"' "$W/wins.out"; then
    it_pass "WINS: SIGTERM released the name (confirmed by $NMBD_IP; a JSON event too)"
else
    it_fail "WINS: no release: $(tail -n 3 "$W/wins.err")"
fi
out=$(nmb "$NS_P" -U "$NMBD_IP" --recursion WINSNAME)
if [[ -z $(addrs_of "$out" WINSNAME) ]] && grep -q "name_query failed to find name WINSNAME" <<<"$out"; then
    it_pass "WINS: nmblookup -U finds WINSNAME no more"
else
    it_fail "WINS: still in WINS after the release: $out"
fi
t0=$(date +%s.%N)
out=$(it_run "$NS_N" 5 nmblookup -s "$W/client.conf" -B "$BC" WINSNAME 2>&1)
if [[ -z $(addrs_of "$out" WINSNAME) ]]; then
    it_pass "after the release no broadcast answer for WINSNAME ($(it_since "$t0") s)"
else
    it_fail "after the release: $out"
fi
if grep -q "names: 1 registered, 0 refused, 1 released" "$W/wins.err"; then
    it_pass "--stats counts the name service: $(grep 'names:' "$W/wins.err" | sed 's/^mailslot listen: //')"
else
    it_fail "--stats: $(grep 'names:' "$W/wins.err")"
fi

it_stop_pid "$OURS_PID" TERM
it_finish
