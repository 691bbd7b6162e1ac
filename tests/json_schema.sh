#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/decode-json.md documents every key decode/check/hosts/listen --json
# emit, and only those; every tshark field it names exists.
exec /usr/bin/python3 "$(dirname "$0")/py/json_schema.py" "$@"
