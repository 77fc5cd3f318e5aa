#!/usr/bin/env bash
# Installs (or upgrades to) the cellgate release this script ships in, on Debian 13 / Raspberry Pi
# OS (arm64, armhf, amd64) with Debian's or NodeSource's Node.js. Run as root from the unpacked
# release:  tar -xzf cellgate-X.Y.Z.tgz && sudo ./cellgate-X.Y.Z/scripts/ops/install.sh
#
#   /opt/cellgate/releases/X.Y.Z   this release, with its production dependencies (npm ci)
#   /opt/cellgate/current          symlink to the release in use; /opt/cellgate/previous to the one before
#   /usr/local/bin/cellgate        runs /opt/cellgate/current
#   /etc/cellgate                  agent.yaml (created from the example once, never overwritten), device.json
#   /var/lib/cellgate              the agent's outbox and settings (owned by cellgate, 0700)
#   user cellgate                  system user, in group dialout (the serial devices' group)
#   /etc/systemd/system/cellgate-agent.service, /etc/udev/rules.d/78-cellgate-modem.rules
#
# Upgrade: run the new release's install.sh; the running agent is restarted on the new release
# only once it is fully installed. Roll back with /opt/cellgate/current/scripts/ops/rollback.sh.
# Options: --no-start (install and enable, but do not start or restart the agent now);
# env CELLGATE_NO_APT=1 (never call apt-get: fail with the list of what is missing instead).
set -euo pipefail

PREFIX=/opt/cellgate
ETC=/etc/cellgate
STATE=/var/lib/cellgate
UNIT=/etc/systemd/system/cellgate-agent.service
RULES=/etc/udev/rules.d/78-cellgate-modem.rules
KEEP_RELEASES=3

say() { echo "cellgate install: $*"; }
die() { echo "cellgate install: $*" >&2; exit 1; }

start=yes
for arg in "$@"; do
  case "$arg" in
    --no-start) start=no ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $arg (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
src="$(cd "$(dirname "$0")/../.." && pwd)"
[ -f "$src/package-lock.json" ] && [ -f "$src/dist/cli/main.js" ] || die "$src is not an unpacked cellgate release (build one with npm run release)"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$src/package.json")"
[ -n "$version" ] || die "cannot read the version from $src/package.json"

# --- Node.js 20.12+, 22 or 24, npm, and what native modules build with --------------------------
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  [ "${CELLGATE_NO_APT:-}" != 1 ] || die "missing: ${missing[*]} (apt-get install ${missing[*]}; or NodeSource's nodejs)"
  say "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends ca-certificates "${missing[@]}" >/dev/null
fi
# Native modules compile against the installed Node's headers: NodeSource's nodejs ships them,
# Debian's are in libnode-dev (else node-gyp would download them from nodejs.org).
if [ ! -f /usr/include/node/node.h ] && dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -vq nodesource; then
  [ "${CELLGATE_NO_APT:-}" != 1 ] || die "missing: libnode-dev (the Node.js headers native modules build against)"
  say "installing libnode-dev (Debian package: Node.js headers)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends libnode-dev >/dev/null
fi
node_version="$(node -p 'process.versions.node')"
case "$node_version" in
  20.*) [ "$(echo "$node_version" | cut -d. -f2)" -ge 12 ] || die "Node.js $node_version is too old: 20.12 or later, 22 or 24 (NodeSource: docs/raspberry-pi.md)" ;;
  22.*|24.*) ;;
  *) die "Node.js $node_version is not supported: 20.12 or later, 22 or 24" ;;
esac

# --- user, directories --------------------------------------------------------------------------
getent group dialout >/dev/null || groupadd --system dialout
if ! id cellgate >/dev/null 2>&1; then
  say "creating system user cellgate"
  useradd --system --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin --user-group cellgate
fi
usermod -aG dialout cellgate
install -d -m 0755 -o root -g root "$PREFIX" "$PREFIX/releases"
install -d -m 0750 -o root -g cellgate "$ETC"
install -d -m 0700 -o cellgate -g cellgate "$STATE"

