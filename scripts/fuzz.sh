#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer harnesses with clang and run each for SECONDS (default
# 60). Seeds: the committed corpora plus, at fuzz time only, every UDP/138
# payload of ../shared/captures extracted into the build tree (never
# committed). New inputs land in build-fuzz/corpus/NAME; copy a finding into
# fuzz/corpus/NAME to keep it as a regression input.
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
CC=clang cmake -S . -B build-fuzz -DMAILSLOT_FUZZ=ON -DMAILSLOT_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" --target mailslot_cli >/dev/null
extra=build-fuzz/shared-seeds
rm -rf "$extra" && mkdir -p "$extra"/{message,browser,netlogon,name,json_read,json_frame}
if [ -d ../shared/captures ]; then
    for f in ../shared/captures/*; do
        build/tools/mailslot decode --json -q "$f" 2>/dev/null || true
    done | /usr/bin/python3 -c '
import hashlib, json, sys
d = sys.argv[1]
def put(kind, b):
    open(f"{d}/{kind}/{hashlib.sha1(b).hexdigest()[:16]}", "wb").write(b)
for line in sys.stdin:
    o = json.loads(line)
    p = bytes.fromhex(o["payload"])
    put("message", p); put("name", p[14:48]); put("json_read", line.encode())
    o.pop("payload"); put("json_frame", json.dumps(o).encode())
    data = bytes.fromhex(o.get("mailslot", {}).get("data", ""))
    if "browser" in o: put("browser", data)
    if "netlogon" in o: put("netlogon", data)
' "$extra"
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(message name browser netlogon json_read json_frame validate frame nbds_reasm nbns)
for n in "${names[@]}"; do
    mkdir -p "build-fuzz/corpus/$n" "$extra/$n"
    echo "== fuzz_$n for ${secs}s"
    "build-fuzz/fuzz/fuzz_$n" -max_total_time="$secs" -print_final_stats=1 \
        "build-fuzz/corpus/$n" "fuzz/corpus/$n" "$extra/$n" 2>&1 |
        grep -E '^(stat::|INFO: Seed|#[0-9]+[[:space:]]+DONE|==[0-9]+==|SUMMARY|artifact)' || true
done
