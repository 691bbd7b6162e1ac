#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live interop with Samba nmbd (one nmbd for all sub-tests, ~30 s):
#   two namespaces joined by a veth pair, nmbd (LABPEER, workgroup MSLAB) at
#   192.0.2.10, our tools at 192.0.2.20 as PEERHOST.
#   - our bound listener (peer) receives nmbd's start-up HostAnnouncement;
#   - our AnnouncementRequest (0x02) is parsed by nmbd (log) and makes it
#     send a HostAnnouncement, which our bound listener receives;
#   - `listen --pcap` beside nmbd (which holds 138) sees nmbd's frames and
#     ours;
#   - a bound `listen` beside nmbd either shares 138 (then broadcasts reach
#     both, and we record which one a unicast reaches) or refuses and
#     offers --pcap;
#   - nmbd logs our custom-mailslot write (it parsed it), drops an empty one
#     and one longer than 576 octets (logged as malformed); send warns
#     about the latter;
#   - once nmbd is local master (~23 s): our `send --wait` of a
#     GetBackupListRequest to MSLAB<1d>, unicast and broadcast, gets the
#     GetBackupListResponse and decodes it.
# What Samba 4.17 nmbd logs is quoted next to each check below.
# Needs root, ip netns, nmbd, dumpcap/tshark, python3; skips (exit 77)
# otherwise, or fails when MAILSLOT_REQUIRE_ALL is set. KEEP_WORK=1 keeps
# the work directory (nmbd log, capture, listener output).
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need dumpcap "dumpcap (tshark) is not installed"
need tshark
it_require_cli send listen

it_init interop_nmbd
W=$IT_WORK
NS_N=ms-itn-$$
NS_P=ms-itp-$$
IF_N=itn$$
IF_P=itp$$
NMBD_IP=192.0.2.10
PEER_IP=192.0.2.20
FROM=PEERHOST
J=("$IT_PY" "$IT_PYDIR/interop_json.py")

it_pair "$NS_N" "$IF_N" "$NMBD_IP" "$NS_P" "$IF_P" "$PEER_IP" || exit 1
it_dumpcap "$NS_P" "$IF_P" "$W/peer.pcapng" || exit 1

# jcount FILE KEY=VALUE...: number of matching listener objects.
jcount() { "${J[@]}" count "$@" 2>/dev/null || echo 0; }

# wait_count FILE MIN SECONDS KEY=VALUE...: bounded wait for >= MIN matches.
wait_count() {
    local f=$1 min=$2 secs=$3 i
    shift 3
    for ((i = 0; i < secs * 5; i++)); do
        (($(jcount "$f" "$@") >= min)) && return 0
        sleep 0.2
    done
    return 1
}

# send_peer SECONDS ARGS...: `mailslot send` in the peer namespace as
# PEERHOST; output in $W/send.out, status in SEND_RC.
send_peer() {
    local secs=$1
    shift
    SEND_RC=0
    it_run "$NS_P" "$secs" "$IT_CLI" send --from "$FROM" "$@" >"$W/send.out" 2>&1 || SEND_RC=$?
    cat "$W/send.out" >>"$W/send.log"
}

HOSTANN=(browser.command=1 nbdgm.src_name='LABPEER<00>')

# ------------------------------------------------ listeners, then nmbd
# L1: bound listener in the peer namespace (started before nmbd, so it
# hears nmbd's start-up announcement).
it_bg "$NS_P" "$W/l1.json" "$W/l1.err" "$IT_CLI" listen --json --timeout 60 --count 1000
L1=$IT_BG_PID
if ! it_wait_udp "$NS_P" 138 "$L1" 10; then
    it_fail "listen binds UDP 138 in the peer namespace" "$(head -c 400 "$W/l1.err")"
    it_finish
fi
it_pass "listen binds UDP 138 in the peer namespace"

if ! it_nmbd_start "$NS_N" "$IF_N"; then
    it_fail "nmbd starts" "see above"
    it_finish
fi

# L2: --pcap listener in nmbd's namespace while nmbd holds 138.
L2=""
if it_has_opt listen --pcap; then
    it_bg "$NS_N" "$W/l2.json" "$W/l2.err" "$IT_CLI" listen --json --pcap "$IF_N" --timeout 90 --count 1000
    L2=$IT_BG_PID
    if ! it_wait_packet_socket "$NS_N" "$L2" 10; then
        it_fail "listen --pcap starts beside nmbd" "$(head -c 400 "$W/l2.err")"
        L2=""
    fi
