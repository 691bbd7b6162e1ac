#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Win32-style remote mailslot examples (examples/remote_server.c,
# examples/remote_client.c), run the way a user would run them (~7 s).
#
# Loopback part (no root needed; the server binds 127.0.0.1 on a high
# port, the client writes there):
#   - \\HOST resolved through a hosts file, a unique write of text and of
#     all 256 octet values, a group write of 424 octets to an address and
#     the 425-octet group write refused with the library's size error;
#     GetMailslotInfo counts 3, 2, 1, 0 with each next size, and every
#     message's data equal to the octets sent;
#   - the read timeout: -t 300 times out after about 300 ms, -t 0 at once;
#     the -T deadline ends the run (exit 3);
#   - nMaxMessageSize (-m 100): 100 octets read, 101 dropped and counted;
#   - clear errors: an unresolvable \\HOST (unicast query to 127.0.0.1),
#     a path without \mailslot\NAME;
#   - the CLI: the example client writes, `mailslot listen --json` gets the
#     same octets; `mailslot send` writes, the example server reads them.
# Namespace part (root, ip netns): the server in one namespace
# (192.0.2.1), the client in another (192.0.2.2), a veth pair between:
#   - \\EXSERVER resolved by a broadcast NBNS query the server answers
#     (-r), unique to 192.0.2.1; \\* and \\DOMAIN as group writes to
#     192.0.2.255; a BROADCAST (0x12) write; 424 octets to \\* delivered,
#     425 refused; GetMailslotInfo counts and sizes; exact octets; names,
#     types and IP destinations as the server saw them;
#   - an unknown \\NAME: CreateFile fails (nobody answers);
#   - the CLI on both ends again, on port 138 (listen --register).
# Without root or ip netns the namespace part is skipped (a failure under
# MAILSLOT_REQUIRE_ALL). Local mailslot files (CreateMailslot of a
# \\.\mailslot\ name makes them) go to a private MAILSLOT_DIR that must be
# empty at the end. KEEP_WORK=1 keeps the programs' output.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

BUILD=${MAILSLOT_BUILD:-$IT_SRC/build}
SRV=$BUILD/examples/remote_server
CLN=$BUILD/examples/remote_client
if [[ ! -x $SRV || ! -x $CLN ]]; then
    echo "FAIL: examples not built in $BUILD/examples"
    exit 1
fi
it_init remote_examples
W=$IT_WORK
# CreateMailslot("\\.\mailslot\x") also opens the local mailslot (local.h):
# its files go to a private directory, which must be empty at the end.
export MAILSLOT_DIR=$W/run
mkdir -m 700 "$MAILSLOT_DIR"
unset MAILSLOT_PATH
no_files_left() {
    local left
    left=$(find "$MAILSLOT_DIR" -mindepth 1 -printf '%f ' | head -c 300)
    WHY="left: $left"
    [[ -z $left ]]
    verdict "no local mailslot files left behind"
}
J=("$IT_PY" "$IT_PYDIR/interop_json.py")
HAVE_CLI=0
[[ -x $IT_CLI ]] && "$IT_CLI" listen --help >/dev/null 2>&1 && "$IT_CLI" send --help >/dev/null 2>&1 &&
    HAVE_CLI=1
HAVE_PY=0
[[ -x $IT_PY ]] && HAVE_PY=1

hexof() { od -An -v -tx1 <"$1" | tr -d ' \n'; }
texthex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
# data OUT K: the data of the server's "Message #K" line, in hex.
data() { sed -n "s/^Message #$2: .*, data \\([0-9a-f]*\\)\$/\\1/p" "$1" | head -n 1; }
# verdict LABEL: PASS when the command before it succeeded, else FAIL
# with the reason a helper left in WHY.
verdict() {
    local rc=$?
    if ((rc == 0)); then it_pass "$1"; else it_fail "$1" "${WHY:-$CTX}"; fi
    WHY=""
}
# check_sub LABEL COMMAND...: PASS when the command succeeds.
check_sub() {
    local label=$1
    shift
    if "$@"; then it_pass "$label"; else it_fail "$label" "${WHY:-$CTX}"; fi
    WHY=""
}
WHY=""
CTX="" # what the last program run said: the reason when no helper gave one
# same_data OUT K HEX: Message #K carries exactly HEX.
same_data() {
    local got
    got=$(data "$1" "$2")
    [[ $got == "$3" ]] && return 0
    WHY="message #$2: got ${got:0:80}... (${#got} hex digits), want ${3:0:80}... (${#3})"
    return 1
}
# has OUT REGEX: OUT has a line matching the extended regex.
has() {
    grep -qE -- "$2" "$1" && return 0
    WHY="no line /$2/ in $(basename "$1"): $(head -c 600 "$1")"
    return 1
}

