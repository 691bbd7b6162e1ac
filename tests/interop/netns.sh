# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this
# tests/interop/netns.sh - fixture for the live interop tests (sourced), and
# for captures/record-nmbd.sh, which records nmbd the same way.
#
# Gives a script (besides what tests/lib.sh gives, which it sources):
#   - checks for root, ip netns, tools and the CLI's send/listen commands
#     (a missing one skips: exit 77 "skipped: WHY", or exit 1 when
#     MAILSLOT_REQUIRE_ALL is set);
#   - private network namespaces joined by veth pairs, addresses only from
#     192.0.2.0/24, TX checksum offload off (so captures carry correct UDP
#     checksums);
#   - one Samba nmbd with a throw-away smb.conf and directories, and a
#     bounded wait for it to become the local master browser;
#   - background processes started in a namespace, tracked by PID;
#   - sub-test bookkeeping: one PASS/FAIL/SKIP line each and a final
#     "N passed, M failed, K skipped" line;
#   - an EXIT trap that stops exactly the processes it started (by PID) and
#     deletes exactly the namespaces it created.
#
# Every wait is bounded in count and time. Nothing is sent to addresses
# outside 192.0.2.0/24, and nothing runs outside the namespaces created here.
#
# Environment: MAILSLOT_CLI (the mailslot binary), MAILSLOT_SRC,
#   MAILSLOT_REQUIRE_ALL, KEEP_WORK=1 (keep the work directory: nmbd log,
#   captures, listener output), IT_VERBOSE=1 (show more on failure).

# ------------------------------------------------------------ basics
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
IT_NAME=${IT_NAME:-interop}
IT_SRC=$src
IT_CLI=$cli
IT_PY=/usr/bin/python3
IT_PYDIR=$IT_SRC/tests/py

IT_WORK=""
IT_PIDS=()
IT_NS=()
IT_PASSED=0
IT_FAILED=0
IT_SKIPPED=0
IT_FAILED_NAMES=()
IT_SKIPPED_NAMES=()
IT_T0=$(date +%s.%N)

it_log() { printf '[%s %6.1fs] %s\n' "$IT_NAME" "$(it_elapsed)" "$*" >&2; }

# it_since T0: seconds since T0 (date +%s.%N), one decimal.
it_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}'; }
it_elapsed() { it_since "$IT_T0"; }

# ------------------------------------------------------------ requirements
# Why namespaces cannot be made here (nothing when they can).
it_why_no_netns() {
    if ! is_root; then
        echo "not root (network namespaces need root)"
    elif ! command -v ip >/dev/null; then
        echo "iproute2 'ip' is not installed"
    elif ! ip netns list >/dev/null 2>&1; then
        echo "'ip netns' does not work here"
    elif ! command -v ss >/dev/null; then
        echo "'ss' (iproute2) is not installed"
    fi
}

it_require_root_netns() {
    local why
    why=$(it_why_no_netns)
    [[ -z $why ]] || skip "$why"
}

it_require_scapy() {
    [[ -x $IT_PY ]] || skip "$IT_PY is missing"
    "$IT_PY" -c 'import scapy.all' >/dev/null 2>&1 ||
        skip "python3-scapy is not installed ($IT_PY cannot import scapy)"
}

it_require_cli() {   # COMMAND... : each 'mailslot COMMAND --help' must work
    local c
    [[ -x $IT_CLI ]] || skip "no mailslot CLI at $IT_CLI"
    for c in "$@"; do
        "$IT_CLI" "$c" --help >/dev/null 2>&1 ||
            skip "'mailslot $c' is not available yet ($IT_CLI $c --help fails)"
    done
}

# it_has_opt COMMAND OPTION: the option appears in 'mailslot COMMAND --help'.
it_has_opt() {
    "$IT_CLI" "$1" --help 2>&1 | grep -qe "$2"
}

# First of the given options that 'mailslot COMMAND --help' mentions.
it_first_opt() {   # COMMAND OPT...
    local cmd=$1 o help
    shift
    help=$("$IT_CLI" "$cmd" --help 2>&1) || true
    for o in "$@"; do
        if grep -qe "$o\\b" <<<"$help"; then
            printf '%s\n' "$o"
            return 0
        fi
    done
    return 1
}

# ------------------------------------------------------------ sub-tests
it_pass() {
    IT_PASSED=$((IT_PASSED + 1))
    echo "PASS: $1${2:+ ($2)}"
}

it_fail() {
    IT_FAILED=$((IT_FAILED + 1))
    IT_FAILED_NAMES+=("$1")
    echo "FAIL: $1${2:+: $2}"
}