fi

# L3: a bound listener in nmbd's namespace: shares 138 or says why not.
it_bg "$NS_N" "$W/l3.json" "$W/l3.err" "$IT_CLI" listen --json --timeout 40 --count 1000
L3=$IT_BG_PID
sleep 1
if ! it_is_running "$L3"; then
    it_wait_pid "$L3" 1
    L3=""
    if grep -qi -- '--pcap' "$W/l3.err"; then
        it_pass "bound listen beside nmbd refuses and offers --pcap" "exit $IT_RC: $(head -n 1 "$W/l3.err")"
    else
        it_fail "bound listen beside nmbd" "exit $IT_RC without a --pcap hint: $(head -c 300 "$W/l3.err")"
    fi
fi

# ------------------------------------------------ start-up HostAnnouncement
if wait_count "$W/l1.json" 1 8 "${HOSTANN[@]}"; then
    it_pass "bound listener receives nmbd's HostAnnouncement" \
        "the one nmbd sends at start-up, checked $(it_nmbd_since) s after nmbd's start"
else
    it_fail "bound listener receives nmbd's HostAnnouncement" \
        "none in 8 s; listener said: $(head -c 300 "$W/l1.err")"
fi

# ------------------------------------------------ AnnouncementRequest
# 0x02, reserved 0, ResponseName PEERHOST NUL. nmbd ignores datagrams to
# names it has not finished registering (~4 s after its start: "process_dgram:
# ignoring dgram packet sent to name MSLAB<00>"), so retry (bounded).
ANNREQ_HEX=0200$(printf '%s' "$FROM" | od -An -tx1 | tr -d ' \n')00
ann_ok=0
ann_before=$(jcount "$W/l1.json" "${HOSTANN[@]}")
for ((try = 1; try <= 8; try++)); do
    send_peer 10 --to "$IT_BCAST" --name "$IT_WORKGROUP<00>" --slot '\MAILSLOT\BROWSE' --hex "$ANNREQ_HEX"
    if ((SEND_RC != 0)); then
        it_fail "send AnnouncementRequest" "exit $SEND_RC: $(head -c 300 "$W/send.out")"
        break
    fi
    if wait_count "$W/l1.json" $((ann_before + 1)) 2 "${HOSTANN[@]}"; then
        ann_ok=1
        break
    fi
done
if ((ann_ok)); then
    it_pass "AnnouncementRequest makes nmbd send a HostAnnouncement; bound listener decodes it" \
        "try $try, $(it_nmbd_since) s after nmbd's start"
else
    it_fail "AnnouncementRequest makes nmbd send a HostAnnouncement" \
        "no new HostAnnouncement after $((try - 1)) tries"
fi
if grep -qF "process_announce_request: Announce request from $FROM<00> IP $PEER_IP to $IT_WORKGROUP<00>." "$IT_NMBD_LOG"; then
    it_pass "nmbd parsed our AnnouncementRequest (log: process_announce_request)"
else
    it_fail "nmbd parsed our AnnouncementRequest" "no process_announce_request line in its log"
fi
# The frame our listener decoded carries what nmbd announces.
if (($(jcount "$W/l1.json" "${HOSTANN[@]}" nbdgm.dst_name="$IT_WORKGROUP<1d>" \
    mailslot.name='\MAILSLOT\BROWSE' browser.server_name=LABPEER nbdgm.type=17) >= 1)); then
    it_pass "HostAnnouncement fields as decoded by listen (DIRECT_GROUP to MSLAB<1d>, server LABPEER)"
else
    it_fail "HostAnnouncement fields as decoded by listen" "$("${J[@]}" show "$W/l1.json" | head -n 5)"
fi

# ------------------------------------------------ pcap listener beside nmbd
if ! it_has_opt listen --pcap; then
    it_skip "listen --pcap beside nmbd" "'mailslot listen --help' has no --pcap"
elif [[ -n $L2 ]]; then
    if wait_count "$W/l2.json" 1 3 "${HOSTANN[@]}"; then
        it_pass "listen --pcap beside nmbd (which holds 138) decodes nmbd's HostAnnouncement"
    else
        it_fail "listen --pcap beside nmbd decodes nmbd's HostAnnouncement" \
            "$(head -c 300 "$W/l2.err"); got: $("${J[@]}" show "$W/l2.json" | head -n 3)"
    fi
    if (($(jcount "$W/l2.json" browser.command=2 nbdgm.src_name="$FROM<00>") >= 1)); then
        it_pass "listen --pcap sees our AnnouncementRequest arrive"
    else
        it_fail "listen --pcap sees our AnnouncementRequest arrive" "not in its output"
    fi
