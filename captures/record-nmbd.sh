#!/bin/bash
# SPDX-License-Identifier: MIT
# record-nmbd.sh - record the NetBIOS datagrams Samba's nmbd sends.
#
# Usage (as root):  captures/record-nmbd.sh [OUTPUT_DIR]
#
# Builds two private network namespaces joined by a veth pair
# (192.0.2.10 = nmbd, 192.0.2.20 = peer, 192.0.2.0/24 only), runs nmbd with a
# throw-away smb.conf in the first one, records UDP 137/138 there with dumpcap
# for about RUN_SECONDS seconds, and, once nmbd is the local master browser,
# sends one browser GetBackupListRequest from the peer namespace.
#
# Writes to OUTPUT_DIR (default: the directory of this script):
#   nmbd-announce.pcap       every frame nmbd sent (ip.src == 192.0.2.10)
#   nmbd-backuplist.pcapng   the GetBackupListRequest and nmbd's response
#
# Environment: RUN_SECONDS (default 40), NMBD_DEBUG (default 3),
#              REQUEST_TO (default 192.0.2.255; 192.0.2.10 sends it unicast),
#              NMBD_SOCKET_DIR (nmbd's compiled-in socket directory, default
#              /run/samba/nmbd; it has no smb.conf option, so it is hidden
#              behind a bind mount inside nmbd's own mount namespace),
#              KEEP_WORK=1 keeps the temporary directory (config, nmbd log,
#              raw recording) and prints its path.
#
# Nothing is started outside the two namespaces; the EXIT trap stops exactly
# the processes this script started and deletes exactly the namespaces it
# created. nmbd writes only below a temporary directory.

set -euo pipefail

readonly NMBD_IP=192.0.2.10
readonly PEER_IP=192.0.2.20
readonly PREFIX_LEN=24
readonly BCAST_IP=192.0.2.255
readonly NB_NAME=LABPEER
readonly WORKGROUP=MSLAB
readonly PEER_NAME=PEERHOST
readonly RUN_SECONDS=${RUN_SECONDS:-40}
readonly NMBD_DEBUG=${NMBD_DEBUG:-3}
readonly LMB_WAIT_MAX=90        # seconds to wait for "now a local master browser"
readonly REQUEST_TO=${REQUEST_TO:-$BCAST_IP}
readonly NMBD_SOCKET_DIR=${NMBD_SOCKET_DIR:-/run/samba/nmbd}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$SCRIPT_DIR}

readonly NS_NMBD="ms-nmbd-$$"
readonly NS_PEER="ms-peer-$$"
readonly IF_NMBD="msn$$"        # <= 10 characters, IFNAMSIZ is 16
readonly IF_PEER="msp$$"

WORK=""
STARTED_PIDS=()
CREATED_NS=()

log() { printf '[record-nmbd] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# tshark without its "Running as user root" notice (other stderr is kept).
ts() {
    local rc=0
    tshark "$@" 2>"$WORK/tshark.err" || rc=$?
    grep -v '^Running as user' "$WORK/tshark.err" >&2 || true
    return "$rc"
}

# True while PID exists and is not a zombie.
is_running() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n $st && $st != Z* ]]
}

# stop_pid PID SIGNAL: send SIGNAL, wait at most 5 s, then SIGKILL; reap.
stop_pid() {
    local pid=$1 sig=$2 i
    if is_running "$pid"; then
        kill "-$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            is_running "$pid" || break
            sleep 0.1
        done
        if is_running "$pid"; then
            log "PID $pid ignored SIG$sig, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? pid ns
    trap - EXIT INT TERM
    for pid in "${STARTED_PIDS[@]}"; do
        stop_pid "$pid" TERM
    done
    for ns in "${CREATED_NS[@]}"; do
        ip netns delete "$ns" 2>/dev/null || log "could not delete netns $ns"
    done
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ ${KEEP_WORK:-0} == 1 ]]; then
            log "kept work directory $WORK"
        else
            rm -rf -- "$WORK"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
    local keep=() p
    for p in "${STARTED_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    STARTED_PIDS=("${keep[@]}")
}