# A sub-test that cannot run (feature not there yet). Under
# MAILSLOT_REQUIRE_ALL it counts as a failure, like a skipped script.
it_skip() {
    if require_all; then
        it_fail "$1" "skipped, but MAILSLOT_REQUIRE_ALL is set: $2"
        return
    fi
    IT_SKIPPED=$((IT_SKIPPED + 1))
    IT_SKIPPED_NAMES+=("$1")
    echo "SKIP: $1: $2"
}

it_finish() {
    local n
    if ((IT_SKIPPED > 0)); then
        for n in "${IT_SKIPPED_NAMES[@]}"; do echo "  skipped: $n"; done
    fi
    if ((IT_FAILED > 0)); then
        for n in "${IT_FAILED_NAMES[@]}"; do echo "  failed: $n"; done
    fi
    echo "$IT_PASSED passed, $IT_FAILED failed, $IT_SKIPPED skipped ($(it_elapsed) s)"
    if ((IT_FAILED > 0)); then exit 1; fi
    if ((IT_PASSED == 0 && IT_SKIPPED > 0)); then
        skip "every sub-test skipped"
    fi
    exit 0
}

# ------------------------------------------------------------ processes
it_is_running() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n $st && $st != Z* ]]
}

# it_stop_pid PID [SIGNAL]: signal, wait at most 5 s, then SIGKILL; reap.
it_stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    if it_is_running "$pid"; then
        kill "-$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            it_is_running "$pid" || break
            sleep 0.1
        done
        if it_is_running "$pid"; then
            it_log "PID $pid ignored SIG$sig, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    it_forget_pid "$pid"
}

it_forget_pid() {
    local keep=() p
    for p in "${IT_PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    IT_PIDS=("${keep[@]}")
}

# it_wait_pid PID SECONDS [STOP]: wait (bounded) for PID to exit; its
# status in IT_RC (124 when it was still running and STOP PID, by default
# it_stop_pid, stopped it).
it_wait_pid() {
    local pid=$1 secs=$2 stop=${3:-it_stop_pid} i
    for ((i = 0; i < secs * 10; i++)); do
        it_is_running "$pid" || break
        sleep 0.1
    done
    if it_is_running "$pid"; then
        "$stop" "$pid"
        it_forget_pid "$pid"
        IT_RC=124
        return 0
    fi
    IT_RC=0
    wait "$pid" 2>/dev/null || IT_RC=$?
    it_forget_pid "$pid"
}

# it_bg NS OUT ERR COMMAND...: start COMMAND in namespace NS in the
# background (stdout to OUT, stderr to ERR); its PID in IT_BG_PID.
it_bg() {
    local ns=$1 out=$2 err=$3
    shift 3
    ip netns exec "$ns" "$@" </dev/null >"$out" 2>"$err" &
    IT_BG_PID=$!
    IT_PIDS+=("$IT_BG_PID")
}

# it_run NS SECONDS COMMAND...: run in NS in the foreground, bounded.
it_run() {
    local ns=$1 secs=$2
    shift 2
    timeout -k 2 "$secs" ip netns exec "$ns" "$@" </dev/null
}

# it_wait_grep FILE PATTERN SECONDS [PID]: bounded wait for an extended
# regex in FILE (stops early when PID has exited).
it_wait_grep() {
    local f=$1 re=$2 secs=$3 pid=${4:-} i
    for ((i = 0; i < secs * 10; i++)); do
        grep -qE -- "$re" "$f" 2>/dev/null && return 0
        if [[ -n $pid ]] && ! it_is_running "$pid"; then
            grep -qE -- "$re" "$f" 2>/dev/null
            return
        fi
        sleep 0.1
    done
    return 1
}

# it_wait_udp NS PORT PID SECONDS: bounded wait until PID has a UDP socket
# bound to PORT in NS.
it_wait_udp() {
    local ns=$1 port=$2 pid=$3 secs=$4 i
    for ((i = 0; i < secs * 10; i++)); do
        ip netns exec "$ns" ss -Hulnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid," && return 0
        it_is_running "$pid" || return 1
        sleep 0.1
    done
    return 1
}

# it_wait_packet_socket NS PID SECONDS: bounded wait until PID holds a
# packet socket (libpcap) in NS, plus a short settle time.
it_wait_packet_socket() {
    local ns=$1 pid=$2 secs=$3 i
    for ((i = 0; i < secs * 10; i++)); do
        if ip netns exec "$ns" ss -H -0 -p 2>/dev/null | grep -q "pid=$pid,"; then
            sleep 0.3
            return 0
        fi
        it_is_running "$pid" || return 1
        sleep 0.1
    done
    return 1
}