fi

# ------------------------------------------------ bound listener sharing 138
if [[ -n $L3 ]]; then
    if (($(jcount "$W/l3.json" browser.command=2 nbdgm.src_name="$FROM<00>") >= 1)); then
        it_pass "bound listen shares 138 with nmbd: broadcast AnnouncementRequest reaches both"
    else
        it_fail "bound listen beside nmbd" \
            "it kept running (shares 138?) but did not get the broadcast AnnouncementRequest"
    fi
    # A unicast datagram reaches only one of the sockets bound to 138:
    # record which (documentation, not a requirement), but it must reach one.
    send_peer 10 --to "$NMBD_IP" --name "$IT_NB_NAME<00>" --slot '\MAILSLOT\SHARETEST' --data 'share'
    sleep 1
    got_l3=$(jcount "$W/l3.json" mailslot.name='\MAILSLOT\SHARETEST')
    got_nmbd=$(grep -c 'for \\MAILSLOT\\SHARETEST of type' "$IT_NMBD_LOG")
    if ((got_l3 + got_nmbd >= 1)); then
        it_pass "unicast to 192.0.2.10:138 while listen shares the port with nmbd" \
            "listen got it $got_l3 time(s), nmbd $got_nmbd time(s)"
    else
        it_fail "unicast to 192.0.2.10:138 while listen shares the port with nmbd" "neither got it"
    fi
    it_stop_pid "$L3" TERM
fi

# ------------------------------------------------ custom mailslot write
# nmbd logs (level 4) every mailslot write it parsed, custom slots too:
#   process_dgram: datagram from PEERHOST<00> to LABPEER<00> IP 192.0.2.20
#   for \MAILSLOT\CUSTOMTEST of type 105 len=13
# ("type" is the first data octet, 'i' = 105).
CUSTOM_TEXT="interop hello"
custom_re="process_dgram: datagram from $FROM<00> to $IT_NB_NAME<00> IP $PEER_IP for \\\\MAILSLOT\\\\CUSTOMTEST of type 105 len=${#CUSTOM_TEXT}"
custom_ok=0
for ((try = 1; try <= 5; try++)); do
    send_peer 10 --to "$NMBD_IP" --name "$IT_NB_NAME<00>" --slot '\MAILSLOT\CUSTOMTEST' --data "$CUSTOM_TEXT"
    if it_wait_grep "$IT_NMBD_LOG" "$custom_re" 2; then
        custom_ok=1
        break
    fi
done
if ((custom_ok)); then
    it_pass "nmbd parsed our custom-mailslot write" "log: $(grep -oE "$custom_re" "$IT_NMBD_LOG" | head -n 1)"
else
    it_fail "nmbd parsed our custom-mailslot write" \
        "no '$custom_re' in its log (send exit $SEND_RC: $(head -c 200 "$W/send.out"))"
fi

# An empty message: nmbd drops it (DEBUG 0 "ignoring malformed1 (datasize
# = N, len = 0)"), which is why the docs say to send at least one octet.
: >"$W/empty"
send_peer 10 --to "$NMBD_IP" --name "$IT_NB_NAME<00>" --slot '\MAILSLOT\CUSTOMEMPTY' --file "$W/empty"
if ((SEND_RC != 0)); then
    it_fail "send an empty message to nmbd" "exit $SEND_RC: $(head -c 200 "$W/send.out")"
elif it_wait_grep "$IT_NMBD_LOG" "ignoring malformed1 \\(datasize = [0-9]+, len = 0\\) datagram packet sent to name $IT_NB_NAME<00> from IP $PEER_IP" 3; then
    it_pass "nmbd drops our empty write and logs it as malformed"
else
    it_fail "nmbd drops our empty write and logs it" "no 'ignoring malformed1 ... len = 0' line"
fi

