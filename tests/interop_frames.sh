#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The frames `mailslot send` builds, written with `send -w FILE` (no network,
# no root): for every addressing mode and the size edges,
#   - the NBDS message type and destination name of PROTOCOL.md §5.3;
#   - scapy (Debian python3-scapy) parses every frame, fields equal to
#     `mailslot decode --json` (layers scapy 2.5 does not decode are named
#     in its output and compared as raw octets only);
#   - `mailslot check` finds nothing a receiver must reject;
#   - a fresh DGM_ID per datagram (--repeat), --from's default;
#   - the size rules: 424 for group/broadcast, 425 refused unless forced,
#     the direct-write maximum 512 - DataOffset (also with a 17-character
#     slot-name tail), one more refused.
# Skips (exit 77, or fails under MAILSLOT_REQUIRE_ALL) without scapy or
# while `mailslot send` does not exist.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

it_require_scapy
it_require_cli send
it_init interop_frames
W=$IT_WORK
J=("$IT_PY" "$IT_PYDIR/interop_json.py")
WG=MSLAB
DST=192.0.2.30
BC=192.0.2.255
FORCE=$(it_first_opt send --force-size --force --oversize --allow-oversize --no-size-check) || FORCE=""

# pattern N: N octets of printable text (no NUL) in a file; path printed.
pattern() {
    local f=$W/data.$1
    [[ -f $f ]] || { yes 'mailslot-interop-0123456789' | tr -d '\n' | head -c "$1" >"$f"; }
    printf '%s\n' "$f"
}

# wframe NAME ARGS...: send -w $W/NAME.pcap ARGS; the frame's decode in
# $W/NAME.json; status in RC.
wframe() {
    local name=$1
    shift
    RC=0
    rm -f "$W/$name.pcap"
    timeout 20 "$IT_CLI" send -w "$W/$name.pcap" --from PEERHOST "$@" >"$W/$name.out" 2>&1 || RC=$?
    : >"$W/$name.json"
    if [[ -s $W/$name.pcap ]]; then
        "$IT_CLI" decode --json -q "$W/$name.pcap" >"$W/$name.json" 2>/dev/null || true
    fi
    FRAMES+=("$name")
}
FRAMES=()

nframes() { wc -l <"$W/$1.json"; }

# expect_frame NAME SUBTEST KEY=VALUE...: exactly one frame, matching all.
expect_frame() {
    local name=$1 sub=$2
    shift 2
    if ((RC != 0)); then
        it_fail "$sub" "send exit $RC: $(head -c 300 "$W/$name.out")"
    elif [[ $(nframes "$name") -ne 1 ]]; then
        it_fail "$sub" "$(nframes "$name") frames in the file, want 1"
    elif [[ $("${J[@]}" count "$W/$name.json" "$@") -ne 1 ]]; then
        it_fail "$sub" "want $*; got: $("${J[@]}" show "$W/$name.json")"
    else
        it_pass "$sub"
    fi
}

# refused NAME SUBTEST: send must fail and leave no frame.
refused() {
    local name=$1 sub=$2
    if ((RC != 0)) && [[ ! -s $W/$name.json ]]; then
        it_pass "$sub" "exit $RC: $(head -n 1 "$W/$name.out")"
    else
        it_fail "$sub" "exit $RC, $(nframes "$name") frames written"
    fi
}

# ------------------------------------------------ addressing modes
wframe unique --to "$DST" --name 'LISTENHOST<00>' --slot '\MAILSLOT\IT\UNIQUE' --data 'unique hello'
expect_frame unique "unique to an IP with --name: DIRECT_UNIQUE to LISTENHOST<00>" \
    nbdgm.type=16 nbdgm.dst_name='LISTENHOST<00>' nbdgm.src_name='PEERHOST<00>' \
    mailslot.name='\MAILSLOT\IT\UNIQUE' mailslot.data="$(printf 'unique hello' | od -An -tx1 | tr -d ' \n')"

