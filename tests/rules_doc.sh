#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/RULES.md documents exactly the catalogue the library checks, and
# `check --list-rules` lists every rule once.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
want=$("$cli" check --list-rules --markdown) || { echo "FAIL: --list-rules --markdown"; exit 1; }
have=$(sed -n '/<!-- BEGIN RULES (generated) -->/,/<!-- END RULES -->/p' "$src/docs/RULES.md" | sed '1d;$d')
if [ "$want" = "$have" ]; then
    ok
else
    bad "docs/RULES.md is out of date; run scripts/gen-rules-doc.sh"
    diff <(echo "$want") <(echo "$have") | head -20
fi
n=$("$cli" check --list-rules | wc -l)
u=$("$cli" check --list-rules | awk '{print $1}' | sort -u | wc -l)
if [ "$n" -eq "$u" ] && [ "$n" -gt 80 ]; then ok; else bad "$n rules, $u distinct"; fi
echo "$n rules"
finish