# ------------------------------------------------------------ work dir, trap
it_cleanup() {
    local rc=$? pid ns
    trap - EXIT INT TERM
    for pid in "${IT_PIDS[@]}"; do
        it_stop_pid "$pid" TERM
    done
    for ns in "${IT_NS[@]}"; do
        ip netns delete "$ns" 2>/dev/null || it_log "could not delete netns $ns"
    done
    if [[ -n $IT_WORK && -d $IT_WORK ]]; then
        if [[ ${KEEP_WORK:-0} == 1 ]]; then
            it_log "kept work directory $IT_WORK"
        else
            rm -rf -- "$IT_WORK"
        fi
    fi
    exit "$rc"
}

it_init() {   # NAME
    IT_NAME=$1
    IT_WORK=$(mktemp -d "/tmp/mailslot-$1.XXXXXX")
    chmod 755 "$IT_WORK"
    trap it_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# ------------------------------------------------------------ network
IT_PREFIX_LEN=24
IT_BCAST=192.0.2.255

# it_netns NAME: create a namespace (lo up), remembered for the trap.
it_netns() {
    case $1 in *[!a-zA-Z0-9_-]*) it_log "bad netns name $1"; return 1 ;; esac
    ip netns add "$1"
    IT_NS+=("$1")
    ip -n "$1" link set lo up
}

# veth's TX checksum "offload" never fills the UDP checksum in; make the
# kernel do it so captures (and libpcap listeners) see correct checksums.
it_tx_csum_off() {   # NS IFNAME
    if command -v ethtool >/dev/null; then
        ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
    else
        # ETHTOOL_STXCSUM (0x17) with data 0 through SIOCETHTOOL (0x8946)
        ip netns exec "$1" "$IT_PY" -c '
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack("II", 0x17, 0), 8)
ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(val)).ljust(40, b"\0")
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
' "$2"
    fi
}

# it_veth NS_A IF_A IP_A NS_B IF_B IP_B: a veth pair created directly in
# the two namespaces (nothing in the initial one), addresses /24 with
# broadcast 192.0.2.255, checksum offload off, up (bounded wait).
it_veth() {
    local nsa=$1 ifa=$2 ipa=$3 nsb=$4 ifb=$5 ipb=$6 i
    local ip
    for ip in "$ipa" "$ipb"; do
        [[ $ip =~ ^192\.0\.2\.([0-9]+)$ && ${BASH_REMATCH[1]} -ge 1 && ${BASH_REMATCH[1]} -le 254 ]] || {
            it_log "refusing address $ip (only 192.0.2.1-254)"
            return 1
        }
    done
    ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb"
    ip -n "$nsa" addr add "$ipa/$IT_PREFIX_LEN" broadcast "$IT_BCAST" dev "$ifa"
    ip -n "$nsb" addr add "$ipb/$IT_PREFIX_LEN" broadcast "$IT_BCAST" dev "$ifb"
    it_tx_csum_off "$nsa" "$ifa"
    it_tx_csum_off "$nsb" "$ifb"
    ip -n "$nsa" link set "$ifa" up
    ip -n "$nsb" link set "$ifb" up
    for ((i = 0; i < 50; i++)); do
        if ip -n "$nsa" -o link show "$ifa" | grep -q 'state UP' &&
            ip -n "$nsb" -o link show "$ifb" | grep -q 'state UP'; then
            return 0
        fi
        sleep 0.1
    done
    it_log "veth $ifa/$ifb did not come up"
    return 1
}

# it_pair NS_A IF_A IP_A NS_B IF_B IP_B: the two namespaces and the veth
# pair between them (it_netns, it_veth); 1 when one step failed.
it_pair() {
    it_netns "$1" && it_netns "$4" && it_veth "$@"
}

# it_dumpcap NS IFACE FILE [SECONDS]: record UDP 137/138 on IFACE for at
# most SECONDS (300); PID in IT_BG_PID.
it_dumpcap() {
    local ns=$1 ifc=$2 file=$3 err=$3.err secs=${4:-300} i
    touch "$file"
    it_bg "$ns" /dev/null "$err" dumpcap -q -i "$ifc" -f 'udp port 137 or udp port 138' \
        -a "duration:$secs" -w "$file"
    for ((i = 0; i < 100; i++)); do
        grep -q 'Capturing on' "$err" 2>/dev/null && return 0
        it_is_running "$IT_BG_PID" || break
        sleep 0.1
    done
    it_log "dumpcap did not start: $(cat "$err" 2>/dev/null)"
    return 1
}

