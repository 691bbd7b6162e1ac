#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# decode and check print, octet for octet, what they printed when
# tests/expected/decode-digests.json was written (SHA-256 per capture).
exec /usr/bin/python3 "$(dirname "$0")/py/decode_digest.py" "$@"
