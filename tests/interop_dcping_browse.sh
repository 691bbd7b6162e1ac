#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `mailslot dcping` and `mailslot browse` against Samba nmbd as a classic
# PDC and local master browser (`domain logons = yes`, `domain master =
# yes`), ~1 min: two namespaces joined by a veth pair, nmbd (LABPEER,
# workgroup MSLAB) at 192.0.2.10, our commands at 192.0.2.20.
#   - dcping MSLAB: nmbd answers the LOGON_SAM_LOGON_REQUEST with 0x13
#     (server \\LABPEER, domain MSLAB); --primary: 0x0C (pdc LABPEER);
#     --to 192.0.2.10 --json: the reply as decode writes it, sender
#     samba-nmbd; a domain nobody serves: exit 1 in --wait;
#   - the ways replies come: raw copies (root), port 138 bound when the
#     raw socket is not allowed (CAP_NET_RAW dropped), an ephemeral port
#     (--sport ephemeral: nmbd answers the asking port), each named on
#     stderr;
#   - browse MSLAB once nmbd is local master: LABPEER at 192.0.2.10 names
#     itself as backup, resolved to 192.0.2.10 by a name query; --json;
#     a workgroup with no master: exit 1;
#   - browse --announce-request: nmbd's HostAnnouncement heard on the
#     broadcast address, LABPEER listed as hosts lists it (also --json).
# Needs root, ip netns, nmbd, capsh; skips (77) otherwise, or fails under
# MAILSLOT_REQUIRE_ALL. KEEP_WORK=1 keeps the work directory.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need capsh "capsh (libcap2-bin) is not installed"
it_require_cli dcping browse

it_init interop_dcping_browse
W=$IT_WORK
NS_N=ms-idn-$$
NS_P=ms-idp-$$
IF_N=idn$$
IF_P=idp$$
NMBD_IP=192.0.2.10
IT_NMBD_EXTRA="    server role = classic primary domain controller
    domain logons = yes
    domain master = yes"

it_pair "$NS_N" "$IF_N" "$NMBD_IP" "$NS_P" "$IF_P" 192.0.2.20 || exit 1
it_nmbd_start "$NS_N" "$IF_N" || exit 1

# ours TAG SECONDS ARGS...: a mailslot command in our namespace, bounded;
# output in $W/TAG.out and TAG.err, exit status in RC.
ours() {
    local tag=$1 secs=$2
    shift 2
    it_run "$NS_P" "$secs" "$IT_CLI" "$@" >"$W/$tag.out" 2>"$W/$tag.err"
    RC=$?
}
# check NAME COND...: pass when the command COND succeeds, else fail with
# the output of the last `ours`.
check() {
    local name=$1
    shift
    if "$@"; then
        it_pass "$name"
    else
        it_fail "$name" "exit $RC; out: $(head -c 400 "$W/$TAG.out"); err: $(head -c 400 "$W/$TAG.err")"
    fi
}
has() { grep -qE -- "$2" "$W/$1"; }

# nmbd answers NETLOGON once it holds MSLAB<1c> (a few seconds in).
it_wait_grep "$IT_NMBD_LOG" "success in registering name MSLAB<1c>" 30 "$IT_NMBD_PID" ||
    it_log "nmbd did not log MSLAB<1c> yet"

# ------------------------------------------------ dcping
TAG=sam
ours $TAG 15 dcping -i "$IF_P" --wait 2 MSLAB
check "dcping MSLAB: nmbd answers 0x13 (server \\\\LABPEER, domain MSLAB), by raw copies" \
    eval '[[ $RC == 0 ]] && [[ $(wc -l <"$W/sam.out") == 1 ]] &&
          has sam.out "^192\.0\.2\.10 LABPEER<00> LOGON_SAM_LOGON_RESPONSE \(0x13\): server \\\\\\\\LABPEER domain MSLAB nt-version 0x1 \(V1\)$" &&
          has sam.err "LOGON_SAM_LOGON_REQUEST to MSLAB<1c> at 192\.0\.2\.255:138, replies to \\\\MAILSLOT\\\\NET\\\\GETDC[0-9]{3}" &&
          has sam.err "replies to port 138 read as copies from a raw socket"'

# The PDC's name MSLAB<1b> is nmbd's once it is domain master (~8 s).
it_wait_grep "$IT_NMBD_LOG" "is now a domain master browser for workgroup MSLAB" 30 "$IT_NMBD_PID" ||
    it_log "nmbd did not become domain master"
TAG=pdc
ours $TAG 15 dcping -i "$IF_P" --wait 2 --primary mslab
check "dcping --primary: nmbd answers 0x0c (pdc LABPEER, domain MSLAB)" \
    eval '[[ $RC == 0 ]] && has pdc.out "^192\.0\.2\.10 LABPEER<00> LOGON_PRIMARY_RESPONSE \(0x0c\): pdc LABPEER.* domain MSLAB" &&
          has pdc.err "LOGON_PRIMARY_QUERY to MSLAB<1b>"'