# A datagram longer than 576 octets: nmbd reads into a 576-octet buffer
# and drops the truncated write; our sender warns about it.
head -c 420 /dev/zero | tr '\0' 'x' >"$W/big"
send_peer 10 --to "$NMBD_IP" --name "$IT_NB_NAME<00>" --slot '\MAILSLOT\CUSTOMBIG' --file "$W/big"
if ((SEND_RC != 0)); then
    it_fail "send a 420-octet direct write to nmbd" "exit $SEND_RC: $(head -c 200 "$W/send.out")"
else
    if grep -q '576' "$W/send.out"; then
        it_pass "send warns that the datagram exceeds 576 octets" "$(grep -m1 576 "$W/send.out")"
    else
        it_fail "send warns that the datagram exceeds 576 octets" "no warning: $(head -c 200 "$W/send.out")"
    fi
    # Samba 4.17 logs (level 0): "Received a packet of len 576" and
    # "process_dgram: ignoring malformed3 (datasize = 494, len=420, off=89)".
    big_re='process_dgram: ignoring malformed[0-9] \(datasize = [0-9]+, len ?= ?420[,)]'
    if grep -q 'for \\MAILSLOT\\CUSTOMBIG of type' "$IT_NMBD_LOG"; then
        it_fail "nmbd drops a write longer than 576 octets" "it parsed it"
    elif it_wait_grep "$IT_NMBD_LOG" "$big_re" 3; then
        it_pass "nmbd drops a write longer than 576 octets (truncated to 576)" \
            "log: $(grep -m1 -oE "$big_re" "$IT_NMBD_LOG")"
    else
        it_fail "nmbd drops a write longer than 576 octets" "no 'ignoring malformed' line for it"
    fi
fi

# ------------------------------------------------ GetBackupList (needs LMB)
it_stop_pid "$L1" TERM   # done with it (send reads its replies beside any listener)
if ! it_nmbd_wait_master 60; then
    it_fail "nmbd becomes local master browser" "not within 60 s"
    it_finish
fi
it_pass "nmbd becomes local master browser" "$(it_nmbd_since) s after its start"

# gbl NAME TO TOKEN: GetBackupListRequest (0x09, count 4, token) to
# MSLAB<1d> as a group datagram; the reply must be printed and decoded.
gbl() {
    local name=$1 to=$2 token=$3 hex ok=0 json=() n
    hex=$(printf '0904%02x000000' "$token")
    it_has_opt send --json && json=(--json)
    send_peer 20 --to "$to" --name "$IT_WORKGROUP<1d>" --slot '\MAILSLOT\BROWSE' \
        --type group --hex "$hex" --wait 3 "${json[@]}"
    if ((SEND_RC != 0)); then
        it_fail "$name" "send exit $SEND_RC: $(head -c 300 "$W/send.out")"
        return
    fi
    if grep -qE '"command": ?10\b' "$W/send.out"; then
        grep -qE "\"token\": ?$token\\b" "$W/send.out" && grep -q 'LABPEER' "$W/send.out" && ok=1
    elif grep -q 'GetBackupListResponse' "$W/send.out"; then
        grep -E 'GetBackupListResponse' "$W/send.out" | grep -qiE "token (0x0*)?$(printf '(%d|%x)' "$token" "$token")\\b" &&
            grep 'GetBackupListResponse' "$W/send.out" | grep -q 'LABPEER' && ok=1
    fi
    n=$(grep -cE 'GetBackupListResponse|"browser":\{"command": ?10\b' "$W/send.out")
    if ((ok)); then
        it_pass "$name" "$n response(s); $(grep -m1 -oE 'GetBackupListResponse.*|"browser":\{[^}]*\}' "$W/send.out" | cut -c1-120)"
    else
        it_fail "$name" "no decoded GetBackupListResponse with token $token from LABPEER in: $(head -c 400 "$W/send.out")"
    fi
}
gbl "send --wait: GetBackupListRequest unicast to nmbd, response decoded" "$NMBD_IP" 1
gbl "send --wait: GetBackupListRequest broadcast, response decoded" "$IT_BCAST" 2
if [[ -n $L2 ]]; then
    if (($(jcount "$W/l2.json" browser.command=10 nbdgm.dst_name="$FROM<00>") >= 1)); then
        it_pass "listen --pcap beside nmbd decodes nmbd's GetBackupListResponse"
    else
        it_fail "listen --pcap beside nmbd decodes nmbd's GetBackupListResponse" "not in its output"
    fi
    it_stop_pid "$L2" TERM
fi

it_log "nmbd log: $IT_NMBD_LOG; peer capture: $W/peer.pcapng"
it_finish
