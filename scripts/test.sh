#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every test: install what is missing, build with -Werror, run the suite.
# MAILSLOT_SANITIZE=1 builds with ASan + UBSan into build-asan instead.
# MAILSLOT_REQUIRE_ALL=1 turns every skip (no tshark, no root, no ../shared)
# into a failure; CI sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
dir=build
flags=(-DMAILSLOT_WERROR=ON)
if [ "${MAILSLOT_SANITIZE:-0}" = 1 ]; then
    dir=build-asan
    flags+=(-DMAILSLOT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j2
