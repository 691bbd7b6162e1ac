#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Our decode against tshark on every UDP/138 frame of every capture.
exec /usr/bin/python3 "$(dirname "$0")/py/tshark_agree.py"
