#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mailslotd live, in namespaces (about 35 s, up to 1.5 min when nmbd's
# browser election is slow): host A runs `mailslotd -F` (host name
# hosta.lab.example in a UTS namespace of its own, so HOSTA<00>; its own
# $MAILSLOTD_DIR; started as root, running as nobody) on two interfaces:
# 192.0.2.1/25 towards B and 192.0.2.129/25 towards C, where Samba's nmbd
# is a PDC and the local master browser of MSLAB. The programs on A are the real ones, run as
# nobody (no privilege) with the test's $MAILSLOTD_DIR: `mailslot listen
# --slot '\MAILSLOT\one' --json`, `mailslot listen '\\.\mailslot\two'
# --data` (a local mailslot, registered with the daemon) and `mailslot
# send --wait`; tests/py/ctl_client.py, a Python speaker of the control
# protocol, checks what only the protocol shows (DELIVER's fields, the
# monitor, the policy, a client killed with -9).
#   - the names: HOSTA<00>, ALIAS<00> (from the configuration file) and
#     MSLAB<00> (group) registered on both interfaces, found by nmblookup
#     from B (broadcast), node status lists them; a second mailslotd
#     refuses to start, naming the first;
#   - two programs, \MAILSLOT\one and \MAILSLOT\two: unicast writes from
#     B to \\HOSTA\mailslot\one and \two (B resolves HOSTA by broadcast)
#     from `mailslot send` and from scapy reach each its own program,
#     which prints the sender's names and addresses; a broadcast write to
#     \\*\mailslot\one (MSLAB<00>) reaches the first; a write to \\ALIAS
#     too; a monitor gets copies (the whole datagram, addresses, arrival
#     time); writes to a mailslot nobody created, and to another host's
#     name, are counted and dropped;
#   - the Win32 rule: `listen --slot '\mailslot\ONE'` again is refused
#     (exit 4, naming the holder); nobody may not create \MAILSLOT\BROWSE;
#     a program killed with -9 frees its mailslot at once;
#   - through the daemon, `mailslot send --wait` as nobody: a
#     GetBackupListRequest and a NETLOGON LOGON_PRIMARY_QUERY go to nmbd
#     on C from HOSTA<00>:138; the backup list (LABPDC, by its Token) and
#     the LOGON_PRIMARY_RESPONSE (PDC LABPDC, on the request's
#     \MAILSLOT\NET\GETDC<n>) come back through mailslotd and are printed;
#   - a flood to \MAILSLOT\two while its listen is stopped (SIGSTOP):
#     exactly the 100 messages to \MAILSLOT\one arrive, two's queue stays
#     at its bound (32), the rest is dropped and counted (STATUS); the
#     daemon's memory stays small; the stopped listen gets its queue when
#     it goes on, and its --stats counts what the daemon dropped;
#   - kill -9 of mailslotd and a restart: the same listen processes (not
#     restarted) say they re-attach, attach again and get their writes;
#   - SIGHUP after the file changed: LATER<00> registered, ALIAS<00>
#     released (nmblookup from B agrees);
#   - SIGTERM: names released (nmblookup from B: no answer), the control
#     socket removed, exit 0; `mailslot status` then says none runs.
# Needs root, ip netns, unshare, setpriv, nmbd, nmblookup, python3 with
# scapy; skips (77) otherwise, or fails under MAILSLOT_REQUIRE_ALL.
# KEEP_WORK=1 keeps the work directory (logs, client outputs).
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need nmblookup "Samba nmblookup (samba-common-bin) is not installed"
need unshare "unshare (util-linux) is not installed"
need setpriv "setpriv (util-linux) is not installed"
it_require_scapy
it_require_cli send status
[[ -x $mailslotd ]] || skip "no mailslotd at $mailslotd"
MAILSLOTD=$(realpath "$mailslotd")

