#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# Authenticated mailslots over loopback only (127.0.0.1, high ports, no
# root, bounded timeouts): send --key-file is accepted by listen --key-file;
# no key, a wrong key, an unknown key id, a replayed frame (sent -w, then
# re-sent raw by python with a new DGM_ID to pass duplicate suppression), a
# flipped bit and a stale frame are rejected and counted by --stats; bad
# key files and options give one-line errors. A build without MAILSLOT_AUTH
# must refuse --key-file with exit 2, and skips the rest (a failure under
# MAILSLOT_REQUIRE_ALL).
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
expect_one_line=1  # each refusal is one line on stderr
base=$((13138 + ($$ % 400) * 10))

KA=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KB=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
mkkey() { # file id hex mode
    printf '# test key\nid %s\nkey %s\n' "$2" "$3" >"$tmp/$1"
    chmod "$4" "$tmp/$1"
}
mkkey k 7 $KA 600
mkkey kwrong 7 $KB 600
mkkey kother 8 $KA 600
mkkey kopen 7 $KA 644
printf 'id 7\nkey 0011\n' >"$tmp/kmal"
chmod 600 "$tmp/kmal"

if ! grep -q '^MAILSLOT_AUTH:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    expect 2 'MAILSLOT_AUTH=OFF' -- "$cli" send --key-file "$tmp/k" --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x -w "$tmp/off.pcap"
    [ -e "$tmp/off.pcap" ] && bad "refused send left a pcap" || ok
    expect 2 'MAILSLOT_AUTH=OFF' -- "$cli" listen --key-file "$tmp/k" --port "$base" --timeout 0.2
    skipped+=("built without MAILSLOT_AUTH (no OpenSSL >= 3.0 libcrypto): only the refusals tested")
    finish
    exit
fi