# --- this release, with its production dependencies ---------------------------------------------
dest="$PREFIX/releases/$version"
staging="$PREFIX/releases/.$version.partial"
rm -rf "$staging"
cp -a "$src/." "$staging"
rm -rf "$staging/node_modules"
abi="$(node -p 'process.platform + "-" + process.arch + "-node" + process.versions.modules')"
current_release="$PREFIX/current"
# The dependency tree of a lockfile, without the release's own name and version.
same_dependencies() {
  node -e 'const fs = require("fs");
    const tree = (f) => { const l = JSON.parse(fs.readFileSync(f, "utf8")); delete l.name; delete l.version;
      if (l.packages && l.packages[""]) { delete l.packages[""].name; delete l.packages[""].version; } return JSON.stringify(l); };
    process.exit(tree(process.argv[1]) === tree(process.argv[2]) ? 0 : 1);' "$1" "$2" 2>/dev/null
}
if [ -d "$current_release/node_modules" ] && same_dependencies "$current_release/package-lock.json" "$staging/package-lock.json" \
  && [ "$(cat "$current_release/.node-abi" 2>/dev/null)" = "$abi" ]; then
  # Same dependency tree, same Node ABI: the installed modules are exactly what npm ci would
  # build (an upgrade on a Pi Zero then takes seconds, not a quarter of an hour).
  say "reusing the production dependencies of $(readlink "$current_release") (same lockfile, $abi)"
  cp -a "$current_release/node_modules" "$staging/node_modules"
else
  say "installing the production dependencies of $version (native modules build from source; a Pi 4 takes a few minutes)"
  (
    cd "$staging"
    # Native modules (better-sqlite3, serialport's bindings) compile here, against the system's
    # Node headers when the package ships them (Debian's libnode-dev, NodeSource's nodejs).
    export npm_config_build_from_source=true
    if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
  )
fi
echo "$abi" > "$staging/.node-abi"
chown -R root:root "$staging"
chmod -R go-w "$staging"
# The release must run before it is switched to.
(cd "$staging" && node bin/cellgate.js --version >/dev/null) || die "the installed release does not run: node $staging/bin/cellgate.js --version"
rm -rf "$dest"
mv "$staging" "$dest"

# --- switch current (previous keeps the one before, for rollback) --------------------------------
old="$(readlink "$PREFIX/current" 2>/dev/null || true)"
if [ -n "$old" ] && [ "$old" != "releases/$version" ]; then
  ln -sfn "$old" "$PREFIX/previous.new" && mv -T "$PREFIX/previous.new" "$PREFIX/previous"
fi
ln -sfn "releases/$version" "$PREFIX/current.new"
mv -T "$PREFIX/current.new" "$PREFIX/current"
cat > /usr/local/bin/cellgate <<'WRAPPER'
#!/bin/sh
# Installed by cellgate's install.sh: the release in /opt/cellgate/current.
exec node /opt/cellgate/current/bin/cellgate.js "$@"
WRAPPER
chmod 0755 /usr/local/bin/cellgate

# Old releases beyond the last few (never current or previous).
keep="$(readlink "$PREFIX/current") $(readlink "$PREFIX/previous" 2>/dev/null || true)"
ls -1t "$PREFIX/releases" | tail -n +$((KEEP_RELEASES + 1)) | while read -r r; do
  case " $keep " in *" releases/$r "*) ;; *) rm -rf "${PREFIX:?}/releases/$r" ;; esac
done

# --- configuration (never overwritten) -----------------------------------------------------------
if [ ! -f "$ETC/agent.yaml" ]; then
  install -m 0640 -o root -g cellgate "$dest/agent.example.yaml" "$ETC/agent.yaml"
  say "wrote $ETC/agent.yaml from the example: set port, apn and rat (docs/agent.md)"
fi

# --- systemd unit and udev rules -----------------------------------------------------------------
install -m 0644 "$dest/scripts/ops/cellgate-agent.service" "$UNIT"
install -m 0644 "$dest/scripts/ops/78-cellgate-modem.rules" "$RULES"
if [ -d /run/udev ] && command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload || true
  udevadm trigger --subsystem-match=tty --action=change || true
fi
if command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload 2>/dev/null || true
  systemctl enable cellgate-agent.service >/dev/null 2>&1 || systemctl enable cellgate-agent.service
  if [ "$start" = yes ] && [ -d /run/systemd/system ]; then
    if [ ! -f "$ETC/device.json" ]; then
      say "not starting the agent yet: put the device credentials in $ETC/device.json first (docs/raspberry-pi.md step 5), then: systemctl start cellgate-agent"
    elif systemctl is-active --quiet cellgate-agent; then
      say "restarting the agent on $version"
      systemctl restart cellgate-agent
    else
      systemctl start cellgate-agent
    fi
  fi
fi
say "cellgate $version installed in $dest (current); check: cellgate --version, systemctl status cellgate-agent"