it_init interop_daemon
W=$IT_WORK
NS_A=ms-dma-$$
NS_B=ms-dmb-$$
NS_C=ms-dmc-$$
IF_AB=dab$$
IF_B=dba$$
IF_AC=dac$$
IF_C=dca$$
A1=192.0.2.1
B_IP=192.0.2.2
BC_B=192.0.2.127
A2=192.0.2.129
C_IP=192.0.2.130
RUN=$W/a-run
IT_NB_NAME=LABPDC
IT_NMBD_EXTRA="    server role = classic primary domain controller
    domain logons = yes
    domain master = yes"

# Two /25 networks: A-B (broadcast .127) and A-C (broadcast .255).
IT_PREFIX_LEN=25
IT_BCAST=$BC_B
it_pair "$NS_A" "$IF_AB" "$A1" "$NS_B" "$IF_B" "$B_IP" || exit 1
it_netns "$NS_C" || exit 1
IT_BCAST=192.0.2.255
it_veth "$NS_A" "$IF_AC" "$A2" "$NS_C" "$IF_C" "$C_IP" || exit 1

# nmbd first: its election runs while the A-B part does.
it_nmbd_start "$NS_C" "$IF_C" || exit 1

# SLOTS: the programs' local mailslot directory ($MAILSLOT_DIR), nobody's.
SLOTS=$W/slots
mkdir -p "$RUN" "$SLOTS"
chown nobody "$RUN" "$SLOTS"
chmod 755 "$RUN"
chmod 700 "$SLOTS"
CONF=$W/mailslotd.conf
# nmbd_socket_dir: a directory with no nmbd, so that an nmbd of the
# machine (/run/samba/nmbd, reachable from any network namespace) cannot
# make the second daemon run beside it.
printf '# the test'"'"'s\nworkgroup = MSLAB\nname = ALIAS\nqueue = 32\ninterface = %s\ninterface = %s\nuser = nobody\nnmbd_socket_dir = %s\n' \
    "$IF_AB" "$IF_AC" "$W/no-nmbd" >"$CONF"
chmod 644 "$CONF"
printf '[global]\n    disable netbios = no\n    name resolve order = bcast\n' >"$W/client.conf"

# daemon TAG: mailslotd -F on A as hosta.lab.example, log in $W/TAG.err;
# its PID in DPID; waits (bounded) for its "ready" line.
daemon() {
    local tag=$1
    it_bg "$NS_A" "$W/$tag.out" "$W/$tag.err" env MAILSLOTD_DIR="$RUN" unshare --uts \
        /bin/sh -c 'hostname hosta.lab.example && exec "$0" "$@"' "$MAILSLOTD" -F -c "$CONF"
    DPID=$IT_BG_PID
    it_wait_grep "$W/$tag.err" "ready: holding" 15 "$DPID"
}

# client TAG ARGS...: ctl_client.py on A as nobody, the daemon's user (as
# root when TAG starts with "root", as uid 4242, a user of no privilege
# at all, when it starts with "user"); output in $W/TAG.out; PID in CPID.
client() {
    local tag=$1 who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    shift
    [[ $tag == root* ]] && who=()
    [[ $tag == user* ]] && who=(setpriv --reuid=4242 --regid=4242 --clear-groups)
    it_bg "$NS_A" "$W/$tag.out" "$W/$tag.err" env MAILSLOTD_DIR="$RUN" "${who[@]}" \
        "$IT_PY" "$IT_PYDIR/ctl_client.py" --who "$tag" "$@"
    CPID=$IT_BG_PID
}

# prog TAG ARGS...: the real program, `mailslot ARGS...`, on A as nobody
# with the test's daemon directory and local mailslot directory; stdout
# in $W/TAG.out, stderr in $W/TAG.err; PID in CPID.
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
prog() {
    local tag=$1
    shift
    it_bg "$NS_A" "$W/$tag.out" "$W/$tag.err" env MAILSLOTD_DIR="$RUN" MAILSLOT_DIR="$SLOTS" \
        "${AS_NOBODY[@]}" "$IT_CLI" "$@"
    CPID=$IT_BG_PID
}

