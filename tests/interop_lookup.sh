#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `mailslot lookup` against Samba's nmbd (~20 s): two namespaces joined by
# a veth pair, nmbd (LABPEER, workgroup MSLAB) at 192.0.2.10, our command
# at 192.0.2.20.
#   1. nmbd as a plain B node:
#      - `lookup LABPEER` by broadcast (the default interface, then -B and
#        -i) finds 192.0.2.10, the same address as `nmblookup -B`;
#      - `--to 192.0.2.10` (unicast) finds it too, at the first answer,
#        as `nmblookup -U` does;
#      - the workgroup MSLAB<1e> comes back as a group name (text and
#        --json);
#      - a name nobody holds exits 1 once the timeout has passed;
#      - `lookup -A 192.0.2.10` (text and --json) lists the same names, with
#        the same group and state flags and the same MAC address, as
#        `nmblookup -A 192.0.2.10` and impacket's getnodestatus in the
#        same namespace;
#   2. nmbd restarted as a WINS server (wins support = yes), a name
#      WINSONLY<00> = 192.0.2.20 registered with it by unicast:
#      - `lookup --wins 192.0.2.10 WINSONLY` finds 192.0.2.20, answered by
#        192.0.2.10, as `nmblookup -U 192.0.2.10 --recursion` does, while a
#        broadcast lookup of it gets no answer (nobody on the wire holds
#        it);
#      - a name WINS does not know is a negative answer: exit 1 at once.
# Needs root, ip netns, nmbd, nmblookup, python3 with scapy and impacket;
# skips (exit 77) otherwise, or fails under MAILSLOT_REQUIRE_ALL.
# KEEP_WORK=1 keeps the work directory (nmbd logs, outputs).
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_root_netns
need nmbd "Samba nmbd is not installed"
need nmblookup "nmblookup (samba-common-bin) is not installed"
it_require_scapy
"$IT_PY" -c 'import impacket.nmb' 2>/dev/null || skip "python3-impacket is not installed"
it_require_cli lookup

it_init interop_lookup
W=$IT_WORK
NS_N=ms-lkn-$$
NS_P=ms-lkp-$$
IF_N=lkn$$
IF_P=lkp$$
NMBD_IP=192.0.2.10
PEER_IP=192.0.2.20
BC=$IT_BCAST

it_pair "$NS_N" "$IF_N" "$NMBD_IP" "$NS_P" "$IF_P" "$PEER_IP" || exit 1
# nmblookup's own smb.conf: nothing of the host's.
cat >"$W/client.conf" <<EOF
[global]
    interfaces = $IF_P
    bind interfaces only = no
    name resolve order = bcast
    lock directory = $W/client
    state directory = $W/client
    cache directory = $W/client
    private dir = $W/client
    log file = $W/client/log.%m
EOF
mkdir -p "$W/client"
chmod 700 "$W/client"

# lk NAME ARGS...: `mailslot lookup ARGS` in the peer namespace; output in
# $W/NAME.out and $W/NAME.err, status in LK_RC, time in LK_MS.
lk() {
    local name=$1 t0 t1
    shift
    t0=$(date +%s%N)
    LK_RC=0
    it_run "$NS_P" 20 "$IT_CLI" lookup "$@" >"$W/$name.out" 2>"$W/$name.err" || LK_RC=$?
    t1=$(date +%s%N)
    LK_MS=$(((t1 - t0) / 1000000))
}
# nmbl NAME ARGS...: nmblookup in the peer namespace, output in $W/NAME.nl.
nmbl() {
    local name=$1
    shift
    it_run "$NS_P" 20 nmblookup -s "$W/client.conf" "$@" >"$W/$name.nl" 2>&1
}
# Address lines "IP NAME<xx>" of nmblookup's output, sorted.
nl_addrs() { grep -E '^[0-9.]+ [^ ]+<[0-9a-f]{2}>$' "$W/$1.nl" | sort; }
# The same of ours: only the first two words.
lk_addrs() { awk '{print $1, $2}' "$W/$1.out" | sort; }
# wait_found SECONDS ARGS...: bounded wait until `lookup ARGS` exits 0.
wait_found() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs; i++)); do
        lk ready "$@"
        ((LK_RC == 0)) && return 0
        sleep 0.5
    done
    return 1
}

# ------------------------------------------------ 1. nmbd as a B node
if ! it_nmbd_start "$NS_N" "$IF_N"; then
    it_fail "nmbd starts" "see above"
    it_finish
