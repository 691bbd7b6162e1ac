#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# encode(decode(frame)) == frame for every UDP/138 frame in ../shared/captures
# and captures/, with and without the "payload" key.
exec /usr/bin/python3 "$(dirname "$0")/py/roundtrip.py"