# got TAG SLOT TEXT: messages in TAG's output on SLOT (as on the wire)
# with data TEXT: listen --json (one), listen --data (two), else
# ctl_client.py's DELIVERs.
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
got() {
    case $1 in
        one) jq -c --arg s "$2" --arg d "$(hex_of "$3")" \
            'select(.mailslot.name == $s and .mailslot.data == $d)' "$W/one.out" 2>/dev/null | wc -l ;;
        two) grep -cF -- " $2 ${#3} octets: \"$3\"" "$W/two.out" ;;
        *) jq -c --arg s "$2" --arg d "$(hex_of "$3")" \
            'select(.event == "deliver" and .slot == $s and .data == $d)' "$W/$1.out" 2>/dev/null | wc -l ;;
    esac
}

# wait_got TAG SLOT TEXT N SECONDS: until TAG has N such DELIVERs.
wait_got() {
    local i
    for ((i = 0; i < $5 * 10; i++)); do
        (($(got "$1" "$2" "$3") >= $4)) && return 0
        sleep 0.1
    done
    return 1
}

send_b() {   # ARGS...: mailslot send from B on its interface
    it_run "$NS_B" 20 "$IT_CLI" send -i "$IF_B" -q "$@"
}

nmb_b() {    # NAME: the addresses a broadcast query from B gets
    it_run "$NS_B" 20 nmblookup -s "$W/client.conf" -B "$BC_B" "$1" 2>/dev/null |
        awk -v n="$1" 'toupper($2) ~ "^" toupper(n) "<" {print $1}' | sort -u | tr '\n' ' '
}

status_a() { # the daemon's STATUS JSON into $W/status.json
    it_run "$NS_A" 10 env MAILSLOTD_DIR="$RUN" "$IT_CLI" status --json >"$W/status.json" 2>"$W/status.err"
}

jq_a() { jq -r "$1" "$W/status.json" 2>/dev/null; }

# ------------------------------------------------ start, names
t0=$(date +%s.%N)
if daemon d1; then
    it_pass "mailslotd starts, registers and is ready" "$(it_since "$t0") s; $(grep -m1 'ready:' "$W/d1.err")"
else
    it_fail "mailslotd did not become ready" "$(tail -5 "$W/d1.err")"
    it_finish
fi
status_a
want='ALIAS<00>/false/active/dab ALIAS<00>/false/active/dac HOSTA<00>/false/active/dab HOSTA<00>/false/active/dac MSLAB<00>/true/active/dab MSLAB<00>/true/active/dac'
have=$(jq_a '[.names[] | "\(.name)/\(.group)/\(.state)/\(.interface[0:3])"] | sort | join(" ")')
if [[ $have == "$want" && $(jq_a '.daemon.uid') == 65534 ]]; then
    it_pass "HOSTA<00>, ALIAS<00>, MSLAB<00> (group) active on both interfaces; running as nobody"
else
    it_fail "names or user" "$have; uid $(jq_a '.daemon.uid')"
fi
got_ip=$(nmb_b HOSTA)
[[ $got_ip == "$A1 " ]] && it_pass "nmblookup from B: HOSTA is $A1" || it_fail "nmblookup from B: HOSTA" "'$got_ip'"
ns_out=$(it_run "$NS_B" 20 nmblookup -s "$W/client.conf" -A "$A1" 2>&1)
if grep -q 'HOSTA *<00> - *B <ACTIVE>' <<<"$ns_out" && grep -q 'MSLAB *<00> - <GROUP> B <ACTIVE>' <<<"$ns_out" &&
    ! grep -qE '<(20|03|1e|1d)>' <<<"$ns_out"; then
    it_pass "node status from B: HOSTA<00>, ALIAS<00>, MSLAB<00> and nothing else"
else
    it_fail "node status from B" "$(tr '\n' ' ' <<<"$ns_out" | head -c 400)"
fi
it_run "$NS_A" 10 env MAILSLOTD_DIR="$W" "$MAILSLOTD" -F -c "$CONF" >/dev/null 2>"$W/d2.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "UDP 138 is held by mailslotd (pid $DPID)" "$W/d2.err"; then
    it_pass "a second mailslotd refuses: $(head -1 "$W/d2.err")"