# ------------------------------------------------------------ nmbd
IT_NB_NAME=LABPEER
IT_WORKGROUP=MSLAB
IT_NMBD_DEBUG=${IT_NMBD_DEBUG:-5}
IT_NMBD_SERVER_STRING="mailslot interop"  # its announcements' comment
IT_NMBD_SOCKET_DIR=/run/samba/nmbd       # compiled in: no smb.conf option
IT_NMBD_PID=""
IT_NMBD_LOG=""
# Extra smb.conf [global] lines, appended (a later line wins in smb.conf):
# e.g. a PDC and WINS server for the name-service tests.
IT_NMBD_EXTRA=${IT_NMBD_EXTRA:-}
IT_NMBD_T0=""

# it_nmbd_start NS IFACE: one nmbd in NS bound to IFACE, everything it
# writes below $IT_WORK/nmbd. Log: $IT_NMBD_LOG.
it_nmbd_start() {
    local ns=$1 ifc=$2 d=$IT_WORK/nmbd i sock_parent cover
    mkdir -p "$d"/{lock,state,cache,private,pid,ncalrpc,log,bind-dns,ntp_signd,winbindd,usershares}
    chmod 700 "$d/private"
    # nmbd creates its "unexpected packet" socket in a compiled-in directory
    # with no smb.conf option; inside nmbd's own mount namespace the deepest
    # existing ancestor of its parent is covered by $d/sockroot (a bind mount
    # made private first), so the host directory is never written.
    sock_parent=$(dirname "$IT_NMBD_SOCKET_DIR")
    cover=$sock_parent
    for ((i = 0; i < 32; i++)); do
        [[ -d $cover ]] && break
        cover=$(dirname "$cover")
    done
    [[ -d $cover && $cover != / ]] || {
        it_log "no usable mount point for $IT_NMBD_SOCKET_DIR"
        return 1
    }
    mkdir -p "$d/sockroot${sock_parent#"$cover"}"
    IT_NMBD_CONF=$d/smb.conf
    cat >"$IT_NMBD_CONF" <<EOF
[global]
    netbios name = $IT_NB_NAME
    workgroup = $IT_WORKGROUP
    server string = $IT_NMBD_SERVER_STRING
    server role = standalone server
    interfaces = $ifc
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
    log level = $IT_NMBD_DEBUG
    lock directory = $d/lock
    state directory = $d/state
    cache directory = $d/cache
    private dir = $d/private
    pid directory = $d/pid
    ncalrpc dir = $d/ncalrpc
    binddns dir = $d/bind-dns
    ntp signd socket directory = $d/ntp_signd
    winbindd socket directory = $d/winbindd
    usershare path = $d/usershares
    log file = $d/log/log.nmbd
    max log size = 0
$IT_NMBD_EXTRA
EOF
    IT_NMBD_LOG=$d/log/log.nmbd
    IT_NMBD_T0=$(date +%s.%N)
    # "ip netns exec" gives a fresh mount namespace that is a slave of the
    # host's; the wrapper makes it private, adds the bind mount and execs
    # nmbd, so the PID is nmbd's.
    # shellcheck disable=SC2016  # $1.. are expanded by the inner sh
    it_bg "$ns" "$d/nmbd.out" "$d/nmbd.out" /bin/sh -c \
        'mount --make-rprivate / && mount --bind "$1" "$2" || exit 111; shift 2; exec "$@"' \
        nmbd-wrapper "$d/sockroot" "$cover" \
        nmbd -F --no-process-group -d "$IT_NMBD_DEBUG" -s "$IT_NMBD_CONF" -l "$d/log"
    IT_NMBD_PID=$IT_BG_PID
    it_log "nmbd (PID $IT_NMBD_PID) starting in $ns on $ifc"
    # Bounded wait until it holds UDP 138.
    if ! it_wait_udp "$ns" 138 "$IT_NMBD_PID" 15; then
        it_log "nmbd did not bind UDP 138"
        tail -n 20 "$IT_NMBD_LOG" "$d/nmbd.out" >&2 2>/dev/null || true
        return 1
    fi
}

it_nmbd_since() { it_since "$IT_NMBD_T0"; }

# it_nmbd_wait_master SECONDS: bounded wait for "now a local master browser".
it_nmbd_wait_master() {
    local secs=${1:-60}
    if it_wait_grep "$IT_NMBD_LOG" "is now a local master browser for workgroup $IT_WORKGROUP" \
        "$secs" "$IT_NMBD_PID"; then
        it_log "nmbd is local master $(it_nmbd_since) s after its start"
        return 0
    fi
    it_log "nmbd did not become local master within ${secs}s"
    tail -n 30 "$IT_NMBD_LOG" >&2 2>/dev/null || true
    return 1
}