fi
# nmbd answers a broadcast query for a name only once it has registered
# it (three broadcasts; about 3 s).
if wait_found 30 --timeout 500 'MSLAB<1e>'; then
    it_log "nmbd answers broadcasts $(it_nmbd_since) s after its start"
else
    it_fail "nmbd answers a broadcast query" "$(cat "$W/ready.err")"
    it_finish
fi

lk bc LABPEER
nmbl bc -B "$BC" LABPEER
if ((LK_RC == 0)) && [[ $(cat "$W/bc.out") == "$NMBD_IP LABPEER<00>" ]] &&
    [[ $(lk_addrs bc) == "$(nl_addrs bc)" ]]; then
    it_pass "lookup LABPEER by broadcast finds nmbd" "$(cat "$W/bc.out"); nmblookup -B: $(nl_addrs bc)"
else
    it_fail "lookup LABPEER by broadcast" "exit $LK_RC: $(cat "$W/bc.out" "$W/bc.err"); nmblookup: $(cat "$W/bc.nl")"
fi
if ((LK_MS >= 1500)); then
    it_pass "a broadcast lookup listens for the whole timeout" "$LK_MS ms of 1500"
else
    it_fail "a broadcast lookup listens for the whole timeout" "ended after $LK_MS ms"
fi
lk bci -i "$IF_P" -B "$BC" --timeout 800 labpeer
if ((LK_RC == 0)) && [[ $(cat "$W/bci.out") == "$NMBD_IP LABPEER<00>" ]]; then
    it_pass "lookup -i $IF_P -B $BC labpeer" "$(cat "$W/bci.out")"
else
    it_fail "lookup -i -B labpeer" "exit $LK_RC: $(cat "$W/bci.out" "$W/bci.err")"
fi

lk uc --to "$NMBD_IP" --timeout 3000 LABPEER
nmbl uc -U "$NMBD_IP" LABPEER
if ((LK_RC == 0)) && [[ $(cat "$W/uc.out") == "$NMBD_IP LABPEER<00>" ]] && ((LK_MS < 1000)) &&
    [[ $(lk_addrs uc) == "$(nl_addrs uc)" ]]; then
    it_pass "lookup --to $NMBD_IP LABPEER (unicast) ends at nmbd's answer" \
        "$LK_MS ms: $(cat "$W/uc.out"); nmblookup -U: $(nl_addrs uc)"
else
    it_fail "lookup --to (unicast)" "exit $LK_RC after $LK_MS ms: $(cat "$W/uc.out" "$W/uc.err"); nmblookup: $(cat "$W/uc.nl")"
fi

lk grp 'MSLAB<1e>'
nmbl grp -B "$BC" 'MSLAB#1e'
lk grpj --json 'mslab<1E>'
if ((LK_RC == 0)) && [[ $(cat "$W/grp.out") == "$NMBD_IP MSLAB<1e> group" ]] &&
    [[ $(lk_addrs grp) == "$(nl_addrs grp)" ]] &&
    "$IT_PY" - "$W/grpj.out" "$NMBD_IP" <<'PY'; then
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
o = rows[0]
assert o["name"] == "MSLAB<1e>" and o["from"] == sys.argv[2] and o["positive"] is True, o
assert o["from_port"] == 137 and o["rcode"] == 0, o
assert [(a["ip"], a["group"], a["ont"]) for a in o["addresses"]] == [(sys.argv[2], True, "B")], o
PY
    it_pass "the workgroup MSLAB<1e> is a group" "$(cat "$W/grp.out"); --json: $(head -c 300 "$W/grpj.out")"
else
    it_fail "the workgroup MSLAB<1e> is a group" "exit $LK_RC: $(cat "$W/grp.out" "$W/grp.err" "$W/grpj.out"); nmblookup: $(cat "$W/grp.nl")"
fi

lk miss --timeout 1000 NOSUCHNAME
if ((LK_RC == 1)) && ((LK_MS >= 1000 && LK_MS < 2500)) && [[ ! -s $W/miss.out ]] &&
    [[ $(cat "$W/miss.err") == "mailslot lookup: NOSUCHNAME<00>: no answer from $BC:137 within 1000 ms (3 queries)" ]]; then
    it_pass "a name nobody holds: exit 1 after the timeout" "$LK_MS ms: $(cat "$W/miss.err")"
else
    it_fail "a name nobody holds" "exit $LK_RC after $LK_MS ms: $(cat "$W/miss.out" "$W/miss.err")"
