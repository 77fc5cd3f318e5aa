#!/usr/bin/env bash
# `npm run release`: builds dist/ and packs what a gateway needs into release/cellgate-<version>.tgz
# — the compiled CLI (bin/, dist/), package.json and package-lock.json (so `npm ci --omit=dev`
# installs exactly the tested dependency tree), every path of package.json's "files", the
# example configuration, the ops files (systemd unit, udev rules, install / upgrade / rollback /
# uninstall scripts) and the docs. Install it with scripts/ops/install.sh (docs/raspberry-pi.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

npm run build >/dev/null
version="$(node -p "require('./package.json').version")"
name="cellgate-${version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage"

# package.json's "files" (bin, dist, platform/fees, scripts/ops, … whatever it lists), kept in
# sync with what `npm pack` would ship.
mapfile -t files < <(node -p "require('./package.json').files.join('\n')")
for path in "${files[@]}" package.json package-lock.json agent.example.yaml README.md docs; do
  [ -e "$path" ] || { echo "make-release: $path is missing" >&2; exit 1; }
  mkdir -p "$stage/$(dirname "$path")"
  cp -a "$path" "$stage/$path"
done
# Benchmarks are for the development machine.
rm -rf "$stage/dist/scripts/bench"

mkdir -p release
out="release/${name}.tgz"
# Reproducible: sorted names, no owner, one time stamp (the last commit's when in a checkout).
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${epoch}" -czf "$out" "$name"
echo "$out ($(du -h "$out" | cut -f1))"