# ---------------------------------------------------------------- checks
[[ $EUID -eq 0 ]] || die "must run as root (network namespaces, nmbd, dumpcap)"
for cmd in ip nmbd dumpcap tshark ps /usr/bin/python3; do
    command -v "$cmd" >/dev/null || die "missing command: $cmd"
done
[[ $RUN_SECONDS =~ ^[0-9]+$ && $RUN_SECONDS -ge 30 && $RUN_SECONDS -le 300 ]] ||
    die "RUN_SECONDS must be an integer in 30..300"
[[ $REQUEST_TO == "$BCAST_IP" || $REQUEST_TO == "$NMBD_IP" ]] ||
    die "REQUEST_TO must be $BCAST_IP or $NMBD_IP"
[[ $NMBD_SOCKET_DIR == /?*/?* ]] || die "NMBD_SOCKET_DIR must be an absolute path below /x/"
mkdir -p -- "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

WORK=$(mktemp -d /tmp/record-nmbd.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK"/{lock,state,cache,private,pid,ncalrpc,log,bind-dns,ntp_signd,winbindd,usershares}
chmod 700 "$WORK/private"

# nmbd creates its "unexpected packet" socket in a compiled-in directory
# (NMBD_SOCKET_DIR). Inside nmbd's mount namespace the deepest existing
# ancestor of that directory's parent is covered with $WORK/sockroot, so the
# socket lands in $WORK and the host directory is never written.
sock_parent=$(dirname "$NMBD_SOCKET_DIR")
SOCK_COVER=$sock_parent
for ((i = 0; i < 32; i++)); do
    [[ -d $SOCK_COVER ]] && break
    SOCK_COVER=$(dirname "$SOCK_COVER")
done
[[ -d $SOCK_COVER && $SOCK_COVER != / ]] || die "no usable mount point for $NMBD_SOCKET_DIR"
mkdir -p "$WORK/sockroot${sock_parent#"$SOCK_COVER"}"

# ---------------------------------------------------------------- network
ip netns add "$NS_NMBD"
CREATED_NS+=("$NS_NMBD")
ip netns add "$NS_PEER"
CREATED_NS+=("$NS_PEER")

# The pair is created directly inside the two namespaces; nothing is added
# to the initial namespace.
ip link add "$IF_NMBD" netns "$NS_NMBD" type veth peer name "$IF_PEER" netns "$NS_PEER"

ip -n "$NS_NMBD" link set lo up
ip -n "$NS_PEER" link set lo up
ip -n "$NS_NMBD" addr add "$NMBD_IP/$PREFIX_LEN" broadcast "$BCAST_IP" dev "$IF_NMBD"
ip -n "$NS_PEER" addr add "$PEER_IP/$PREFIX_LEN" broadcast "$BCAST_IP" dev "$IF_PEER"

# veth leaves UDP checksums to "offload" that never happens, so the recorded
# frames would carry wrong UDP checksums. Make the kernel fill them in.
disable_tx_csum() {   # NETNS IFNAME
    if command -v ethtool >/dev/null; then
        ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
    else
        # ETHTOOL_STXCSUM (0x17) with data 0 through SIOCETHTOOL (0x8946)
        ip netns exec "$1" /usr/bin/python3 -c '
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack("II", 0x17, 0), 8)
ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(val)).ljust(40, b"\0")
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
' "$2"
    fi
}
disable_tx_csum "$NS_NMBD" "$IF_NMBD"
disable_tx_csum "$NS_PEER" "$IF_PEER"
ip -n "$NS_NMBD" link set "$IF_NMBD" up
ip -n "$NS_PEER" link set "$IF_PEER" up

for ((i = 0; i < 50; i++)); do
    if ip -n "$NS_NMBD" -o link show "$IF_NMBD" | grep -q 'state UP' &&
        ip -n "$NS_PEER" -o link show "$IF_PEER" | grep -q 'state UP'; then
        break
    fi
    sleep 0.1
done
ip -n "$NS_NMBD" -o link show "$IF_NMBD" | grep -q 'state UP' || die "veth did not come up"

