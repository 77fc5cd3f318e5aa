#!/usr/bin/env bash
# Checks the shipped systemd unit the way systemd reads it: `systemd-analyze verify` (syntax,
# directives, executables) and `systemd-analyze security --offline=true` with the overall exposure
# required at 4.0 or below. Run by .ci/run; needs systemd-analyze (Debian's systemd package).
set -euo pipefail
cd "$(dirname "$0")"
unit=cellgate-agent.service
systemd-analyze verify "./$unit"
if ! report="$(systemd-analyze security --offline=true --threshold=40 "./$unit" 2>&1)"; then
  echo "$report" | grep -E '✗|Overall' >&2
  echo "check-unit: $unit is exposed above 4.0" >&2
  exit 1
fi
echo "check-unit: $unit verified; $(echo "$report" | tail -1 | sed 's/^→ //')"
