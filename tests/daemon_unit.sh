#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# mailslotd's systemd unit (daemon/mailslotd.service.in, as the build
# configures it): `systemd-analyze verify` finds nothing wrong with it (its
# ExecStart pointed at the daemon just built, since the installed path does
# not exist here), `systemd-analyze security --offline=yes` rates its
# exposure at most 3.0 (the figure is printed; mailslotd(8) and README
# quote it), and the unit holds what the daemon relies on: one capability,
# an unprivileged user, its runtime directory, the order after nmbd, and
# the address families it uses (netlink for the interface list). Needs
# systemd-analyze only (Debian: systemd); skips (77) without it.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
need systemd-analyze "systemd-analyze is not installed (Debian: systemd)"
unit=$build/daemon/mailslotd.service
[[ -f $unit ]] || { echo "FAIL: $unit not built"; exit 1; }
[[ -x $mailslotd ]] || { echo "FAIL: no mailslotd at $mailslotd"; exit 1; }

# The unit as built, run from the build tree (an absolute path).
mailslotd=$(realpath "$mailslotd")
cp "$unit" "$tmp/mailslotd.service"
sed -i "s|^ExecStart=[^ ]*|ExecStart=$mailslotd|" "$tmp/mailslotd.service"
grep -qx "ExecStart=$mailslotd -F" "$tmp/mailslotd.service" && ok || bad "ExecStart is not 'mailslotd -F'"

# verify: no complaint at all (man pages are checked by man_pages.sh).
if systemd-analyze verify --man=no "$tmp/mailslotd.service" >"$tmp/verify.out" 2>&1 &&
    ! grep -q . "$tmp/verify.out"; then
    ok
else
    bad "systemd-analyze verify: $(head -5 "$tmp/verify.out")"
fi

# security: the overall exposure, at most 3.0.
systemd-analyze security --offline=yes "$tmp/mailslotd.service" >"$tmp/sec.out" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for mailslotd.service: \([0-9.]*\).*/\1/p' "$tmp/sec.out")
if [[ -n $exposure ]] && awk -v e="$exposure" 'BEGIN { exit !(e <= 3.0) }'; then
    ok
    echo "systemd-analyze security: exposure $exposure"
else
    bad "exposure '${exposure:-none}' (at most 3.0): $(tail -3 "$tmp/sec.out")"
fi

# What the daemon relies on, line by line.
for line in 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'DynamicUser=yes' 'RuntimeDirectory=mailslotd' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'SystemCallFilter=@system-service' \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_NETLINK' 'ExecReload=/bin/kill -HUP $MAINPID'; do
    grep -qxF -- "$line" "$tmp/mailslotd.service" && ok || bad "the unit lacks '$line'"
done
grep -qE '^After=.*\bnmbd\.service\b' "$tmp/mailslotd.service" && ok || bad "not ordered after nmbd.service"
# A capability more than the one it needs would show here.
n=$(grep -c '^✗ CapabilityBoundingSet' "$tmp/sec.out")
[[ $n -le 1 ]] && ok || bad "systemd-analyze sees $n capability findings: $(grep '^✗ CapabilityBoundingSet' "$tmp/sec.out")"
finish