send() { "$cli" send -q --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\auth' --sport $((P + 1)) --port "$P" "$@"; }

# replay PCAP PORT MODE...: re-send the UDP payload of the pcap's first frame
# to 127.0.0.1:PORT; MODE "same", "newid" (DGM_ID + 1) or "flip" (DGM_ID + 2
# and the last data octet's low bit flipped).
replay() {
    /usr/bin/python3 - "$@" <<'PY'
import socket, struct, sys
path, port = sys.argv[1], int(sys.argv[2])
raw = open(path, "rb").read()
link = struct.unpack("<I", raw[20:24])[0]
caplen = struct.unpack("<I", raw[24 + 8:24 + 12])[0]
frame = raw[40:40 + caplen]
assert link == 1, link
ip = frame[14:]
ihl = (ip[0] & 15) * 4
payload = bytearray(ip[ihl + 8:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for mode in sys.argv[3:]:
    p = bytearray(payload)
    dgm_id = struct.unpack(">H", p[2:4])[0]
    if mode == "newid":
        p[2:4] = struct.pack(">H", (dgm_id + 1) & 0xFFFF)
    elif mode == "flip":
        p[2:4] = struct.pack(">H", (dgm_id + 2) & 0xFFFF)
        p[-53] ^= 1
    s.sendto(bytes(p), ("127.0.0.1", port))
PY
}

# --- accepted, and every kind of rejection, counted ---
P=$base
send --key-file "$tmp/k" --data early -w "$tmp/early.pcap" || bad "send -w early"
send --key-file "$tmp/k" --data replayme -w "$tmp/r.pcap" || bad "send -w"
listen_bg "$tmp/l1" --port "$P" --timeout 3 --json --stats --key-file "$tmp/k"
send --key-file "$tmp/k" --data hello || bad "send with key"
send --data plain || bad "send without key"
send --key-file "$tmp/kwrong" --data wrong || bad "send wrong key"
send --key-file "$tmp/kother" --data other || bad "send unknown key id"
replay "$tmp/r.pcap" "$P" same newid flip || bad "python replay"
wait "$lpid" && ok || bad "listen exit $? ($(cat "$tmp/l1.err"))"
[ "$(wc -l <"$tmp/l1")" -eq 2 ] && ok || bad "2 accepted lines expected: $(cat "$tmp/l1")"
grep -q '"auth":{"key_id":7,"time":[0-9]*\.[0-9][0-9][0-9]}' "$tmp/l1" && ok || bad "auth object: $(head -c 400 "$tmp/l1")"
grep -q '"data_count":5,.*"data":"68656c6c6f"' "$tmp/l1" && ok || bad "trailer not stripped (hello): $(head -1 "$tmp/l1")"
grep -q '"data":"7265706c61796d65"' "$tmp/l1" && ok || bad "replayme not accepted once"
grep -q '"level":"must"' "$tmp/l1" && bad "must finding: $(cat "$tmp/l1")" || ok
st=$(grep 'authentication:' "$tmp/l1.err")
for want in '2 accepted' '2 bad tag' '1 replay' '1 no or short trailer' '1 unknown key id' '0 stale' '0 cache full'; do
    [[ $st == *"$want"* ]] && ok || bad "stats: want '$want' in: $st"
done

# --- stale: a frame written before the window, text output ---
P=$((base + 4))
listen_bg "$tmp/l2" --port "$P" --timeout 1.5 --stats --key-file "$tmp/k" --auth-window 1 --replay-cache 8
sleep 0.8 # early.pcap is now well over a second old
replay "$tmp/early.pcap" "$P" same || bad "python replay stale"
send --key-file "$tmp/k" --data fresh || bad "send fresh"
wait "$lpid" && ok || bad "listen 2 exit $? ($(cat "$tmp/l2.err"))"
grep -q '\\MAILSLOT\\auth 5 octets \[authenticated: key 7\]' "$tmp/l2" && ok || bad "text line: $(cat "$tmp/l2")"
grep -q '1 accepted; rejected: 0 bad tag, 1 stale' "$tmp/l2.err" && ok || bad "stale stats: $(cat "$tmp/l2.err")"

# --- sizes: the trailer counts against the limit ---
head -c 372 /dev/zero >"$tmp/372"
head -c 373 /dev/zero >"$tmp/373"
expect 0 '' -- "$cli" send -q --key-file "$tmp/k" --to 127.0.0.1 --type group --slot '\MAILSLOT\x' --file "$tmp/372" -w "$tmp/s1.pcap"
expect 1 '52-octet authentication trailer \(372 data octets fit' -- "$cli" send --key-file "$tmp/k" --to 127.0.0.1 --type group --slot '\MAILSLOT\x' --file "$tmp/373" -w "$tmp/s2.pcap"
[ -e "$tmp/s2.pcap" ] && bad "refused send left a pcap" || ok
expect 0 '' -- "$cli" check -q "$tmp/s1.pcap"

# --- bad key files and options: one line, non-zero, no output file ---
expect 2 'group or others \(mode 0644\)' -- "$cli" send --key-file "$tmp/kopen" --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"
[ -e "$tmp/e.pcap" ] && bad "refused send left a pcap" || ok
expect 2 'No such file' -- "$cli" send --key-file "$tmp/nokey" --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"
expect 2 'line 2: the key must be 64 to 128 hex digits' -- "$cli" send --key-file "$tmp/kmal" --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"
expect 2 'not a regular file' -- "$cli" send --key-file "$tmp" --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x -w "$tmp/e.pcap"
expect 2 'empty file name' -- "$cli" send --key-file '' --to 127.0.0.1 --name 'PEER<00>' --slot '\MAILSLOT\x' --data x
expect 2 'group or others' -- "$cli" listen --key-file "$tmp/kopen" --port $((base + 8)) --timeout 0.2
expect 2 'line 2' -- "$cli" listen --key-file "$tmp/kmal" --port $((base + 8)) --timeout 0.2
expect 2 'need --key-file' -- "$cli" listen --auth-window 5 --port $((base + 8)) --timeout 0.2
expect 2 'need --key-file' -- "$cli" listen --replay-cache 5 --port $((base + 8)) --timeout 0.2
expect 2 '--auth-window: .x. is not a number' -- "$cli" listen --key-file "$tmp/k" --auth-window x --port $((base + 8)) --timeout 0.2
expect 2 '--auth-window must be at least 1' -- "$cli" listen --key-file "$tmp/k" --auth-window 0 --port $((base + 8)) --timeout 0.2
expect 2 '--replay-cache must be at least 1' -- "$cli" listen --key-file "$tmp/k" --replay-cache 0 --port $((base + 8)) --timeout 0.2
expect 2 '--replay-cache: .-3. is not a number' -- "$cli" listen --key-file "$tmp/k" --replay-cache -3 --port $((base + 8)) --timeout 0.2

finish