else
    it_fail "a second mailslotd" "exit $rc: $(cat "$W/d2.err")"
fi

# ------------------------------------------------ two programs, writes from B
# one: `listen --slot` (the daemon's client, creator of \MAILSLOT\one),
# NDJSON; two: a local mailslot, `listen '\\.\mailslot\two'`, which the
# library also registers with the daemon, text with the data. Both as
# nobody, long-lived: the same processes go on to the end of the test.
prog one listen --slot '\MAILSLOT\one' --json
C1=$CPID
prog two listen '\\.\mailslot\two' --data --stats
C2=$CPID
client rootmon --monitor --seconds 300 --reattach
MON=$CPID
if it_wait_grep "$W/one.err" 'through mailslotd \(.*\): creator of 1 mailslot$' 10 "$C1" &&
    it_wait_grep "$W/two.err" 'through mailslotd \(.*\): creator of 1 mailslot$' 10 "$C2" &&
    it_wait_grep "$W/rootmon.out" '"status": 0, "slot": "\*"' 10 "$MON"; then
    it_pass "listen --slot one and listen '\\\\.\\mailslot\\two' as nobody attach to mailslotd: $(head -1 "$W/one.err")"
else
    it_fail "the programs could not create their mailslots" "$(cat "$W/one.err" "$W/two.err" "$W/rootmon.out" | head -c 600)"
fi
status_a
have=$(jq_a '[.mailslots[] | select(.monitor | not) | "\(.name)/\(.uid)"] | sort | join(" ")')
[[ $have == '\MAILSLOT\one/65534 \MAILSLOT\two/65534' ]] &&
    it_pass "the daemon holds \\MAILSLOT\\one and \\MAILSLOT\\two for uid 65534 (STATUS)" ||
    it_fail "mailslots in STATUS" "$have"

t0=$(date +%s.%N)
send_b --to '\\HOSTA' --from HOSTB --slot '\MAILSLOT\one' --data one-send
send_b --to '\\HOSTA' --from HOSTB --slot '\MAILSLOT\two' --data two-send
it_run "$NS_B" 20 "$IT_PY" "$IT_PYDIR/scapy_mailslot.py" --to "$A1" --src "$B_IP" --name 'HOSTA<00>' \
    --slot '\MAILSLOT\one' --data one-scapy >/dev/null
it_run "$NS_B" 20 "$IT_PY" "$IT_PYDIR/scapy_mailslot.py" --to "$A1" --src "$B_IP" --name 'hosta<00>' \
    --slot '\mailslot\TWO' --data two-scapy >/dev/null
if wait_got one '\MAILSLOT\one' one-send 1 5 && wait_got one '\MAILSLOT\one' one-scapy 1 5 &&
    wait_got two '\MAILSLOT\two' two-send 1 5 && wait_got two '\mailslot\TWO' two-scapy 1 5 &&
    (($(got one '\MAILSLOT\two' two-send) + $(got two '\MAILSLOT\one' one-send) == 0)); then
    it_pass "unicast writes to \\\\HOSTA (send, scapy) reach each its own program" "$(it_since "$t0") s"
else
    it_fail "unicast writes to \\\\HOSTA" "one: $(wc -l <"$W/one.out") two: $(wc -l <"$W/two.out")"
