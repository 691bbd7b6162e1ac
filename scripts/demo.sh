#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job on built-in defaults: install what is missing, build, and
# decode the captures this project recorded from Samba's nmbd (captures/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
for f in captures/*.pcap captures/*.pcapng; do
    [ -e "$f" ] || continue
    echo "== $f"
    build/tools/mailslot decode "$f"
done
echo "== the command is build/tools/mailslot (not installed): run it by that path,"
echo "   'sudo cmake --install build' (into /usr/local/bin), or"
echo "   'export PATH=\$PWD/build/tools:\$PATH' for the README's bare 'mailslot'"