fi

# impacket's node status (it_run gives no standard input: a file).
cat >"$W/imp.py" <<'PY'
import sys
from impacket.nmb import NetBIOS
nb = NetBIOS()
entries = nb.getnodestatus("*", sys.argv[1], timeout=3)
for e in entries:
    print(e["NAME"].hex(), e["TYPE"], e["NAME_FLAGS"])
print("MAC", nb.mac)
PY
# Node status: ours (text and JSON), nmblookup's and impacket's, taken
# together (nmbd adds names when it becomes master browser, so a
# difference is retried, at most 3 times).
status_agree() {
    lk st -A "$NMBD_IP"
    local rc1=$LK_RC
    lk stj --json -A "$NMBD_IP"
    nmbl st -A "$NMBD_IP"
    it_run "$NS_P" 20 "$IT_PY" "$W/imp.py" "$NMBD_IP" >"$W/st.imp" 2>&1
    ((rc1 == 0 && LK_RC == 0)) && "$IT_PY" - "$W" >"$W/st.cmp" 2>&1 <<'PY'
import json, re, sys
w = sys.argv[1]
def fmt(raw15, suffix):
    """NAME<xx> as ms_nb_name_format writes it: trailing spaces off,
    octets outside printable ASCII as <xx>."""
    body = raw15.rstrip(b" ")
    return "".join(chr(c) if 0x20 <= c <= 0x7e else f"<{c:02x}>" for c in body) + f"<{suffix:02x}>"
# nmblookup -A: "\tNAME(15) <xx> - [<GROUP>] B <ACTIVE> ..."
nl, nl_mac = set(), None
for line in open(f"{w}/st.nl", "rb"):
    m = re.match(rb"^\t(.{15}) <([0-9a-f]{2})> - +(<GROUP> )?\s*([BPMH]) ((?:<[A-Z]+> ?)+)\s*$", line)
    if m:
        words = tuple(sorted(x.decode() for x in re.findall(rb"<([A-Z]+)>", m.group(5))))
        nl.add((fmt(m.group(1), int(m.group(2), 16)), bool(m.group(3)), m.group(4).decode(), words))
    m = re.search(rb"MAC Address = ([0-9A-F-]{17})", line)
    if m:
        nl_mac = m.group(1).decode().replace("-", ":").lower()
# ours, text: rows after the header, up to the MAC line
txt, txt_mac = set(), None
for line in open(f"{w}/st.out"):
    if line.startswith("NAME "):
        continue
    m = re.match(r"^MAC address \(unit ID\) ([0-9a-f:]{17})$", line)
    if m:
        txt_mac = m.group(1)
        continue
    name, typ, ont, state = line.split()
    txt.add((name, typ == "group", ont, tuple(sorted(state.split(",")))))
# ours, JSON
o = json.loads(open(f"{w}/stj.out").read())
words = ("active", "conflict", "deregistering", "permanent")
js = {(n["name"], n["group"], n["ont"], tuple(sorted(k.upper() for k in words if n[k])))
      for n in o["names"]}
js_mac = ":".join(o["unit_id"][i:i + 2] for i in range(0, 12, 2))
# impacket: hex of the 15 octets, suffix, NAME_FLAGS
imp, imp_mac = set(), None
for line in open(f"{w}/st.imp"):
    f = line.split()
    if f[0] == "MAC":
        imp_mac = f[1].replace("-", ":").lower()
        continue
    fl = int(f[2])
    state = tuple(sorted(wd.upper() for wd, bit in zip(words, (0x400, 0x800, 0x1000, 0x200)) if fl & bit))
    imp.add((fmt(bytes.fromhex(f[0])[:15], int(f[1])), bool(fl & 0x8000), "BPMH"[(fl >> 13) & 3], state))
print("nmblookup:", sorted(nl), nl_mac)
print("ours text:", sorted(txt), txt_mac)
print("ours json:", sorted(js), js_mac)
print("impacket: ", sorted(imp), imp_mac)
assert len(nl) >= 5, "nmblookup listed too few names"
assert txt == nl and js == nl and imp == nl, "the name tables differ"
assert txt_mac == nl_mac == js_mac == imp_mac, "the MAC addresses differ"
print(f"{len(nl)} names agree")
PY
}
agreed=0
for try in 1 2 3; do
    if status_agree; then
        agreed=1
        break
    fi
    it_log "node status, try $try: $(tail -n 1 "$W/st.cmp")"
    sleep 1