fi
# What listen prints: the sender's names and addresses, as decode does.
one_send=$(jq -c --arg d "$(hex_of one-send)" 'select(.mailslot.data == $d)' "$W/one.out" | head -1)
if jq -e --arg b "$B_IP" --arg a "$A1" \
    '.ip.src == $b and .ip.dst == $a and .udp.srcport == 138 and .udp.dstport == 138 and
     .nbdgm.type == 16 and .nbdgm.src_name == "HOSTB<00>" and .nbdgm.dst_name == "HOSTA<00>" and
     .nbdgm.src_ip == $b and .nbdgm.src_port == 138 and .time > 0' <<<"$one_send" >/dev/null &&
    jq -n -e --arg b "$B_IP" --arg d "$(hex_of one-scapy)" 'any(inputs | select(.mailslot.data == $d);
        .ip.src == $b and .nbdgm.src_name == "SCAPYPEER<00>")' "$W/one.out" >/dev/null &&
    grep -qF "$B_IP:138 -> $A1:138 DIRECT_UNIQUE HOSTB<00> -> HOSTA<00> \\MAILSLOT\\two 8 octets: \"two-send\"" "$W/two.out" &&
    grep -qE "^[0-9]+ .* $B_IP:[0-9]+ -> $A1:138 DIRECT_UNIQUE SCAPYPEER<00> -> HOSTA<00> \\\\mailslot\\\\TWO 9 octets: \"two-scapy\"" "$W/two.out"; then
    it_pass "listen prints the sender's NetBIOS names and addresses (HOSTB<00>, SCAPYPEER<00>, $B_IP): $(grep -F two-send "$W/two.out")"
else
    it_fail "what listen prints" "$one_send / $(cat "$W/two.out")"
fi
send_b --to '\\*' --workgroup MSLAB --from HOSTB --slot '\MAILSLOT\one' --data one-bcast
send_b --to '\\ALIAS' --from HOSTB --slot '\MAILSLOT\one' --data one-alias
if wait_got one '\MAILSLOT\one' one-bcast 1 5 && wait_got one '\MAILSLOT\one' one-alias 1 5 &&
    jq -n -e --arg d "$(hex_of one-bcast)" --arg bc "$BC_B" 'any(inputs | select(.mailslot.data == $d);
        .nbdgm.type == 17 and .nbdgm.dst_name == "MSLAB<00>" and .ip.dst == $bc)' "$W/one.out" >/dev/null; then
    it_pass "a broadcast write to \\\\*\\mailslot\\one (MSLAB<00>, to $BC_B) and one to \\\\ALIAS reach the first program"
else
    it_fail "broadcast / ALIAS writes" "$(wc -l <"$W/one.out") messages"
fi
# The monitor (ctl_client.py): a copy of each write, with what DELIVER
# carries that listen does not print as such.
now_ns=$(date +%s%N)
if wait_got rootmon '\MAILSLOT\one' one-send 1 3 && wait_got rootmon '\MAILSLOT\two' two-send 1 3 &&
    line=$(grep -F "$(hex_of one-send)" "$W/rootmon.out" | head -1) &&
    jq -e --arg b "$B_IP" --arg a "$A1" --argjson now "$now_ns" \
        '.src_ip == $b and .dst_ip == $a and .dst_port == 138 and .via == 0 and .flags == 1 and
         .time_ns > $now - 60000000000 and .time_ns <= $now and (.datagram | length) > 200' \
        <<<"$line" >/dev/null; then
    it_pass "the monitor gets a copy of each write (FLAGS 1): the whole datagram, addresses, arrival time"
else
    it_fail "monitor copies" "$(grep -c deliver "$W/rootmon.out") deliveries: $line"
fi
status_a
nm0=$(jq_a .counters.no_mailslot)
no0=$(jq_a .counters.not_ours)
send_b --to '\\HOSTA' --slot '\MAILSLOT\nobody' --data nobody
send_b --to "$A1" --name 'OTHERHOST<00>' --slot '\MAILSLOT\one' --data other-host
sleep 0.5
status_a
if (($(jq_a .counters.no_mailslot) == nm0 + 1 && $(jq_a .counters.not_ours) >= no0 + 1)) &&
    (($(got one '\MAILSLOT\one' other-host) == 0)); then
    it_pass "a write to a mailslot nobody created and one to another host's name: counted, dropped"
else
    it_fail "no_mailslot/not_ours" "$nm0 -> $(jq_a .counters.no_mailslot), $no0 -> $(jq_a .counters.not_ours)"
fi

