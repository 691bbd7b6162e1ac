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
# created. nmbd writes only below a temporary directory. The namespaces,
# the veth pair, dumpcap and nmbd are made as the interop tests make them
# (tests/interop/netns.sh).

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$SCRIPT_DIR}
# shellcheck source=tests/interop/netns.sh
. "$SCRIPT_DIR/../tests/interop/netns.sh"

readonly NMBD_IP=192.0.2.10
readonly PEER_IP=192.0.2.20
readonly WORKGROUP=$IT_WORKGROUP
readonly PEER_NAME=PEERHOST
readonly RUN_SECONDS=${RUN_SECONDS:-40}
readonly LMB_WAIT_MAX=90        # seconds to wait for "now a local master browser"
readonly REQUEST_TO=${REQUEST_TO:-$IT_BCAST}
IT_NMBD_DEBUG=${NMBD_DEBUG:-3}
IT_NMBD_SOCKET_DIR=${NMBD_SOCKET_DIR:-/run/samba/nmbd}
IT_NMBD_SERVER_STRING="mailslot lab"  # the comment in the committed captures

readonly NS_NMBD="ms-nmbd-$$"
readonly NS_PEER="ms-peer-$$"
readonly IF_NMBD="msn$$"        # <= 10 characters, IFNAMSIZ is 16
readonly IF_PEER="msp$$"

die() { it_log "ERROR: $*"; exit 1; }

# tshark without its "Running as user root" notice (other stderr is kept).
ts() {
    local rc=0
    tshark "$@" 2>"$IT_WORK/tshark.err" || rc=$?
    grep -v '^Running as user' "$IT_WORK/tshark.err" >&2 || true
    return "$rc"
}

# ---------------------------------------------------------------- checks
is_root || die "must run as root (network namespaces, nmbd, dumpcap)"
for cmd in ip nmbd dumpcap tshark ps ss "$IT_PY"; do
    command -v "$cmd" >/dev/null || die "missing command: $cmd"
done
[[ $RUN_SECONDS =~ ^[0-9]+$ && $RUN_SECONDS -ge 30 && $RUN_SECONDS -le 300 ]] ||
    die "RUN_SECONDS must be an integer in 30..300"
[[ $REQUEST_TO == "$IT_BCAST" || $REQUEST_TO == "$NMBD_IP" ]] ||
    die "REQUEST_TO must be $IT_BCAST or $NMBD_IP"
[[ $IT_NMBD_SOCKET_DIR == /?*/?* ]] || die "NMBD_SOCKET_DIR must be an absolute path below /x/"
mkdir -p -- "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

it_init record-nmbd

# ---------------------------------------------------------------- network
it_pair "$NS_NMBD" "$IF_NMBD" "$NMBD_IP" "$NS_PEER" "$IF_PEER" "$PEER_IP" ||
    die "the namespaces and their veth pair could not be set up"

# ---------------------------------------------------------------- capture
RAW="$IT_WORK/raw.pcapng"
it_dumpcap "$NS_NMBD" "$IF_NMBD" "$RAW" $((RUN_SECONDS + 30)) || die "dumpcap did not start"
DUMPCAP_PID=$IT_BG_PID
it_log "dumpcap (PID $DUMPCAP_PID) capturing on $IF_NMBD in $NS_NMBD"

# ---------------------------------------------------------------- nmbd
it_nmbd_start "$NS_NMBD" "$IF_NMBD" || die "nmbd did not start"
NMBD_PID=$IT_NMBD_PID
NMBD_LOG=$IT_NMBD_LOG
T0=$IT_NMBD_T0
# Wait (bounded) for the election to finish.
it_nmbd_wait_master "$LMB_WAIT_MAX" || die "nmbd did not become local master browser within ${LMB_WAIT_MAX}s"
T_LMB=$(date +%s.%N)

# Give nmbd a moment to register <1d> and send its first master announcements.
sleep 3

# ---------------------------------------------------------------- request
SENDER="$IT_WORK/send_getbackuplist.py"
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

it_log "sending GetBackupListRequest from $PEER_NAME<00> ($PEER_IP) to $WORKGROUP<1d> at $REQUEST_TO"
send_rc=0
timeout 20 ip netns exec "$NS_PEER" /usr/bin/python3 "$SENDER" \
    "$PEER_IP" "$REQUEST_TO" "$PEER_NAME" "$WORKGROUP" 0x00000001 "$NMBD_IP" >&2 || send_rc=$?
[[ $send_rc -eq 0 ]] || it_log "request sender exited with $send_rc (checked again in the recording)"

# ---------------------------------------------------------------- finish run
T_END=$(awk -v a="$T0" -v r="$RUN_SECONDS" 'BEGIN{printf "%d", a + r}')
for ((i = 0; i < RUN_SECONDS + 5; i++)); do
    (($(date +%s) < T_END)) || break
    it_is_running "$NMBD_PID" || break
    sleep 1
done

# Stop nmbd first so its shutdown frames are recorded, then the capture.
it_log "stopping nmbd"
it_stop_pid "$NMBD_PID" TERM
sleep 1
it_log "stopping dumpcap"
it_stop_pid "$DUMPCAP_PID" INT

# ---------------------------------------------------------------- outputs
ANNOUNCE="$OUT_DIR/nmbd-announce.pcap"
BACKUP="$OUT_DIR/nmbd-backuplist.pcapng"
ts -r "$RAW" -Y "ip.src == $NMBD_IP" -F pcap -w "$ANNOUNCE"
ts -r "$RAW" -Y 'browser.command == 0x09 || browser.command == 0x0a' -F pcapng -w "$BACKUP"

count() { ts -r "$1" -Y "$2" -T fields -e frame.number | wc -l; }
[[ $(ts -r "$RAW" -o udp.check_checksum:TRUE -Y 'udp.checksum.status == "Bad"' \
    -T fields -e frame.number | wc -l) -eq 0 ]] || it_log "WARNING: recording has bad UDP checksums"
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
    from="ip.src == $NMBD_IP"
    echo "  any frame                 $(first_after "$from")"
    echo "  first datagram (udp 138)  $(first_after "$from && udp.srcport == 138")"
    echo "  HostAnnouncement 0x01     $(first_after "$from && browser.command == 0x01")"
    echo "  LANMAN announcement       $(first_after "$from && mailslot.name contains \"LANMAN\"")"
    echo "  RequestElection 0x08      $(first_after "$from && browser.command == 0x08")"
    echo "  AnnouncementRequest 0x02  $(first_after "$from && browser.command == 0x02")"
    echo "  LocalMasterAnnounce 0x0f  $(first_after "$from && browser.command == 0x0f")"
    echo "  DomainAnnouncement 0x0c   $(first_after "$from && browser.command == 0x0c")"
    echo "  GetBackupListResp 0x0a    $(first_after "$from && browser.command == 0x0a")"
    echo "  log 'now a local master'  $(awk -v a="$T0" -v b="$T_LMB" 'BEGIN{printf "%.2f", b-a}') (polled every 0.1 s)"
}