done
if ((agreed)); then
    it_pass "lookup -A $NMBD_IP lists the names of nmblookup -A and impacket" \
        "$(tail -n 1 "$W/st.cmp"): $(awk '{print $1 "/" $2}' "$W/st.out" | tail -n +2 | head -n -1 | tr '\n' ' ')"
else
    it_fail "lookup -A agrees with nmblookup -A and impacket" \
        "$(cat "$W/st.cmp"); ours: $(cat "$W/st.out" "$W/st.err"); nmblookup: $(cat "$W/st.nl"); impacket: $(cat "$W/st.imp")"
fi

# ------------------------------------------------ 2. nmbd as WINS server
it_stop_pid "$IT_NMBD_PID"
if ! IT_NMBD_EXTRA="    wins support = yes" it_nmbd_start "$NS_N" "$IF_N"; then
    it_fail "nmbd starts as a WINS server" "see above"
    it_finish
fi
if ! wait_found 30 --wins "$NMBD_IP" --timeout 500 LABPEER; then
    it_fail "nmbd answers WINS queries" "$(cat "$W/ready.err")"
    it_finish
fi
if it_run "$NS_P" 15 "$IT_PY" "$IT_PYDIR/interop_udp.py" winsregister WINSONLY --ip "$PEER_IP" \
    --to "$NMBD_IP" >"$W/reg.out" 2>&1; then
    it_pass "WINSONLY<00> = $PEER_IP registered with nmbd's WINS" "$(cat "$W/reg.out")"
else
    it_fail "register WINSONLY<00> with nmbd's WINS" "$(cat "$W/reg.out")"
fi

lk wins --wins "$NMBD_IP" --timeout 3000 winsonly
nmbl wins -U "$NMBD_IP" --recursion WINSONLY
if ((LK_RC == 0)) && ((LK_MS < 1000)) &&
    [[ $(cat "$W/wins.out") == "$PEER_IP WINSONLY<00> (answered by $NMBD_IP)" ]] &&
    [[ $(lk_addrs wins) == "$(nl_addrs wins)" ]]; then
    it_pass "lookup --wins $NMBD_IP WINSONLY finds the registered name" \
        "$LK_MS ms: $(cat "$W/wins.out"); nmblookup -U --recursion: $(nl_addrs wins)"
else
    it_fail "lookup --wins finds the registered name" \
        "exit $LK_RC after $LK_MS ms: $(cat "$W/wins.out" "$W/wins.err"); nmblookup: $(cat "$W/wins.nl")"
fi
lk winsj --json --wins "$NMBD_IP" WINSONLY
if ((LK_RC == 0)) && "$IT_PY" - "$W/winsj.out" "$NMBD_IP" "$PEER_IP" <<'PY'; then
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
o = rows[0]
assert o["from"] == sys.argv[2] and o["positive"] and o["rcode"] == 0 and o["ttl"] > 0, o
assert [(a["ip"], a["group"]) for a in o["addresses"]] == [(sys.argv[3], False)], o
assert o["flags"] & 0x0400, "not authoritative"  # AA: WINS speaks for the name
PY
    it_pass "lookup --wins --json" "$(cat "$W/winsj.out")"
else
    it_fail "lookup --wins --json" "exit $LK_RC: $(cat "$W/winsj.out" "$W/winsj.err")"
fi

lk winsbc --timeout 1000 WINSONLY
if ((LK_RC == 1)) && [[ ! -s $W/winsbc.out ]]; then
    it_pass "a broadcast lookup of WINSONLY gets no answer (only WINS knows it)" "$(cat "$W/winsbc.err")"
else
    it_fail "a broadcast lookup of WINSONLY" "exit $LK_RC: $(cat "$W/winsbc.out" "$W/winsbc.err")"
fi

lk winsneg --wins "$NMBD_IP" --timeout 3000 NOSUCHNAME
if ((LK_RC == 1)) && ((LK_MS < 1000)) &&
    [[ $(cat "$W/winsneg.err") == "mailslot lookup: NOSUCHNAME<00>: negative answer from $NMBD_IP (rcode 3 NAM_ERR)" ]]; then
    it_pass "a name WINS does not know: negative answer, exit 1 at once" "$LK_MS ms: $(cat "$W/winsneg.err")"
else
    it_fail "a name WINS does not know" "exit $LK_RC after $LK_MS ms: $(cat "$W/winsneg.out" "$W/winsneg.err")"
fi

it_finish
