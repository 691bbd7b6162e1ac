#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# docs/RULES.md documents exactly the catalogue the library checks, and
# `check --list-rules` lists every rule once.
set -u
cli=${MAILSLOT_CLI:-build/tools/mailslot}
src=${MAILSLOT_SRC:-.}
want=$("$cli" check --list-rules --markdown) || { echo "FAIL: --list-rules --markdown"; exit 1; }
have=$(sed -n '/<!-- BEGIN RULES (generated) -->/,/<!-- END RULES -->/p' "$src/docs/RULES.md" | sed '1d;$d')
if [ "$want" != "$have" ]; then
    echo "FAIL: docs/RULES.md is out of date; run scripts/gen-rules-doc.sh"
    diff <(echo "$want") <(echo "$have") | head -20
    exit 1
fi
n=$("$cli" check --list-rules | wc -l)
u=$("$cli" check --list-rules | awk '{print $1}' | sort -u | wc -l)
[ "$n" -eq "$u" ] && [ "$n" -gt 80 ] || { echo "FAIL: $n rules, $u distinct"; exit 1; }
echo "1 passed, 0 failed ($n rules)"
