#!/usr/bin/env bash
# Removes cellgate: stops and disables the agent, removes the unit, the udev rules, the command
# and /opt/cellgate. Keeps /etc/cellgate (configuration, device credentials), /var/lib/cellgate
# (the outbox: messages not yet delivered) and the user, unless --purge is given.
set -euo pipefail
die() { echo "cellgate uninstall: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
purge=no
case "${1:-}" in --purge) purge=yes ;; "") ;; *) die "usage: $0 [--purge]" ;; esac
if command -v systemctl >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then systemctl stop cellgate-agent.service 2>/dev/null || true; fi
  systemctl disable cellgate-agent.service >/dev/null 2>&1 || true
fi
rm -f /etc/systemd/system/cellgate-agent.service /etc/udev/rules.d/78-cellgate-modem.rules /usr/local/bin/cellgate
rm -rf /opt/cellgate
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
if [ -d /run/udev ] && command -v udevadm >/dev/null 2>&1; then udevadm control --reload || true; fi
if [ "$purge" = yes ]; then
  rm -rf /etc/cellgate /var/lib/cellgate
  if id cellgate >/dev/null 2>&1; then userdel cellgate; fi
  echo "cellgate uninstall: removed, with its configuration, data and user"
else
  echo "cellgate uninstall: removed; kept /etc/cellgate, /var/lib/cellgate and user cellgate (--purge removes them)"
fi
