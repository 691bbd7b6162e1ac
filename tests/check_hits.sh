#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mailslot check on every capture: hits per rule as committed.
exec /usr/bin/python3 "$(dirname "$0")/py/check_hits.py" "$@"