wframe group --to "$BC" --name "$WG<1d>" --slot '\MAILSLOT\BROWSE' --type group --hex 090401000000
expect_frame group "GetBackupListRequest --type group to the broadcast address: DIRECT_GROUP to MSLAB<1d>" \
    nbdgm.type=17 nbdgm.dst_name="$WG<1d>" mailslot.name='\MAILSLOT\BROWSE' browser.command=9 \
    browser.count=4 browser.token=1 mailslot.class=2

wframe groupdef --to "$BC" --name "$WG<00>" --slot '\MAILSLOT\IT\GROUP' --data 'group default'
expect_frame groupdef "default type for a broadcast address is group (DIRECT_GROUP)" nbdgm.type=17 \
    nbdgm.dst_name="$WG<00>"

wframe bcast --to "$BC" --name "$WG<00>" --type broadcast --slot '\MAILSLOT\IT\BCAST' --data 'broadcast'
expect_frame bcast "--type broadcast: BROADCAST (0x12)" nbdgm.type=18

wframe star --to '\\*' --workgroup "$WG" --slot '\MAILSLOT\IT\STAR' --data 'star'
expect_frame star "\\\\* : DIRECT_GROUP to <workgroup><00>" nbdgm.type=17 nbdgm.dst_name="$WG<00>"

wframe domain --to "\\\\$WG" --workgroup "$WG" --slot '\MAILSLOT\IT\DOMAIN' --data 'domain'
expect_frame domain "\\\\DOMAIN : DIRECT_GROUP to DOMAIN<00>" nbdgm.type=17 nbdgm.dst_name="$WG<00>"

wframe nested --to "$DST" --name 'LISTENHOST<00>' --slot '\MAILSLOT\IT\NESTED\DEEPER\SLOT' --data 'nested'
expect_frame nested "nested slot name kept as given" mailslot.name='\MAILSLOT\IT\NESTED\DEEPER\SLOT'

# ------------------------------------------------ DGM_ID, --from default
wframe repeat --to "$DST" --name 'LISTENHOST<00>' --slot '\MAILSLOT\IT\REPEAT' --data 'r' \
    --repeat 3 --interval 10
ids=$("${J[@]}" values "$W/repeat.json" nbdgm.id | sort -u | wc -l)
if ((RC == 0)) && [[ $(nframes repeat) -eq 3 && $ids -eq 3 ]]; then
    it_pass "--repeat 3: three datagrams, three different DGM_IDs"
else
    it_fail "--repeat 3: fresh DGM_ID each" "exit $RC, $(nframes repeat) frames, $ids distinct IDs"
fi

host=$(uname -n)
host=${host%%.*}
host=${host^^}
host=${host:0:15}
RC=0
timeout 20 "$IT_CLI" send -w "$W/from.pcap" --to "$DST" --name 'LISTENHOST<00>' \
    --slot '\MAILSLOT\IT\FROM' --data 'f' >"$W/from.out" 2>&1 || RC=$?
"$IT_CLI" decode --json -q "$W/from.pcap" >"$W/from.json" 2>/dev/null || true
FRAMES+=(from)
expect_frame from "--from defaults to the host name, upper-cased, cut at the dot, <= 15 octets ($host)" \
    nbdgm.src_name="$host<00>"