# ---------------------------------------------------------------- nmbd config
CONF="$WORK/smb.conf"
cat >"$CONF" <<EOF
[global]
    netbios name = $NB_NAME
    workgroup = $WORKGROUP
    server string = mailslot lab
    server role = standalone server
    interfaces = $IF_NMBD
    bind interfaces only = yes
    nmbd bind explicit broadcast = yes
    disable netbios = no
    local master = yes
    preferred master = yes
    domain master = no
    os level = 65
    lm announce = yes
    lm interval = 60
    wins support = no
    dns proxy = no
    name resolve order = bcast
    load printers = no
    printcap name = /dev/null
    lock directory = $WORK/lock
    state directory = $WORK/state
    cache directory = $WORK/cache
    private dir = $WORK/private
    pid directory = $WORK/pid
    ncalrpc dir = $WORK/ncalrpc
    binddns dir = $WORK/bind-dns
    ntp signd socket directory = $WORK/ntp_signd
    winbindd socket directory = $WORK/winbindd
    usershare path = $WORK/usershares
    log file = $WORK/log/log.nmbd
    max log size = 0
EOF
NMBD_LOG="$WORK/log/log.nmbd"

# ---------------------------------------------------------------- capture
RAW="$WORK/raw.pcapng"
touch "$RAW"
ip netns exec "$NS_NMBD" dumpcap -q -i "$IF_NMBD" -f 'udp port 137 or udp port 138' \
    -a "duration:$((RUN_SECONDS + 30))" -w "$RAW" 2>"$WORK/dumpcap.err" &
DUMPCAP_PID=$!
STARTED_PIDS+=("$DUMPCAP_PID")

for ((i = 0; i < 100; i++)); do
    grep -q 'Capturing on' "$WORK/dumpcap.err" 2>/dev/null && break
    is_running "$DUMPCAP_PID" || break
    sleep 0.1
done
grep -q 'Capturing on' "$WORK/dumpcap.err" || {
    cat "$WORK/dumpcap.err" >&2
    die "dumpcap did not start"
}
log "dumpcap (PID $DUMPCAP_PID) capturing on $IF_NMBD in $NS_NMBD"

# ---------------------------------------------------------------- nmbd
T0=$(date +%s.%N)
# "ip netns exec" runs the command in a fresh mount namespace that is a slave
# of the host's; the wrapper makes it private, adds the bind mount and execs
# nmbd, so $! is nmbd's PID.
# shellcheck disable=SC2016  # $1.. are expanded by the inner sh
ip netns exec "$NS_NMBD" /bin/sh -c \
    'mount --make-rprivate / && mount --bind "$1" "$2" || exit 111; shift 2; exec "$@"' \
    nmbd-wrapper "$WORK/sockroot" "$SOCK_COVER" \
    nmbd -F --no-process-group -d "$NMBD_DEBUG" -s "$CONF" -l "$WORK/log" \
    </dev/null >"$WORK/nmbd.out" 2>&1 &
NMBD_PID=$!
STARTED_PIDS+=("$NMBD_PID")
log "nmbd (PID $NMBD_PID) started in $NS_NMBD at $NMBD_IP"

# Wait (bounded) for the election to finish.
lmb_ok=0
for ((i = 0; i < LMB_WAIT_MAX * 2; i++)); do
    if grep -q "is now a local master browser for workgroup $WORKGROUP" "$NMBD_LOG" 2>/dev/null; then
        lmb_ok=1
        break
    fi
    is_running "$NMBD_PID" || break
    sleep 0.5
done
if [[ $lmb_ok -ne 1 ]]; then
    tail -n 40 "$NMBD_LOG" >&2 2>/dev/null || true
    cat "$WORK/nmbd.out" >&2 || true
    die "nmbd did not become local master browser within ${LMB_WAIT_MAX}s"
fi
T_LMB=$(date +%s.%N)
log "nmbd is local master after $(awk -v a="$T0" -v b="$T_LMB" 'BEGIN{printf "%.1f", b-a}') s"

# Give nmbd a moment to register <1d> and send its first master announcements.
sleep 3

