#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# Output files (-w of encode, send and decode) are written safely: a full
# disk is exit 4 with one line naming the file and the error, and leaves
# neither the file nor a temporary; links planted where a temporary could
# go are never followed; a device or FIFO given as the file is written,
# never replaced or removed (also when a signal stops the run); a failed
# run leaves the file that was there before untouched.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
umask 022

"$cli" decode --json -q "$own" >"$tmp/one.json" || bad "decode --json of $own"
for _ in $(seq 200); do cat "$tmp/one.json"; done >"$tmp/big.json"  # 3000 frames
/usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    o.pop("payload", None)
    print(json.dumps(o))' <"$tmp/big.json" >"$tmp/big-fields.json"
head -n 15 "$tmp/big-fields.json" >"$tmp/one-fields.json"
"$cli" encode -w "$tmp/big.pcap" "$tmp/big.json" || bad "encode of 3000 frames"

# The three writers, output to $1, the rest of the arguments after.
run_encode() { "$cli" encode -w "$1" "${2:-$tmp/big.json}"; }
run_send() { "$cli" send --json -q --to 192.0.2.255 --file "${2:-$tmp/big-fields.json}" -w "$1"; }
run_decode() { "$cli" decode -q "${2:-$tmp/big.pcap}" -w "$1" >/dev/null; }
writers=(encode send decode)
# A small input for each: 15 frames.
declare -A small=([encode]=$tmp/one.json [send]=$tmp/one-fields.json [decode]=$own)
export cli tmp
export -f run_encode run_send run_decode

# Nothing in $1 but the names given after it.
only_these() {
    local dir=$1 got want
    shift
    got=$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    [[ $got == "$want" ]] || { echo "in $dir: '$got', want '$want'"; return 1; }
}

# ---- a full disk: a 64 KiB tmpfs in a mount namespace of our own ----
if ! is_root; then
    skipped+=("the full-disk part needs root")
elif ! command -v unshare >/dev/null; then
    skipped+=("the full-disk part needs unshare")
else
    for w in "${writers[@]}"; do
        mkdir -p "$tmp/full-$w"
        # shellcheck disable=SC2016  # expanded by the inner shell
        unshare -m -- bash -c 'mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
            run_"$2" "$1/out.pcap" 2>"$tmp/full-$2.err"
            echo $? >"$tmp/full-$2.rc"; ls -A "$1" >"$tmp/full-$2.ls"' \
            _ "$tmp/full-$w" "$w" 2>/dev/null
        rc=$(cat "$tmp/full-$w.rc" 2>/dev/null || echo none)
        [[ $rc == 4 ]] && ok || bad "$w -w on a full disk: exit $rc (want 4): $(cat "$tmp/full-$w.err" 2>/dev/null)"
        [[ $(wc -l <"$tmp/full-$w.err") == 1 ]] &&
            grep -q "$tmp/full-$w/out.pcap: No space left on device" "$tmp/full-$w.err" && ok ||
            bad "$w -w on a full disk: not one line naming the file and ENOSPC: $(cat "$tmp/full-$w.err")"
        [[ -f $tmp/full-$w.ls && ! -s $tmp/full-$w.ls ]] && ok ||
            bad "$w -w on a full disk left: $(cat "$tmp/full-$w.ls" 2>/dev/null)"
    done
fi

# ---- links planted at the temporary's possible names ----
for w in "${writers[@]}"; do
    d=$tmp/link-$w
    mkdir "$d"
    echo "victim" >"$d/victim"
    ln -s victim "$d/out.pcap.partial"
    ln -s victim "$d/.out.pcap.XXXXXX"
    ln -s victim "$d/.out.pcap.partial"
    run_"$w" "$d/out.pcap" "${small[$w]}" 2>"$d.err" || bad "$w -w beside planted links: $(cat "$d.err")"
    echo victim | cmp -s - "$d/victim" && ok || bad "$w -w wrote through a planted link"
    [[ -L $d/out.pcap.partial && -L $d/.out.pcap.XXXXXX ]] && ok || bad "$w -w replaced a planted link"
    "$cli" decode -q "$d/out.pcap" >/dev/null 2>&1 && ok || bad "$w -w: no readable output beside planted links"
    [[ $(stat -c %a "$d/out.pcap") == 644 ]] && ok || bad "$w -w: mode $(stat -c %a "$d/out.pcap"), want 644 (umask 022)"
    only_these "$d" victim out.pcap out.pcap.partial .out.pcap.XXXXXX .out.pcap.partial && ok ||
        bad "$w -w left a temporary"
