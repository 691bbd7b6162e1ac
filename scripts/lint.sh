#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis of every C file (src/, daemon/, tools/, fuzz/, examples/,
# tests/, bench/): cppcheck with warnings, portability and performance
# checks; then shellcheck -S warning over every shell script (scripts/,
# tests/, bench/, captures/, .ci/). Any finding fails (exit 1); a false
# positive is suppressed inline, on its line, with the reason. Skips (exit
# 77, or fails under MAILSLOT_REQUIRE_ALL) when a tool is not installed.
# Usage: scripts/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/lib.sh
. tests/lib.sh
need cppcheck
need shellcheck
c_dirs=(src daemon tools fuzz examples tests bench)
incs=()
for d in include/*/ src/*/ daemon/ tools/ tools/*/ tests/support/; do incs+=(-I "$d"); done
out=$(cppcheck --std=c11 --enable=warning,portability,performance \
    --error-exitcode=1 --inline-suppr --quiet -D__linux__ -D__GNUC__ \
    -j 2 "${incs[@]}" \
    --template='{file}:{line}: {severity}: {message} [{id}]' "${c_dirs[@]}" 2>&1) && rc=0 || rc=$?
if [[ $rc -ne 0 || -n $out ]]; then
    printf '%s\n' "$out"
    echo "lint: cppcheck found problems (exit $rc)"
    exit 1
fi
echo "lint: cppcheck clean on ${c_dirs[*]} ($(find "${c_dirs[@]}" -name '*.c' | wc -l) files)"

# Every shell script: *.sh there, and the extensionless ones that start
# with a shell's #! line (.ci/run).
mapfile -t scripts < <(find scripts tests bench captures .ci -type f \
    \( -name '*.sh' -o -exec sh -c 'head -c 64 "$1" | grep -qE "^#!.*(ba)?sh"' _ {} \; \) -print | sort -u)
if ! shellcheck -S warning "${scripts[@]}"; then
    echo "lint: shellcheck found problems"
    exit 1
fi
echo "lint: shellcheck -S warning clean on ${#scripts[@]} scripts"
# No function over 100 lines in src/, tools/ and daemon/ but the flat tables and
# switches docs/ARCHITECTURE.md names.
python3 scripts/func_lengths.py