# ------------------------------------------------ the Win32 rule, policy, crash
prog dup listen --slot '\mailslot\ONE' --timeout 3
it_wait_pid "$CPID" 6
if [[ $IT_RC == 4 ]] &&
    grep -q "another program created it (mailslotd $RUN/control: \\\\MAILSLOT\\\\one is created already (by pid $C1, uid 65534))" "$W/dup.err"; then
    it_pass "listen --slot '\\mailslot\\ONE' again: exit 4, naming the holder: $(cat "$W/dup.err")"
else
    it_fail "one creator per name" "exit $IT_RC: $(cat "$W/dup.err")"
fi
client userbrowse --create '\MAILSLOT\BROWSE' --monitor --seconds 3
it_wait_pid "$CPID" 6
grep -q '"status": 30, "text": "\\\\MAILSLOT\\\\BROWSE belongs to a system service: root only"' "$W/userbrowse.out" &&
    grep -q '"status": 30, "text": "a monitor sees every mailslot' "$W/userbrowse.out" &&
    it_pass "a user may create neither \\MAILSLOT\\BROWSE nor a monitor (MS_ERR_DENIED)" ||
    it_fail "BROWSE and monitor policy" "$(cat "$W/userbrowse.out")"
client crash --create '\MAILSLOT\crash' --seconds 30
CR=$CPID
it_wait_grep "$W/crash.out" '"status": 0, "slot"' 5 "$CR"
kill -KILL "$CR"
it_wait_pid "$CR" 5
client crash2 --create '\MAILSLOT\crash' --seconds 3
it_wait_pid "$CPID" 6
grep -q '"status": 0, "slot": "\\\\MAILSLOT\\\\crash"' "$W/crash2.out" &&
    it_pass "a program killed with -9: its mailslot is free again at once" ||
    it_fail "crashed program's mailslot" "$(cat "$W/crash2.out")"

# ------------------------------------------------ through the daemon to nmbd
if it_nmbd_wait_master 90; then
    it_pass "nmbd on C is local master browser" "$(it_nmbd_since) s after its start"
else
    it_fail "nmbd on C did not become local master"