# ------------------------------------------------ sizes
: >"$W/empty"
wframe size0 --to "$DST" --name 'LISTENHOST<00>' --slot '\MAILSLOT\IT\SIZE0' --file "$W/empty"
expect_frame size0 "size 0: an empty message is sent" mailslot.size=0
wframe size1 --to "$DST" --name 'LISTENHOST<00>' --slot '\MAILSLOT\IT\SIZE1' --hex 41
expect_frame size1 "size 1" mailslot.size=1 mailslot.data=41
wframe g424 --to "$BC" --name "$WG<00>" --slot '\MAILSLOT\IT\G424' --file "$(pattern 424)"
expect_frame g424 "group write of 424 octets is sent" mailslot.size=424 nbdgm.type=17
wframe g425 --to "$BC" --name "$WG<00>" --slot '\MAILSLOT\IT\G425' --file "$(pattern 425)"
refused g425 "group write of 425 octets is refused"
unset 'FRAMES[-1]'
if [[ -n $FORCE ]]; then
    wframe g425f --to "$BC" --name "$WG<00>" --slot '\MAILSLOT\IT\G425' --file "$(pattern 425)" "$FORCE"
    expect_frame g425f "group write of 425 octets with $FORCE is sent" mailslot.size=425
    unset 'FRAMES[-1]'   # breaks D-13 on purpose: not for the check below
else
    it_skip "group write of 425 octets when forced" "'mailslot send --help' names no override (--force, --oversize, ...)"
fi

# Direct write maximum: 512 octets of SMB message (MS-MAIL <2>), i.e.
# 512 - DataOffset octets of data; DataOffset depends on the slot name.
direct_max() {   # LABEL SLOT
    local label=$1 slot=$2 off max
    wframe "dm-$label" --to "$DST" --name 'LISTENHOST<00>' --slot "$slot" --hex 41
    off=$("${J[@]}" values "$W/dm-$label.json" trans.data_offset | head -n 1)
    if [[ ! $off =~ ^[0-9]+$ ]]; then
        it_fail "direct-write maximum ($label)" "no DataOffset (send exit $RC: $(head -c 200 "$W/dm-$label.out"))"
        return
    fi
    max=$((512 - off))
    wframe "dmax-$label" --to "$DST" --name 'LISTENHOST<00>' --slot "$slot" --file "$(pattern "$max")"
    expect_frame "dmax-$label" "direct write of the maximum $max octets (512 - DataOffset $off, $label) is sent" \
        mailslot.size="$max" nbdgm.type=16
    wframe "dmax1-$label" --to "$DST" --name 'LISTENHOST<00>' --slot "$slot" --file "$(pattern $((max + 1)))"
    refused "dmax1-$label" "direct write of $((max + 1)) octets ($label) is refused"
    unset 'FRAMES[-1]'
}
direct_max "slot \\MAILSLOT\\IT\\DMAX" '\MAILSLOT\IT\DMAX'
direct_max "17-character tail" '\MAILSLOT\ABCDEFGHIJKLMNOPQ'

# ------------------------------------------------ check and scapy on all
bad=0
for f in "${FRAMES[@]}"; do
    [[ -s $W/$f.pcap ]] || continue
    if ! "$IT_CLI" check -q "$W/$f.pcap" >"$W/$f.check" 2>&1; then
        bad=$((bad + 1))
        echo "  check $f: $(grep -m2 'must' "$W/$f.check")"
    fi
done
if ((bad == 0)); then
    it_pass "mailslot check: no 'must' finding in any frame we wrote (${#FRAMES[@]} files)"
else
    it_fail "mailslot check on our frames" "$bad files with 'must' findings"
fi

files=()
for f in "${FRAMES[@]}"; do
    [[ -s $W/$f.pcap ]] && files+=("$W/$f.pcap")
done
if ((${#files[@]} == 0)); then
    it_fail "scapy parses every frame we wrote" "no frames were written"
elif MAILSLOT_CLI=$IT_CLI "$IT_PY" "$IT_PYDIR/interop_scapy.py" "${files[@]}" >"$W/scapy.out" 2>&1; then
    it_pass "scapy parses every frame we wrote, fields equal to decode --json" \
        "$(grep -m1 'frames parsed' "$W/scapy.out"); $(grep -m1 '^not compared' "$W/scapy.out")"
else
    it_fail "scapy parses every frame we wrote, fields equal" "$(head -n 8 "$W/scapy.out")"
fi

it_finish