# Data files: all 256 octet values; 424 and 425 octets of text.
"$IT_PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' >"$W/all256" 2>/dev/null ||
    printf '%b' "$(for i in $(seq 0 255); do printf '\\%03o' "$i"; done)" >"$W/all256"
yes 'remote-mailslot-0123456789' | tr -d '\n' | head -c 424 >"$W/g424"
yes 'remote-mailslot-0123456789' | tr -d '\n' | head -c 425 >"$W/g425"
head -c 100 "$W/g424" >"$W/m100"
head -c 101 "$W/g424" >"$W/m101"
H256=$(hexof "$W/all256")
H424=$(hexof "$W/g424")
H100=$(hexof "$W/m100")
[[ ${#H256} -eq 512 && ${#H424} -eq 848 ]] || {
    echo "FAIL: could not make the data files"
    exit 1
}

# srv_start NS OUT ARGS...: start remote_server (NS "-": no namespace) in
# the background, wait (bounded) for its CreateMailslot line. PID in SPID.
srv_start() {
    local ns=$1 out=$2
    shift 2
    SOUT=$out
    if [[ $ns == - ]]; then
        "$SRV" "$@" </dev/null >"$out" 2>"$out.err" &
        SPID=$!
        IT_PIDS+=("$SPID")
    else
        it_bg "$ns" "$out" "$out.err" "$SRV" "$@"
        SPID=$IT_BG_PID
    fi
    it_wait_grep "$out" '^CreateMailslot .* ok' 5 "$SPID"
}
# lo_start OUT ARGS...: a loopback server on a free high port (up to five
# tries); port in PORT.
lo_start() {
    local out=$1 i
    shift
    for ((i = 0; i < 5; i++)); do
        PORT=$((20000 + RANDOM % 40000))
        srv_start - "$out" -b 127.0.0.1 -p "$PORT" "$@" && return 0
        it_stop_pid "$SPID"
    done
    return 1
}
# srv_end SECONDS: bounded wait for the server; exit status in IT_RC.
srv_end() {
    it_wait_pid "$SPID" "$1"
    CTX="server exit $IT_RC: $(tail -c 400 "$SOUT") $(head -c 200 "$SOUT.err")"
}
# cln OUT ARGS...: run remote_client (no namespace, bounded); status in CRC.
cln() {
    local out=$1
    shift
    CRC=0
    timeout -k 2 15 "$CLN" "$@" </dev/null >"$out" 2>&1 || CRC=$?
    CTX="client exit $CRC: $(head -c 400 "$out")"
}
# infos OUT: "NEXT:COUNT " of each GetMailslotInfo line, on one line.
infos() {
    sed -n 's/^GetMailslotInfo: max [0-9]*, next \([a-z0-9]*\), count \([0-9]*\),.*/\1:\2/p' "$1" |
        tr '\n' ' '
}
# waited OUT: the "waited N ms" of the first ReadFile timeout line.
waited() { sed -n 's/^ReadFile: no message within .* (waited \([0-9]*\) ms)$/\1/p' "$1" | head -n 1; }

# ================================================== loopback
echo "127.0.0.1 LOOPSRV" >"$W/lmhosts"
LC=(-s 0) # any source port: 138 is not ours to take on the host

if lo_start "$W/l1" -n 3 -w 3 -t 500 -T 10 '\\.\mailslot\ex\demo'; then
    cln "$W/l1c1" "${LC[@]}" -p "$PORT" -f EXCLIENT -H "$W/lmhosts" '\\LOOPSRV\mailslot\ex\demo' \
        'hello loopback' "@$W/all256"
    { ((CRC == 0)) && has "$W/l1c1" "^CreateFile .* ok: unique to LOOPSRV<00> at 127\.0\.0\.1:$PORT," &&
        has "$W/l1c1" "^WriteFile #2: 256 octets written"; }
    verdict "loopback: CreateFile \\\\LOOPSRV via the hosts file, two writes"
    # The slot in another case: mailslot names compare case-insensitively.
    cln "$W/l1c2" "${LC[@]}" -p "$PORT" -f EXCLIENT -t group '\\127.0.0.1\MAILSLOT\EX\Demo' \
        "@$W/g424" "@$W/g425"
    { has "$W/l1c2" "^CreateFile .* ok: group to WORKGROUP<00> at 127\.0\.0\.1:$PORT, .*at most 424 octets" &&
        has "$W/l1c2" "^WriteFile #1: 424 octets written"; }
    verdict "loopback: group write of 424 octets written"
    { ((CRC == 1)) && has "$W/l1c2" "^WriteFile #2 failed: message larger than the size limit that applies: message of 425 octets \(424 data octets fit\) is over 2 limits: its SMB message would be 513 octets, 1 over 512; a group write carries at most 424 data octets, 1 over"; }
    verdict "loopback: group write of 425 octets refused (MS_ERR_TOO_BIG), exit 1"
    srv_end 10
    { ((IT_RC == 0)) && has "$W/l1" "^CloseHandle: 3 message\(s\) read, 0 over max size"; }
    verdict "loopback: server read 3 messages and exited 0"
    WHY=$(grep "^GetMailslotInfo\|^Queued" "$W/l1")
    { has "$W/l1" "^Queued: 3 message" && [[ $(infos "$W/l1") == "14:3 256:2 424:1 none:0 " ]] &&
        [[ $(grep -c "^GetMailslotInfo: max 0, .*, timeout 500 ms$" "$W/l1") == 4 ]]; }
    verdict "loopback: GetMailslotInfo counted 3, 2, 1, 0 with the next sizes 14, 256, 424"
    { same_data "$W/l1" 1 "$(texthex "hello loopback")" &&
        has "$W/l1" "^Message #1: 14 octets, unique, from EXCLIENT<00> 127\.0\.0\.1:[0-9]+, to LOOPSRV<00> at 127\.0\.0\.1, slot \\\\MAILSLOT\\\\ex\\\\demo,"; }
    verdict "loopback: message 1 (text, unique to LOOPSRV<00>) exact"
    check_sub "loopback: message 2 (octets 0..255) exact" same_data "$W/l1" 2 "$H256"
    { same_data "$W/l1" 3 "$H424" &&
        has "$W/l1" "^Message #3: 424 octets, group, from EXCLIENT<00> .*, to WORKGROUP<00> at 127\.0\.0\.1, slot \\\\MAILSLOT\\\\EX\\\\Demo,"; }
    verdict "loopback: message 3 (424 octets, group to WORKGROUP<00>, slot as written) exact"
else
    it_fail "loopback: remote_server starts" "$(cat "$W/l1.err" 2>/dev/null)"
fi

# Read timeout: nothing is sent.
if lo_start "$W/l2" -n 1 -t 300 -T 1 '\\.\mailslot\ex\quiet'; then
    srv_end 10
    N=$(grep -c '^ReadFile: no message within 300 ms' "$W/l2")
    T=$(waited "$W/l2")
    WHY="exit $IT_RC: $(head -c 600 "$W/l2")"
    { ((IT_RC == 3)) && [[ $T =~ ^[0-9]+$ ]] && ((T >= 280 && T <= 1000 && N >= 2 && N <= 5)) &&
        has "$W/l2" "^Deadline: 0 of 1 message\(s\) after 1 s"; }
    verdict "loopback: read timeout 300 ms (ReadFile waited ${T:-?} ms, $N timeouts in 1 s, exit 3)"
else
    it_fail "loopback: remote_server -t 300 starts" "$(cat "$W/l2.err" 2>/dev/null)"
fi
if lo_start "$W/l3" -n 1 -t 0 -T 1 '\\.\mailslot\ex\quiet'; then
    srv_end 10
    T=$(waited "$W/l3")
    { ((IT_RC == 3)) && [[ $T =~ ^[0-9]+$ ]] && ((T <= 50)); }
    verdict "loopback: read timeout 0 returns at once (waited ${T:-?} ms)"
else
    it_fail "loopback: remote_server -t 0 starts" "$(cat "$W/l3.err" 2>/dev/null)"
fi

# nMaxMessageSize 100.
if lo_start "$W/l4" -n 2 -m 100 -t 500 -T 10 '\\.\mailslot\ex\small'; then
    cln "$W/l4c" "${LC[@]}" -p "$PORT" -d 'LOOPSRV<00>' '\\127.0.0.1\mailslot\ex\small' \
        "@$W/m100" "@$W/m101" 'small'
    srv_end 10
    { ((CRC == 0 && IT_RC == 0)) && same_data "$W/l4" 1 "$H100" &&
        same_data "$W/l4" 2 "$(texthex small)" && has "$W/l4" "^GetMailslotInfo: max 100," &&
        has "$W/l4" "^CloseHandle: 2 message\(s\) read, 1 over max size"; }
    verdict "loopback: max size 100: 100 octets read, 101 dropped and counted"
else
    it_fail "loopback: remote_server -m 100 starts" "$(cat "$W/l4.err" 2>/dev/null)"
fi

# Errors. The name query goes by unicast to 127.0.0.1 (-W): nothing leaves
# the host.
cln "$W/l5" "${LC[@]}" -p 9 -W 127.0.0.1 '\\NOSUCHHOST\mailslot\ex\demo' 'lost'
{ ((CRC == 1)) && has "$W/l5" "^CreateFile \\\\\\\\NOSUCHHOST\\\\mailslot\\\\ex\\\\demo failed: not found: cannot resolve"; }
verdict "loopback: CreateFile \\\\NOSUCHHOST fails: not found, exit 1"
cln "$W/l6" "${LC[@]}" '\\LOOPSRV' 'lost'
{ ((CRC == 2)) && has "$W/l6" "^CreateFile .* failed: invalid argument: .*has no .*mailslot.*NAME part"; }
verdict "loopback: CreateFile without \\mailslot\\NAME: invalid argument, exit 2"
"$SRV" -p 9 -n 0 x >"$W/l7" 2>&1
RC=$?
{ ((RC == 2)) && has "$W/l7" "count .0. is not a number from 1"; }
verdict "loopback: remote_server -n 0: usage error, exit 2"

# The CLI on the other end.
if ((HAVE_CLI && HAVE_PY)); then
    PORT=$((20000 + RANDOM % 40000))
    "$IT_CLI" listen --json --bind 127.0.0.1 --port "$PORT" --count 1 --timeout 10 \
        >"$W/l8.json" 2>"$W/l8.err" </dev/null &
    LPID=$!
    IT_PIDS+=("$LPID")
    for ((i = 0; i < 50; i++)); do
        ss -Hulnp "sport = :$PORT" 2>/dev/null | grep -q "pid=$LPID," && break
        sleep 0.1
    done
    cln "$W/l8c" "${LC[@]}" -p "$PORT" -f EXCLIENT -d 'CLILISTEN<00>' '\\127.0.0.1\mailslot\ex\cli' \
        "@$W/all256"
    it_wait_pid "$LPID" 10
    WHY="client $CRC, listen $IT_RC: $(head -c 300 "$W/l8.err")"
    { ((CRC == 0 && IT_RC == 0)) &&
        (($("${J[@]}" count "$W/l8.json" mailslot.name="\\MAILSLOT\\ex\\cli" mailslot.data="$H256" nbdgm.src_name="EXCLIENT<00>" nbdgm.type=16) == 1)); }
    verdict "loopback: example client -> mailslot listen --json: same 256 octets"
    if lo_start "$W/l9" -n 1 -t 500 -T 10 '\\.\mailslot\ex\cli'; then
        "$IT_CLI" send -q --from CLISEND --to 127.0.0.1 --port "$PORT" --name 'EXSERVER<00>' \
            --slot '\MAILSLOT\ex\cli' --file "$W/all256" >"$W/l9s" 2>&1 || true
        srv_end 10
        WHY="exit $IT_RC / send: $(head -c 300 "$W/l9s")"
        { ((IT_RC == 0)) && same_data "$W/l9" 1 "$H256" &&
            has "$W/l9" "^Message #1: 256 octets, unique, from CLISEND<00> 127\.0\.0\.1:[0-9]+, to EXSERVER<00>"; }
        verdict "loopback: mailslot send -> example server: same 256 octets"
    else
        it_fail "loopback: remote_server for the CLI starts" "$(cat "$W/l9.err" 2>/dev/null)"
    fi
else
    it_skip "loopback: CLI interop" "no mailslot CLI with send and listen at $IT_CLI, or no $IT_PY"
fi

# ================================================== namespaces
why_no_ns=$(it_why_no_netns)
if [[ -n $why_no_ns ]]; then
    it_skip "namespaces: remote examples across a veth pair" "$why_no_ns"
    no_files_left
    it_finish
fi

NS_S=ms-exs-$$
NS_C=ms-exc-$$
IF_S=exs$$
IF_C=exc$$
S_IP=192.0.2.1
C_IP=192.0.2.2
BC=$IT_BCAST
WG=MSLAB
it_pair "$NS_S" "$IF_S" "$S_IP" "$NS_C" "$IF_C" "$C_IP" || exit 1
# ncln OUT ARGS...: remote_client in the client namespace; status in CRC.
ncln() {
    local out=$1
    shift
    CRC=0
    it_run "$NS_C" 15 "$CLN" -f EXCLIENT "$@" >"$out" 2>&1 || CRC=$?
    CTX="client exit $CRC: $(head -c 400 "$out")"
}

SLOT='\\.\mailslot\ex\net'
if srv_start "$NS_S" "$W/n1" -r EXSERVER -i "$IF_S" -n 5 -w 5 -t 500 -T 20 "$SLOT" &&
    it_wait_udp "$NS_S" 137 "$SPID" 5; then
    check_sub "netns: server announces EXSERVER<00> at $S_IP on UDP 138" \
        has "$W/n1" "^CreateMailslot \\\\MAILSLOT\\\\ex\\\\net ok: UDP port 138, .*name EXSERVER<00> at $S_IP$"
    ncln "$W/n1a" '\\EXSERVER\mailslot\ex\net' 'to the host' "@$W/all256"
    { ((CRC == 0)) && has "$W/n1a" "^CreateFile .* ok: unique to EXSERVER<00> at $S_IP:138, from EXCLIENT<00> $C_IP:138," &&
        has "$W/n1a" "^WriteFile #2: 256 octets written"; }
    verdict "netns: CreateFile \\\\EXSERVER resolved by NBNS to $S_IP, two unique writes"
    ncln "$W/n1b" -w "$WG" '\\*\mailslot\ex\net' "@$W/g424" "@$W/g425"
    { ((CRC == 1)) && has "$W/n1b" "^CreateFile .* ok: group to $WG<00> at $BC:138," &&
        has "$W/n1b" "^WriteFile #1: 424 octets written" &&
        has "$W/n1b" "^WriteFile #2 failed: message larger than the size limit that applies: message of 425 octets \(424 data octets fit\) is over 2 limits: its SMB message would be 513 octets, 1 over 512; a group write carries at most 424 data octets, 1 over"; }
    verdict "netns: \\\\* writes 424 octets to $WG<00> at $BC, refuses 425 (exit 1)"
    ncln "$W/n1c" -w "$WG" '\\MSLAB\mailslot\ex\net' 'to the domain'
    { ((CRC == 0)) && has "$W/n1c" "^CreateFile .* ok: group to $WG<00> at $BC:138,"; }
    verdict "netns: \\\\$WG (a domain) is a group write to $BC"
    ncln "$W/n1d" -t broadcast '\\*\mailslot\ex\net' 'to everyone'
    { ((CRC == 0)) && has "$W/n1d" "^CreateFile .* ok: broadcast to \*(<00>){15} at $BC:138,"; }
    verdict "netns: -t broadcast is a BROADCAST (0x12) to * (15 x 0x00) at $BC"
    # Nobody answers for another name (the server only answers EXSERVER).
    ncln "$W/n1e" '\\NOBODYHERE\mailslot\ex\net' 'lost'
    { ((CRC == 1)) && has "$W/n1e" "^CreateFile .* failed: not found: cannot resolve .*NOBODYHERE"; }
    verdict "netns: CreateFile \\\\NOBODYHERE fails: not found, exit 1"
    srv_end 20
    { ((IT_RC == 0)) && has "$W/n1" "^CloseHandle: 5 message\(s\) read"; }
    verdict "netns: server read 5 messages, exit 0"
    WHY=$(grep "^GetMailslotInfo\|^Queued" "$W/n1")
    { has "$W/n1" "^Queued: 5 message" && [[ $(infos "$W/n1") == "11:5 256:4 424:3 13:2 11:1 none:0 " ]]; }
    verdict "netns: GetMailslotInfo counted 5, 4, 3, 2, 1, 0 with the next sizes 11, 256, 424, 13, 11"
    { has "$W/n1" "^Message #1: 11 octets, unique, from EXCLIENT<00> $C_IP:138, to EXSERVER<00> at $S_IP," &&
        same_data "$W/n1" 1 "$(texthex "to the host")"; }
    verdict "netns: message 1: unique to EXSERVER<00> at $S_IP from EXCLIENT<00> $C_IP:138, exact"
    check_sub "netns: message 2: octets 0..255 exact" same_data "$W/n1" 2 "$H256"
    { has "$W/n1" "^Message #3: 424 octets, group, from EXCLIENT<00> $C_IP:138, to $WG<00> at $BC," &&
        same_data "$W/n1" 3 "$H424"; }
    verdict "netns: message 3: 424 octets, group to $WG<00> at $BC, exact"
    { has "$W/n1" "^Message #4: 13 octets, group, from EXCLIENT<00> $C_IP:138, to $WG<00> at $BC," &&
        same_data "$W/n1" 4 "$(texthex "to the domain")"; }
    verdict "netns: message 4: \\\\$WG, group to $WG<00> at $BC, exact"
    { has "$W/n1" "^Message #5: 11 octets, broadcast, from EXCLIENT<00> $C_IP:138, to \*(<00>){15} at $BC," &&
        same_data "$W/n1" 5 "$(texthex "to everyone")"; }
    verdict "netns: message 5: broadcast to * (15 x 0x00) at $BC, exact"
else
    it_fail "netns: remote_server starts with -r EXSERVER" "$(cat "$W/n1.err" 2>/dev/null)"
fi

# The CLI on the other end, port 138 both ways.
if ((HAVE_CLI && HAVE_PY)); then
    it_bg "$NS_S" "$W/n2.json" "$W/n2.err" "$IT_CLI" listen --json --register EXLISTEN \
        --count 1 --timeout 15
    LPID=$IT_BG_PID
    if it_wait_udp "$NS_S" 138 "$LPID" 5 && it_wait_udp "$NS_S" 137 "$LPID" 5; then
        ncln "$W/n2c" '\\EXLISTEN\mailslot\ex\cli' "@$W/all256"
        it_wait_pid "$LPID" 10
        WHY="client $CRC: $(head -c 300 "$W/n2c"); listen $IT_RC: $(head -c 300 "$W/n2.err")"
        { ((CRC == 0 && IT_RC == 0)) &&
            (($("${J[@]}" count "$W/n2.json" mailslot.name="\\MAILSLOT\\ex\\cli" mailslot.data="$H256" nbdgm.src_name="EXCLIENT<00>" nbdgm.dst_name="EXLISTEN<00>" nbdgm.type=16 ip.dst="$S_IP") == 1)); }
        verdict "netns: example client -> \\\\EXLISTEN (mailslot listen --register --json): same 256 octets"
    else
        it_fail "netns: mailslot listen --register starts" "$(head -c 400 "$W/n2.err")"
        it_stop_pid "$LPID"
    fi
    if srv_start "$NS_S" "$W/n3" -n 1 -t 500 -T 15 '\\.\mailslot\ex\cli'; then
        it_run "$NS_C" 15 "$IT_CLI" send -q --from CLISEND --to '\\*' --workgroup "$WG" -i "$IF_C" \
            --slot '\MAILSLOT\ex\cli' --file "$W/all256" >"$W/n3s" 2>&1 || true
        srv_end 10
        WHY="exit $IT_RC / send: $(head -c 300 "$W/n3s")"
        { ((IT_RC == 0)) && same_data "$W/n3" 1 "$H256" &&
            has "$W/n3" "^Message #1: 256 octets, group, from CLISEND<00> $C_IP:138, to $WG<00> at $BC,"; }
        verdict "netns: mailslot send \\\\* -> example server: same 256 octets, group at $BC"
    else
        it_fail "netns: remote_server for the CLI starts" "$(cat "$W/n3.err" 2>/dev/null)"
    fi
else
    it_skip "netns: CLI interop" "no mailslot CLI with send and listen at $IT_CLI, or no $IT_PY"
fi

no_files_left
it_finish
