#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rewrite the generated table of docs/RULES.md from the catalogue in the
# library (mailslot check --list-rules --markdown). tests/rules_doc.sh fails
# when the two disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${MAILSLOT_CLI:-build/tools/mailslot}
doc=docs/RULES.md
table=$("$cli" check --list-rules --markdown)
/usr/bin/python3 - "$doc" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
a, b = "<!-- BEGIN RULES (generated) -->", "<!-- END RULES -->"
i, j = text.index(a) + len(a), text.index(b)
open(path, "w").write(text[:i] + "\n" + table + "\n" + text[j:])
PY
