#!/usr/bin/env bash
# Switches /opt/cellgate/current back to the release installed before it (/opt/cellgate/previous)
# and restarts the agent on it; run it again to go forward. The configuration and the agent's
# data are shared by both releases and are not touched (docs/raspberry-pi.md "Upgrade and rollback").
set -euo pipefail
PREFIX=/opt/cellgate
die() { echo "cellgate rollback: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
current="$(readlink "$PREFIX/current" 2>/dev/null)" || die "nothing installed in $PREFIX"
previous="$(readlink "$PREFIX/previous" 2>/dev/null)" || die "no previous release to roll back to"
[ -f "$PREFIX/$previous/bin/cellgate.js" ] || die "$PREFIX/$previous is gone"
ln -sfn "$previous" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
ln -sfn "$current" "$PREFIX/previous.new" && mv -T "$PREFIX/previous.new" "$PREFIX/previous"
# The unit and the udev rules of the release now in use.
install -m 0644 "$PREFIX/current/scripts/ops/cellgate-agent.service" /etc/systemd/system/cellgate-agent.service
install -m 0644 "$PREFIX/current/scripts/ops/78-cellgate-modem.rules" /etc/udev/rules.d/78-cellgate-modem.rules
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if systemctl is-active --quiet cellgate-agent; then systemctl restart cellgate-agent; fi
fi
echo "cellgate rollback: now on ${previous#releases/} (was ${current#releases/})"