done

# ---- special files: never replaced, never removed ----
dev=$tmp/dev
mkdir "$dev"
if is_root && mknod "$dev/null" c 1 3 2>/dev/null; then
    for w in "${writers[@]}"; do
        run_"$w" "$dev/null" "${small[$w]}" 2>"$tmp/null.err" || bad "$w -w into a null device: $(cat "$tmp/null.err")"
        [[ -c $dev/null ]] && ok || bad "$w -w replaced the null device by $(stat -c %F "$dev/null" 2>&1)"
        [[ -c $dev/null ]] || { rm -f "$dev/null"; mknod "$dev/null" c 1 3; }  # for the next
    done
else
    skipped+=("the device part needs root (mknod)")
fi
# A FIFO as the file: read on the other side, then a decode stopped by
# SIGINT while it writes into it.
mkfifo "$dev/fifo" "$dev/in"
for w in encode send; do
    timeout 10 cat "$dev/fifo" >"$tmp/fifo-$w.pcap" &  # bounded: a writer may never come
    run_"$w" "$dev/fifo" "${small[$w]}" 2>"$tmp/fifo.err" || bad "$w -w into a FIFO: $(cat "$tmp/fifo.err")"
    wait $!
    [[ -p $dev/fifo ]] && ok || bad "$w -w replaced the FIFO"
    "$cli" decode -q "$tmp/fifo-$w.pcap" >/dev/null 2>&1 && ok || bad "$w -w into a FIFO: unreadable"
done
timeout 10 cat "$dev/fifo" >/dev/null &
reader=$!
pids+=("$reader")
{ cat "$own"; sleep 5; } >"$dev/in" &
feeder=$!
pids+=("$feeder")
start_bg "$cli" decode -q "$dev/in" -w "$dev/fifo" >/dev/null 2>"$tmp/int.err"
sleep 0.5
reap INT
[[ $rc == 130 ]] && ok || bad "decode -w FIFO stopped by SIGINT: exit $rc (want 130): $(cat "$tmp/int.err")"
[[ -p $dev/fifo ]] && ok || bad "an interrupted decode -w removed the FIFO it wrote into"
kill "$feeder" "$reader" 2>/dev/null
wait "$feeder" "$reader" 2>/dev/null

# ---- a failed run leaves the old file as it was ----
d=$tmp/keep
mkdir "$d"
{ head -n 5 "$tmp/one.json"; echo '{"not": "a frame"'; cat "$tmp/one.json"; } >"$d/bad.json"
{ head -n 5 "$tmp/one-fields.json"; echo '{"not": "a frame"'; } >"$d/bad-fields.json"
head -c 3000 "$own" >"$d/cut.pcap"
for w in "${writers[@]}"; do
    echo "previous" >"$d/out.pcap"
    case $w in
    encode) run_encode "$d/out.pcap" "$d/bad.json" 2>"$d.err" ;;
    send) run_send "$d/out.pcap" "$d/bad-fields.json" 2>"$d.err" ;;
    decode) run_decode "$d/out.pcap" "$d/cut.pcap" 2>"$d.err" ;;
    esac
    rc=$?
    [[ $rc == 3 ]] && ok || bad "$w -w with bad input mid-stream: exit $rc (want 3): $(cat "$d.err")"
    echo previous | cmp -s - "$d/out.pcap" && ok || bad "$w -w: a failed run changed or removed the file that was there"
    only_these "$d" out.pcap bad.json bad-fields.json cut.pcap && ok || bad "$w -w: a failed run left a temporary"
done

finish