TAG=json
ours $TAG 15 dcping -i "$IF_P" --wait 2 --to "$NMBD_IP" --json MSLAB
check "dcping --to $NMBD_IP --json: the reply as decode writes it, sender samba-nmbd" \
    eval '[[ $RC == 0 ]] && "$IT_PY" -c "
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert len(o) == 1, o
assert o[0][\"netlogon\"][\"command\"] == 0x13 and o[0][\"ip\"][\"src\"] == \"$NMBD_IP\", o
assert o[0][\"sender\"] == [\"samba-nmbd\"], o[0][\"sender\"]
assert o[0][\"mailslot\"][\"name\"].startswith(\"\\\\MAILSLOT\\\\NET\\\\GETDC\")
" "$W/json.out"'

TAG=none
ours $TAG 15 dcping -i "$IF_P" --wait 1 NOSUCHDOM
check "dcping NOSUCHDOM: nobody answers, exit 1" \
    eval '[[ $RC == 1 ]] && has none.err "no domain controller of NOSUCHDOM answered within 1 s" && [[ ! -s $W/none.out ]]'

TAG=bound
it_run "$NS_P" 15 capsh --drop=cap_net_raw -- -c \
    "exec \"\$0\" dcping -i $IF_P --wait 2 MSLAB" "$IT_CLI" >"$W/bound.out" 2>"$W/bound.err"
RC=$?
check "dcping without CAP_NET_RAW: replies read on port 138, bound while it runs" \
    eval '[[ $RC == 0 ]] && has bound.err "replies to port 138 read on port 138, bound while this runs" &&
          has bound.out "LOGON_SAM_LOGON_RESPONSE \(0x13\)"'

# Neither way: no CAP_NET_RAW, and a listener holds 138 here. dcping says
# which replies it cannot get, and still gets nmbd's (to its own port).
it_bg "$NS_P" "$W/holder.out" "$W/holder.err" "$IT_CLI" listen -i "$IF_P" --timeout 30
HOLDER=$IT_BG_PID
it_wait_udp "$NS_P" 138 "$HOLDER" 5 || it_log "the listener did not bind 138"
TAG=held
it_run "$NS_P" 15 capsh --drop=cap_net_raw -- -c \
    "exec \"\$0\" dcping -i $IF_P --wait 2 MSLAB" "$IT_CLI" >"$W/held.out" 2>"$W/held.err"
RC=$?
check "dcping with 138 held and no CAP_NET_RAW: says replies to 138 cannot reach it, gets nmbd's" \
    eval '[[ $RC == 0 ]] && has held.err "replies sent to port 138 cannot reach this command: no mailslotd answers, no CAP_NET_RAW for a raw socket, port 138 is held by mailslot \(pid $HOLDER\)\. Only" &&
          has held.out "LOGON_SAM_LOGON_RESPONSE \(0x13\)"'
it_stop_pid "$HOLDER"

TAG=eph
ours $TAG 15 dcping -i "$IF_P" --wait 2 --sport ephemeral MSLAB
check "dcping --sport ephemeral: nmbd answers the asking port (the note says what is missed)" \
    eval '[[ $RC == 0 ]] && has eph.out "LOGON_SAM_LOGON_RESPONSE \(0x13\)" && has eph.err "ephemeral port"'

# ------------------------------------------------ browse
if it_nmbd_wait_master 60; then
    TAG=bl
    ours $TAG 20 browse -i "$IF_P" --wait 2 MSLAB
    check "browse MSLAB: master LABPEER at $NMBD_IP, its backup LABPEER resolved to $NMBD_IP" \
        eval '[[ $RC == 0 ]] && has bl.out "^master LABPEER<00> 192\.0\.2\.10 \(workgroup MSLAB, token [0-9]+\): 1 backup browser$" &&
              has bl.out "^    LABPEER 192\.0\.2\.10$" && [[ $(wc -l <"$W/bl.out") == 2 ]]'

    TAG=blj
    ours $TAG 20 browse -i "$IF_P" --wait 2 --json mslab
    check "browse --json: one object for the master, its backups resolved" \
        eval '[[ $RC == 0 ]] && "$IT_PY" -c "
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert len(o) == 1, o
m = o[0]
assert m[\"master\"] == \"LABPEER<00>\" and m[\"address\"] == \"$NMBD_IP\" and m[\"workgroup\"] == \"MSLAB\", m
assert m[\"count\"] == 1 and m[\"backups\"] == [{\"name\": \"LABPEER\", \"resolved\": True, \"address\": \"$NMBD_IP\"}], m
" "$W/blj.out"'

    TAG=blnone
    ours $TAG 20 browse -i "$IF_P" --wait 1 NOSUCHWG
    check "browse NOSUCHWG: no master answers, exit 1" \
        eval '[[ $RC == 1 ]] && has blnone.err "no master browser of NOSUCHWG answered within 1 s"'

    TAG=ann
    ours $TAG 60 browse -i "$IF_P" --announce-request --wait 20 --json MSLAB
    check "browse --announce-request: nmbd announces itself, listed as hosts --json lists it" \
        eval '[[ $RC == 0 ]] && "$IT_PY" -c "
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
h = [x for x in o if x[\"name\"] == \"LABPEER\"]
assert h and h[0][\"ip\"] == \"$NMBD_IP\" and h[0][\"workgroup\"] == \"MSLAB\", o
assert \"master-browser\" in h[0][\"roles\"], h
" "$W/ann.out"'
else
    it_fail "browse: nmbd never became local master (KEEP_WORK=1 for its log)"
fi

it_finish