# ---------------------------------------------------------------- request
SENDER="$WORK/send_getbackuplist.py"
cat >"$SENDER" <<'PY'
"""Send one browser GetBackupListRequest as a NetBIOS DIRECT_GROUP datagram
and wait (bounded) for the unicast GetBackupListResponse."""
import select
import socket
import struct
import sys
import time

src_ip, dst_ip, src_name, workgroup, token_s = sys.argv[1:6]
token = int(token_s, 0)
nmbd_ip = sys.argv[6]


def nb_encode(name, suffix):
    raw = name.upper().encode("ascii")[:15].ljust(15, b" ") + bytes([suffix])
    out = bytearray([0x20])
    for octet in raw:
        out += bytes([0x41 + (octet >> 4), 0x41 + (octet & 0x0F)])
    out.append(0)
    return bytes(out)


mailslot = b"\\MAILSLOT\\BROWSE"
# opcode 0x09, RequestedCount 4, Token (u32 LE)
data = struct.pack("<BBI", 0x09, 4, token)
data_offset = 70 + len(mailslot)

smb = bytearray(b"\xffSMB")
smb.append(0x25)                      # SMB_COM_TRANSACTION
smb += bytes(27)                      # status, flags, ..., MID: all zero
smb.append(17)                        # WordCount
smb += struct.pack(
    "<HHHHBBHIHHHHHBBHHH",
    0,                                # TotalParameterCount
    len(data),                        # TotalDataCount
    0,                                # MaxParameterCount
    0,                                # MaxDataCount
    0, 0,                             # MaxSetupCount, Reserved1
    0,                                # Flags
    0,                                # Timeout
    0,                                # Reserved2
    0, 0,                             # ParameterCount, ParameterOffset
    len(data), data_offset,           # DataCount, DataOffset
    3, 0,                             # SetupCount, Reserved3
    1,                                # MailSlotOpcode: write
    1,                                # Priority
    2,                                # Class 2
)
body = mailslot + b"\x00" + data
smb += struct.pack("<H", len(body)) + body
assert len(smb) == data_offset + len(data), (len(smb), data_offset)

names = nb_encode(src_name, 0x00) + nb_encode(workgroup, 0x1D)
header = struct.pack(">BBH4sHHH", 0x11, 0x02, 0x4D53,
                     socket.inet_aton(src_ip), 138,
                     len(names) + len(smb), 0)
payload = header + names + bytes(smb)
assert len(payload) == 14 + 68 + 92

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.bind(("0.0.0.0", 138))
sock.sendto(payload, (dst_ip, 138))
print("sent GetBackupListRequest, %d octets, to %s:138" % (len(payload), dst_ip))

deadline = time.monotonic() + 8.0
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        print("no GetBackupListResponse within 8 s")
        sys.exit(3)
    ready, _, _ = select.select([sock], [], [], left)
    if not ready:
        continue
    pkt, addr = sock.recvfrom(2048)
    if addr[0] != nmbd_ip or len(pkt) < 82 + 70:
        continue
    off = struct.unpack_from("<H", pkt, 82 + 57)[0]
    cnt = struct.unpack_from("<H", pkt, 82 + 55)[0]
    msg = pkt[82 + off:82 + off + cnt]
    if msg[:1] == b"\x0a":
        n, tok = struct.unpack_from("<BI", msg, 1)
        names_out = [x.decode("ascii", "replace") for x in msg[6:].split(b"\x00")[:n]]
        print("GetBackupListResponse from %s:%d, %d octets: count %d token 0x%08x servers %s"
              % (addr[0], addr[1], len(pkt), n, tok, names_out))
        sys.exit(0)
PY

log "sending GetBackupListRequest from $PEER_NAME<00> ($PEER_IP) to $WORKGROUP<1d> at $REQUEST_TO"
send_rc=0
timeout 20 ip netns exec "$NS_PEER" /usr/bin/python3 "$SENDER" \
    "$PEER_IP" "$REQUEST_TO" "$PEER_NAME" "$WORKGROUP" 0x00000001 "$NMBD_IP" >&2 || send_rc=$?
