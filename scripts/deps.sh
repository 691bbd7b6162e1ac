#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what building and testing need on Debian 12, only when missing.
# Usage: scripts/deps.sh build|test
# samba is installed with service starts forbidden (a policy-rc.d that exits
# 101), so no nmbd or smbd is left running on the host.
set -euo pipefail
want=${1:-build}
pkgs=(build-essential cmake pkg-config libpcap-dev libssl-dev check)
if [ "$want" = test ]; then
    # openssl: test_auth's HMAC cross-check; wireshark-common: editcap
    # (test_capture); man-db: man --warnings; iproute2: ip netns and ss;
    # cppcheck and shellcheck: scripts/lint.sh.
    pkgs+=(tshark wireshark-common python3 python3-scapy python3-impacket samba samba-common-bin iproute2
           ethtool clang valgrind cppcheck shellcheck openssl groff-base man-db jq systemd)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    made_policy=1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ "$made_policy" -eq 0 ] || $sudo rm -f "$policy"
