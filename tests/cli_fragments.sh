#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NBDS fragment reassembly through encode, decode and check.
exec /usr/bin/python3 "$(dirname "$0")/py/fragments.py"
