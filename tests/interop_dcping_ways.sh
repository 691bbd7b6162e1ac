#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How replies sent to port 138 reach `dcping` and `browse` run by nobody
# (no privilege), ~1 min (most of it nmbd's browser election): host A runs
# the commands; on C (192.0.2.128/25) Samba's nmbd is the PDC and local
# master of MSLAB (it answers to the asking port); on D (192.0.2.0/25)
# tests/py/fake_windows_peer.py answers NETLOGON and GetBackupListRequest
# to port 138 whatever port asked, as Windows does, from FAKEDC<00>.
#   (a) mailslotd -F on A (HOSTA in a UTS namespace of its own, its own
#       $MAILSLOTD_DIR, root dropping to nobody): dcping and browse say
#       they go through it (naming its control socket), send as HOSTA<00>
#       from 138, and get nmbd's replies and FAKEDC's (to 138) through it;
#   (b) mailslotd stopped, nmbd on A holding 138 (HOSTNMB, another
#       workgroup, `nmbd:socket dir` of the test's): dcping and browse
#       send from an ephemeral port and read FAKEDC's replies to 138 from
#       nmbd's unexpected-packet socket (--nmbd-socket-dir); --sport
#       ephemeral, the control, misses them; nmbd's own replies come to
#       the asking port. What nmbd 4.17 does with replies addressed to its
#       own name: a GETDC reply is passed on, a GetBackupListResponse is
#       kept (so browse asks as NAME-B<00> beside nmbd).
# Needs root, ip netns, unshare, setpriv, nmbd, python3 with scapy, a
# built mailslotd; skips (77) otherwise, or fails under
# MAILSLOT_REQUIRE_ALL. KEEP_WORK=1 keeps the work directory.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need unshare "unshare (util-linux) is not installed"
need setpriv "setpriv (util-linux) is not installed"
it_require_scapy
it_require_cli dcping browse
it_has_opt dcping --nmbd-socket-dir || skip "'mailslot dcping' has no --nmbd-socket-dir"
[[ -x $mailslotd ]] || skip "no mailslotd at $mailslotd"
MAILSLOTD=$(realpath "$mailslotd")

it_init interop_dcping_ways
W=$IT_WORK
NS_A=ms-dwa-$$
NS_C=ms-dwc-$$
NS_D=ms-dwd-$$
IF_AD=dwad$$
IF_D=dwda$$
IF_AC=dwac$$
IF_C=dwca$$
A1=192.0.2.1
D_IP=192.0.2.2
A2=192.0.2.129
C_IP=192.0.2.130
RUN=$W/a-run
SOCK=$W/a-nmbd/sock

IT_PREFIX_LEN=25
IT_BCAST=192.0.2.127
it_pair "$NS_A" "$IF_AD" "$A1" "$NS_D" "$IF_D" "$D_IP" || exit 1
it_netns "$NS_C" || exit 1
IT_BCAST=192.0.2.255
it_veth "$NS_A" "$IF_AC" "$A2" "$NS_C" "$IF_C" "$C_IP" || exit 1

# nmbd on C first: its election runs while (a) does.
IT_NB_NAME=LABPDC
IT_NMBD_EXTRA="    server role = classic primary domain controller
    domain logons = yes
    domain master = yes"
it_nmbd_start "$NS_C" "$IF_C" || exit 1
C_NMBD=$IT_NMBD_PID
C_LOG=$IT_NMBD_LOG
C_T0=$IT_NMBD_T0

it_bg "$NS_D" "$W/fake.out" "$W/fake.err" "$IT_PY" "$IT_PYDIR/fake_windows_peer.py" \
    --ip "$D_IP" --seconds 240
FAKE=$IT_BG_PID
it_wait_grep "$W/fake.out" '"ready"' 10 "$FAKE" || it_log "the fake Windows peer did not start"

# nobody TAG SECONDS ARGS...: a mailslot command on A as nobody; output in
# $W/TAG.out and TAG.err, exit status in RC.
nobody() {
    local tag=$1 secs=$2
    shift 2
    TAG=$tag
    it_run "$NS_A" "$secs" env MAILSLOTD_DIR="$RUN" setpriv --reuid=65534 --regid=65534 \
        --clear-groups "$IT_CLI" "$@" >"$W/$tag.out" 2>"$W/$tag.err"
    RC=$?
}
check() {
    local name=$1
    shift
    if "$@"; then
        it_pass "$name"
    else
        it_fail "$name" "exit $RC; out: $(head -c 400 "$W/$TAG.out"); err: $(head -c 600 "$W/$TAG.err")"
    fi
}
has() { grep -qE -- "$2" "$W/$1"; }
# answered REQUEST NAME: the fake peer's answers to REQUEST sent to NAME at 138
answered() {
    grep -F '"request": "'"$1"'"' "$W/fake.out" | grep -F '"to_name": "'"$2"'"' |
        grep -c '"dport": 138'
}