[[ $send_rc -eq 0 ]] || log "request sender exited with $send_rc (checked again in the recording)"

# ---------------------------------------------------------------- finish run
T_END=$(awk -v a="$T0" -v r="$RUN_SECONDS" 'BEGIN{printf "%d", a + r}')
for ((i = 0; i < RUN_SECONDS + 5; i++)); do
    (($(date +%s) < T_END)) || break
    is_running "$NMBD_PID" || break
    sleep 1
done

# Stop nmbd first so its shutdown frames are recorded, then the capture.
log "stopping nmbd"
stop_pid "$NMBD_PID" TERM
forget_pid "$NMBD_PID"
sleep 1
log "stopping dumpcap"
stop_pid "$DUMPCAP_PID" INT
forget_pid "$DUMPCAP_PID"

# ---------------------------------------------------------------- outputs
ANNOUNCE="$OUT_DIR/nmbd-announce.pcap"
BACKUP="$OUT_DIR/nmbd-backuplist.pcapng"
ts -r "$RAW" -Y "ip.src == $NMBD_IP" -F pcap -w "$ANNOUNCE"
ts -r "$RAW" -Y 'browser.command == 0x09 || browser.command == 0x0a' -F pcapng -w "$BACKUP"

count() { ts -r "$1" -Y "$2" -T fields -e frame.number | wc -l; }
[[ $(ts -r "$RAW" -o udp.check_checksum:TRUE -Y 'udp.checksum.status == "Bad"' \
    -T fields -e frame.number | wc -l) -eq 0 ]] || log "WARNING: recording has bad UDP checksums"
[[ $(count "$BACKUP" 'browser.command == 0x09') -ge 1 ]] || die "request not in the recording"
if [[ $(count "$BACKUP" 'browser.command == 0x0a') -lt 1 ]]; then
    grep -iE 'backup|0x1d|browse' "$NMBD_LOG" | tail -n 30 >&2 || true
    die "nmbd did not answer the GetBackupListRequest (see log above)"
fi

first_after() {   # seconds from nmbd start to the first frame matching $1
    local t
    t=$(ts -r "$RAW" -Y "$1" -T fields -e frame.time_epoch | awk 'NR == 1')
    if [[ -z $t ]]; then echo "-"; else awk -v a="$T0" -v b="$t" 'BEGIN{printf "%.2f", b-a}'; fi
}

{
    echo "== record-nmbd summary =="
    echo "nmbd: $(nmbd --version)   tshark: $(ts --version | awk 'NR == 1')"
    for f in "$ANNOUNCE" "$BACKUP"; do
        echo
        echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(count "$f" frame) frames"
        echo "  frames per UDP port / mailslot / browser.command:"
        ts -r "$f" -T fields -E separator=' ' -e udp.dstport -e mailslot.name -e browser.command |
            sort | uniq -c | sed 's/^/    /'
    done
    echo
    echo "seconds after nmbd start (first frame from $NMBD_IP):"
    src="ip.src == $NMBD_IP"
    echo "  any frame                 $(first_after "$src")"
    echo "  first datagram (udp 138)  $(first_after "$src && udp.srcport == 138")"
    echo "  HostAnnouncement 0x01     $(first_after "$src && browser.command == 0x01")"
    echo "  LANMAN announcement       $(first_after "$src && mailslot.name contains \"LANMAN\"")"
    echo "  RequestElection 0x08      $(first_after "$src && browser.command == 0x08")"
    echo "  AnnouncementRequest 0x02  $(first_after "$src && browser.command == 0x02")"
    echo "  LocalMasterAnnounce 0x0f  $(first_after "$src && browser.command == 0x0f")"
    echo "  DomainAnnouncement 0x0c   $(first_after "$src && browser.command == 0x0c")"
    echo "  GetBackupListResp 0x0a    $(first_after "$src && browser.command == 0x0a")"
    echo "  log 'now a local master'  $(awk -v a="$T0" -v b="$T_LMB" 'BEGIN{printf "%.2f", b-a}') (polled every 0.5 s)"
}