fi
GETDC='\MAILSLOT\NET\GETDC4711'
TOKEN=$((0x5eed0000 + $$ % 65536))
tokle=$(printf '%08x' "$TOKEN" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
# The LOGON_PRIMARY_QUERY names HOSTA as the computer (nmbd answers to
# that name) and its reply mailslot; NtVersion 1. `send` creates that
# mailslot with the daemon before the request goes; the daemon sets the
# source name, address and port.
req=$("$IT_PY" -c '
import struct, sys
mailslot = sys.argv[1].encode()
d = b"\x07\x00" + b"HOSTA\0" + mailslot + b"\0"
d += b"\0" * (len(d) % 2)
d += "HOSTA".encode("utf-16le") + b"\0\0" + struct.pack("<IHH", 1, 0xFFFF, 0xFFFF)
print(d.hex())' "$GETDC")
t0=$(date +%s.%N)
prog logon send --to "$C_IP" --name 'MSLAB<1c>' --type group --slot '\MAILSLOT\NET\NETLOGON' \
    --hex "$req" --wait 3 --json
LG=$CPID
prog gbl send --to "$C_IP" --name 'MSLAB<1d>' --type group --slot '\MAILSLOT\BROWSE' \
    --hex "0904$tokle" --wait 3 --json
GB=$CPID
it_wait_pid "$LG" 10
lrc=$IT_RC
it_wait_pid "$GB" 10
grc=$IT_RC
pdc=$(jq -r --arg s "$GETDC" --arg c "$C_IP" --arg a "$A2" \
    'select(.mailslot.name == $s and .ip.src == $c and .ip.dst == $a and .netlogon.command == 12) |
        .netlogon.primary_dc_name' \
    "$W/logon.out" 2>/dev/null | head -1)
list=$(jq -r --argjson t "$TOKEN" --arg c "$C_IP" --arg a "$A2" \
    'select(.ip.src == $c and .ip.dst == $a and .browser.command == 10 and .browser.token == $t) |
        .browser.names | join(",")' \
    "$W/gbl.out" 2>/dev/null | head -1)
if [[ $lrc == 0 && $grc == 0 && $pdc == *LABPDC* && $list == *LABPDC* ]] &&
    grep -q "sent through mailslotd to $C_IP:138 from port 138" "$W/logon.err" &&
    grep -qF "DIRECT_GROUP HOSTA<00> -> MSLAB<1c>" "$W/logon.err" && grep -qF "replies to $GETDC" "$W/logon.err" &&
    grep -qF "DIRECT_GROUP HOSTA<00> -> MSLAB<1d>" "$W/gbl.err" &&
    grep -q "sent through mailslotd to $C_IP:138 from port 138" "$W/gbl.err"; then
    it_pass "send --wait as nobody, through the daemon as HOSTA<00>:138: LOGON_PRIMARY_RESPONSE on $GETDC (PDC $pdc) and the GetBackupListResponse by its Token (backup list $list) come back" "$(it_since "$t0") s"
else
    it_fail "send --wait through the daemon" "exit $lrc/$grc, PDC '$pdc', list '$list': $(cat "$W/logon.err" "$W/gbl.err") $(head -c 600 "$W/logon.out" "$W/gbl.out")"
fi

# ------------------------------------------------ flood with a stopped reader
# two's listen stops, and the monitor too (a second stopped reader:
# printing 30000 copies would take the CPU the daemon needs).
kill -STOP "$C2" "$MON"
status_a
d2_0=$(jq_a '.mailslots[] | select(.name == "\\MAILSLOT\\two") | .delivered')
t0=$(date +%s.%N)
it_run "$NS_B" 60 "$IT_CLI" send -i "$IF_B" -q --to "$A1" --name 'HOSTA<00>' --slot '\MAILSLOT\two' \
    --data flood-two --repeat 30000 --interval 0 &
FL=$!
it_run "$NS_B" 60 "$IT_CLI" send -i "$IF_B" -q --to "$A1" --name 'HOSTA<00>' --slot '\MAILSLOT\one' \
    --data during-flood --repeat 100 --interval 10
wait "$FL"
sleep 1
status_a
rss=$(awk '/VmRSS/ {print $2}' "/proc/$DPID/status")
q2=$(jq_a '.mailslots[] | select(.name == "\\MAILSLOT\\two") | "\(.queued) \(.queue_max) \(.dropped)"')
read -r queued qmax dropped <<<"$q2"
wait_got one '\MAILSLOT\one' during-flood 100 10
sleep 0.3
n1=$(got one '\MAILSLOT\one' during-flood)
if ((n1 == 100)) && [[ $queued == 32 && $qmax == 32 ]] && ((dropped > 0 && rss < 32768)); then
    it_pass "flood of 30000 to \\MAILSLOT\\two while its listen is stopped: exactly 100 of 100 to \\MAILSLOT\\one arrive, two holds 32 (its bound), $dropped dropped, daemon RSS ${rss} KiB" "$(it_since "$t0") s"
else
    it_fail "flood" "one got $n1/100, two: $q2, RSS $rss KiB"
fi
before=$(got two '\MAILSLOT\two' flood-two)
kill -CONT "$C2" "$MON"
# The listen goes on: it prints what its socket held, then the daemon's
# queue of 32; bounded wait until the daemon has nothing queued for it.
for ((i = 0; i < 50; i++)); do
    status_a
    [[ $(jq_a '.mailslots[] | select(.name == "\\MAILSLOT\\two") | .queued') == 0 ]] && break
    sleep 0.1
done
sleep 0.5
after=$(got two '\MAILSLOT\two' flood-two)
status_a
d2_1=$(jq_a '.mailslots[] | select(.name == "\\MAILSLOT\\two") | .delivered')
if ((after - before >= 32 && after - before < 30000 && after - before == d2_1 - d2_0)); then
    it_pass "listen two goes on: it prints what its socket and the daemon's queue held ($((after - before)), as many as the daemon delivered)"
else
    it_fail "after SIGCONT" "$before -> $after printed; the daemon delivered $d2_0 -> $d2_1 (STATUS said $q2)"
fi

# ------------------------------------------------ kill -9 and restart
# The same listen processes, not restarted: each says it lost the daemon
# and re-attaches on its own once a daemon answers again.
kill -KILL "$DPID"
it_wait_pid "$DPID" 5
t0=$(date +%s.%N)
RE='attached to mailslotd at .*/control again, 1 mailslot registered'
ok=0
if it_wait_grep "$W/one.err" 'mailslotd closed the connection; re-attaching' 5 "$C1" &&
    it_wait_grep "$W/two.err" 'mailslotd closed the connection; re-attaching' 5 "$C2" && daemon d3 &&
    it_wait_grep "$W/one.err" "$RE" 5 "$C1" && it_wait_grep "$W/two.err" "$RE" 5 "$C2"; then
    ok=1
fi
if ((ok)) && it_is_running "$C1" && it_is_running "$C2"; then
    send_b --to '\\HOSTA' --from HOSTB --slot '\MAILSLOT\one' --data after-restart
    send_b --to '\\HOSTA' --from HOSTB --slot '\MAILSLOT\two' --data after-restart
    if wait_got one '\MAILSLOT\one' after-restart 1 5 && wait_got two '\MAILSLOT\two' after-restart 1 5; then
        it_pass "kill -9 of mailslotd, restart: the same two listen processes re-attach and get their writes" "$(it_since "$t0") s; $(grep -m1 'again' "$W/two.err")"
    else
        it_fail "after the restart" "no delivery"
    fi
else
    it_fail "restart" "$(tail -3 "$W/d3.err"); one: $(tail -2 "$W/one.err"); two: $(tail -2 "$W/two.err")"
fi

# ------------------------------------------------ SIGHUP
sed -i 's/^name = ALIAS$/name = LATER/' "$CONF"
kill -HUP "$DPID"
if it_wait_grep "$W/d3.err" 'registered LATER<00>' 5 "$DPID" && it_wait_grep "$W/d3.err" 'released ALIAS<00>' 5 "$DPID" &&
    [[ $(nmb_b LATER) == "$A1 " && -z $(nmb_b ALIAS) ]]; then
    it_pass "SIGHUP: LATER<00> registered, ALIAS<00> released (nmblookup from B agrees)"
else
    it_fail "SIGHUP" "$(grep -E 'SIGHUP|LATER|ALIAS' "$W/d3.err" | tail -4)"
fi

# ------------------------------------------------ SIGTERM
kill -TERM "$DPID"
it_wait_pid "$DPID" 10
rc=$IT_RC
it_run "$NS_A" 10 env MAILSLOTD_DIR="$RUN" "$IT_CLI" status >/dev/null 2>"$W/st.err"
st=$?
if [[ $rc == 0 && ! -e $RUN/control && $st == 1 ]] && grep -q 'released HOSTA<00>' "$W/d3.err" &&
    [[ -z $(nmb_b HOSTA) ]]; then
    it_pass "SIGTERM: exit 0, names released (no answer to nmblookup from B), socket removed, status exits 1"
else
    it_fail "SIGTERM" "exit $rc, socket $(ls "$RUN"), status exit $st, $(tail -2 "$W/d3.err")"
fi
# two's --stats, when it ends: what came through the daemon and what the
# daemon dropped for it (the flood), as STATUS said.
it_stop_pid "$C2"
if grep -qE "^mailslot listen: mailslotd: [0-9]+ delivered, $dropped dropped by the daemon" "$W/two.err"; then
    it_pass "listen two's --stats: $(grep -m1 '^mailslot listen: mailslotd:' "$W/two.err")"
else
    it_fail "listen --stats through the daemon" "want $dropped dropped: $(grep 'mailslotd' "$W/two.err" | tail -3)"
fi
for p in "$C1" "$MON"; do it_stop_pid "$p"; done
it_finish