it_wait_grep "$C_LOG" "success in registering name MSLAB<1c>" 30 "$C_NMBD" ||
    it_log "nmbd on C did not log MSLAB<1c> yet"

# ------------------------------------------------ (a) through mailslotd
mkdir -p "$RUN"
chown nobody "$RUN"
chmod 755 "$RUN"
printf 'workgroup = MSLAB\ninterface = %s\ninterface = %s\nuser = nobody\n' "$IF_AD" "$IF_AC" \
    >"$W/mailslotd.conf"
chmod 644 "$W/mailslotd.conf"
t0=$(date +%s.%N)
it_bg "$NS_A" "$W/d.out" "$W/d.err" env MAILSLOTD_DIR="$RUN" unshare --uts \
    /bin/sh -c 'hostname hosta.lab.example && exec "$0" "$@"' "$MAILSLOTD" -F -c "$W/mailslotd.conf"
DPID=$IT_BG_PID
if it_wait_grep "$W/d.err" "ready: holding" 15 "$DPID"; then
    it_log "mailslotd ready in $(it_since "$t0") s"
    # shellcheck disable=SC2034  # read inside the eval of check
    WAY_D="sending through mailslotd \\($RUN/control\\) from its port 138; replies to port 138 come back through it"

    nobody dsam 15 dcping -i "$IF_AC" --wait 2 MSLAB
    check "(a) dcping MSLAB as nobody through mailslotd: nmbd's 0x13 from $C_IP" \
        eval '[[ $RC == 0 ]] && has dsam.err "$WAY_D" &&
              has dsam.out "^192\.0\.2\.130 LABPDC<00> LOGON_SAM_LOGON_RESPONSE \(0x13\): server \\\\\\\\LABPDC domain MSLAB"'

    before=$(answered LOGON_SAM_LOGON_REQUEST 'HOSTA<00>')
    nobody dfake 15 dcping --to "$D_IP" --wait 2 MSLAB
    sport=$(grep -F '"LOGON_SAM_LOGON_REQUEST"' "$W/fake.out" | tail -n 1 | sed 's/.*"sport": \([0-9]*\).*/\1/')
    check "(a) dcping --to $D_IP through mailslotd (asked from port $sport): FAKEDC's reply to HOSTA<00>:138 comes back" \
        eval '[[ $RC == 0 ]] && has dfake.err "$WAY_D" && [[ $sport == 138 ]] &&
              (( $(answered LOGON_SAM_LOGON_REQUEST "HOSTA<00>") == before + 1 )) &&
              has dfake.out "^192\.0\.2\.2 FAKEDC<00> LOGON_SAM_LOGON_RESPONSE \(0x13\): server \\\\\\\\FAKEDC domain MSLAB"'

    nobody dbfake 15 browse --to "$D_IP" --wait 2 MSLAB
    check "(a) browse --to $D_IP through mailslotd: FAKEDC's GetBackupListResponse to 138 (by its Token)" \
        eval '[[ $RC == 0 ]] && has dbfake.err "$WAY_D" && [[ $(answered GetBackupListRequest "HOSTA<00>") -ge 1 ]] &&
              has dbfake.out "^master FAKEDC<00> 192\.0\.2\.2 \(workgroup MSLAB, token [0-9]+\): 1 backup browser$"'

    IT_NMBD_PID=$C_NMBD IT_NMBD_LOG=$C_LOG IT_NMBD_T0=$C_T0
    if it_nmbd_wait_master 90; then
        nobody dbl 20 browse -i "$IF_AC" --wait 2 MSLAB
        check "(a) browse MSLAB as nobody through mailslotd: master LABPDC at $C_IP" \
            eval '[[ $RC == 0 ]] && has dbl.err "$WAY_D" &&
                  has dbl.out "^master LABPDC<00> 192\.0\.2\.130 \(workgroup MSLAB, token [0-9]+\): 1 backup browser$"'
    else
        it_fail "(a) browse: nmbd on C never became local master"
    fi
    it_stop_pid "$DPID" TERM
else
    it_fail "mailslotd on A did not become ready" "$(tail -5 "$W/d.err")"
    it_stop_pid "$DPID" TERM
fi

# ------------------------------------------------ (b) beside nmbd on A
IT_NB_NAME=HOSTNMB
IT_WORKGROUP=OTHERWG
IT_NMBD_EXTRA="    nmbd:socket dir = $SOCK
    local master = no
    preferred master = no
    os level = 0"
if IT_WORK=$W/a-nmbd it_nmbd_start "$NS_A" "$IF_AD $IF_AC" &&
    it_wait_grep "$IT_NMBD_LOG" "success in registering name HOSTNMB<00>" 30 "$IT_NMBD_PID"; then
    # shellcheck disable=SC2034  # read inside the eval of check
    WAY_N="nmbd holds port 138: sending from an ephemeral port; replies to port 138 read from nmbd's unexpected-packet socket \\($SOCK/unexpected\\)"

    nobody nsam 15 dcping -i "$IF_AC" --wait 2 --nmbd-socket-dir "$SOCK" MSLAB
    check "(b) dcping MSLAB as nobody beside nmbd: the way named, nmbd's 0x13 to our port" \
        eval '[[ $RC == 0 ]] && has nsam.err "$WAY_N\$" &&
              has nsam.out "^192\.0\.2\.130 LABPDC<00> LOGON_SAM_LOGON_RESPONSE \(0x13\)"'

    # shellcheck disable=SC2034  # read inside the eval of check
    before=$(grep -c '"LOGON_SAM_LOGON_REQUEST"' "$W/fake.out")
    nobody nfake 15 dcping --to "$D_IP" --wait 2 --nmbd-socket-dir "$SOCK" MSLAB
    sport=$(grep -F '"LOGON_SAM_LOGON_REQUEST"' "$W/fake.out" | tail -n 1 | sed 's/.*"sport": \([0-9]*\).*/\1/')
    check "(b) dcping --to $D_IP beside nmbd: FAKEDC's reply to 138 read from nmbd's socket (asked from port $sport)" \
        eval '[[ $RC == 0 ]] && (( $(grep -c "\"LOGON_SAM_LOGON_REQUEST\"" "$W/fake.out") == before + 1 )) &&
              [[ $sport != 138 ]] && has nfake.err "$WAY_N" &&
              has nfake.out "^192\.0\.2\.2 FAKEDC<00> LOGON_SAM_LOGON_RESPONSE \(0x13\): server \\\\\\\\FAKEDC domain MSLAB"'

    nobody nctl 15 dcping --to "$D_IP" --wait 2 --sport ephemeral MSLAB
    check "(b) the control: --sport ephemeral misses FAKEDC's reply to 138 (exit 1)" \
        eval '[[ $RC == 1 ]] && [[ ! -s $W/nctl.out ]]'

    nobody nown 15 dcping --to "$D_IP" --wait 2 --from HOSTNMB --nmbd-socket-dir "$SOCK" MSLAB
    check "(b) a GETDC reply addressed to nmbd's own name HOSTNMB<00> is passed on too" \
        eval '[[ $RC == 0 ]] && [[ $(answered LOGON_SAM_LOGON_REQUEST "HOSTNMB<00>") -ge 1 ]] &&
              has nown.out "FAKEDC<00> LOGON_SAM_LOGON_RESPONSE \(0x13\)"'

    nobody nbfake 15 browse --to "$D_IP" --wait 2 --nmbd-socket-dir "$SOCK" MSLAB
    me=$(grep -oE 'as [^ ]+-B<00>' "$W/nbfake.err" | head -n 1)
    me=${me#as }
    check "(b) browse --to $D_IP beside nmbd: asks as ${me:-NAME-B<00>}, FAKEDC's GetBackupListResponse to 138 read from nmbd's socket" \
        eval '[[ $RC == 0 ]] && [[ -n $me ]] && [[ $(answered GetBackupListRequest "$me") -ge 1 ]] &&
              has nbfake.out "^master FAKEDC<00> 192\.0\.2\.2 \(workgroup MSLAB, token [0-9]+\): 1 backup browser$"'

    nobody nbown 15 browse --to "$D_IP" --wait 2 --from HOSTNMB --nmbd-socket-dir "$SOCK" MSLAB
    check "(b) nmbd keeps a GetBackupListResponse addressed to its own name (browse --from HOSTNMB: none, exit 1; the line says so)" \
        eval '[[ $RC == 1 ]] && [[ $(answered GetBackupListRequest "HOSTNMB<00>") -ge 1 ]] &&
              has nbown.err "but nmbd keeps those addressed to one of its names"'

    nobody nbl 20 browse -i "$IF_AC" --wait 2 --nmbd-socket-dir "$SOCK" MSLAB
    check "(b) browse MSLAB beside nmbd: master LABPDC answers our port" \
        eval '[[ $RC == 0 ]] && has nbl.out "^master LABPDC<00> 192\.0\.2\.130 "'
else
    it_fail "nmbd on A did not start or register HOSTNMB<00>"
fi

it_finish
