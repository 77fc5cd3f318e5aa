#!/usr/bin/env bash
# The install path tested the way a user takes it, in a clean Debian 13 root this script makes
# (debootstrap, minbase variant, plus systemd and udev as on Raspberry Pi OS) and enters with
# chroot: `npm run release` → install.sh (which installs Debian's nodejs, npm and the build tools,
# builds the native modules from source) → the unit's command runs as user cellgate against a
# simulated modem until online and stops cleanly → the unit verified and scored by Debian 13's
# own systemd, the udev rules checked by its udevadm → upgrade to a newer release → rollback →
# uninstall, then --purge. Run by .ci/run (as root); takes ~10 minutes on 2 cores, mostly apt and
# the native build.
#
#   bash scripts/ops/test-install.sh                 amd64 (or the host's architecture)
#   CELLGATE_INSTALL_ARCH=arm64 bash scripts/ops/test-install.sh
#       the Raspberry Pi's architecture under qemu-user emulation: on-demand only (needs
#       apt-get install qemu-user-static binfmt-support; the native build alone takes ~40 min).
# Env: CELLGATE_INSTALL_MIRROR (default: Debian's), CELLGATE_INSTALL_KEEP=1 keeps the root.
set -euo pipefail
cd "$(dirname "$0")/../.."
project="$(pwd)"
started=$(date +%s)
step() { echo "test-install [$(( $(date +%s) - started ))s]: $*"; }
fail() { echo "test-install: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot)"

suite=trixie
arch="${CELLGATE_INSTALL_ARCH:-$(dpkg --print-architecture)}"
mirror="${CELLGATE_INSTALL_MIRROR:-http://deb.debian.org/debian}"
root="$(mktemp -d /var/tmp/cellgate-install-root.XXXXXX)"
# mktemp makes it 0700: as the root directory of the chroot it must be 0755, like any /.
chmod 0755 "$root"
sim_pid="" platform_pid="" agent_pid=""
cleanup() {
  for pid in $agent_pid $platform_pid $sim_pid; do kill "$pid" 2>/dev/null || true; done
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  if [ "${CELLGATE_INSTALL_KEEP:-}" = 1 ]; then echo "test-install: root kept in $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 ${EXTRA_ENV:-} "$@"; }

# --- the releases: this one, and a "next" one for the upgrade ----------------------------------
step "npm run release"
npm run release >/dev/null
version="$(node -p "require('./package.json').version")"
tarball="release/cellgate-${version}.tgz"
[ -f "$tarball" ] || fail "npm run release made no $tarball"
next="${version}-next"
work="$root/tmp"

# --- a clean Debian 13 root --------------------------------------------------------------------
step "debootstrap $suite $arch (minbase + systemd, udev)"
include=ca-certificates,systemd,udev
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
  debootstrap --variant=minbase --include="$include" --arch="$arch" "$suite" "$root" "$mirror" >/dev/null
else
  command -v qemu-aarch64-static >/dev/null || fail "emulating $arch needs qemu-user-static and binfmt-support"
  debootstrap --foreign --variant=minbase --include="$include" --arch="$arch" "$suite" "$root" "$mirror" >/dev/null
  cp /usr/bin/qemu-aarch64-static "$root/usr/bin/"
  chroot "$root" /debootstrap/debootstrap --second-stage >/dev/null
fi
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
# This machine may reach the registries through a proxy with its own CA: trust what the host
# trusts, for apt, npm and Node in the root (a real gateway needs none of this).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  in_root update-ca-certificates >/dev/null 2>&1
fi
EXTRA_ENV="NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt"
in_root sh -c 'command -v node' >/dev/null 2>&1 && fail "the fresh root already has node"

mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
cp -a "$work/cellgate-$version" "$work/cellgate-$next"
for f in package.json package-lock.json; do
  sed -i "0,/\"version\": \"$version\"/s//\"version\": \"$next\"/" "$work/cellgate-$next/$f"
done
# The lockfile's root package entry carries the version too.
node -e "const f='$work/cellgate-$next/package-lock.json';const l=require(f);l.packages[''].version='$next';require('fs').writeFileSync(f,JSON.stringify(l,null,2)+'\n')"

# --- install ----------------------------------------------------------------------------------
step "install.sh (Node.js, npm, build tools from Debian; native modules from source)"
in_root /tmp/cellgate-$version/scripts/ops/install.sh > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "install.sh"; }
grep -q "installing nodejs npm build-essential python3" "$work/install.log" || { cat "$work/install.log"; fail "install.sh did not install Node.js and the build tools"; }
step "checks: user, directories, command, unit, rules"
in_root id -nG cellgate | grep -qw dialout || fail "cellgate is not in dialout"
[ "$(readlink "$root/opt/cellgate/current")" = "releases/$version" ] || fail "current is not releases/$version"
[ "$(in_root cellgate --version)" = "cellgate $version" ] || fail "cellgate --version"
# Every command `cellgate --help` lists, and the sub-commands, with production dependencies only
# (a long usage may start on the line after `usage:`).
commands="$(in_root runuser -u cellgate -- cellgate --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')"
[ "$(echo "$commands" | wc -l)" -ge 8 ] || fail "cellgate --help lists too few commands: $commands"
while read -r cmd; do
  out="$(in_root runuser -u cellgate -- cellgate $cmd --help 2>&1 </dev/null)" && tr '\n' ' ' <<<"$out" | grep -q "^usage: *cellgate $cmd" \
    || fail "cellgate $cmd --help as user cellgate (production dependencies only): $out"
done < <(printf '%s\n' $commands "agent metadata" "fleet merge" "platform migrate")
[ ! -e "$root/opt/cellgate/current/node_modules/vitest" ] || fail "development dependencies were installed"
[ "$(in_root stat -c '%a %U %G' /etc/cellgate/agent.yaml)" = "640 root cellgate" ] || fail "/etc/cellgate/agent.yaml mode/owner"
[ "$(in_root stat -c '%a %U' /var/lib/cellgate)" = "700 cellgate" ] || fail "/var/lib/cellgate mode/owner"
[ "$(in_root systemctl is-enabled cellgate-agent.service)" = enabled ] || fail "the unit is not enabled"
in_root systemd-analyze verify /etc/systemd/system/cellgate-agent.service || fail "systemd-analyze verify"
score="$(in_root systemd-analyze security --offline=true --threshold=40 /etc/systemd/system/cellgate-agent.service 2>&1 | tail -1)" || fail "systemd-analyze security above 4.0: $score"
step "unit ($(in_root systemctl --version | head -1)): $score"
in_root udevadm verify /etc/udev/rules.d/78-cellgate-modem.rules >/dev/null || fail "udevadm verify 78-cellgate-modem.rules"

# --- the platform from the same install, step 5 of docs/raspberry-pi.md as written, the agent ---
step "cellgate platform from the install, as user cellgate"
chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 setpriv --reuid=cellgate --regid=cellgate --init-groups \
  cellgate platform --data-dir /var/lib/cellgate/platform --port 0 --mqtt-port 0 > "$work/platform.log" 2>&1 &
platform_pid=$!
for _ in $(seq 1 300); do grep -q '^advertised: ' "$work/platform.log" && break; kill -0 "$platform_pid" 2>/dev/null || break; sleep 0.2; done
api_url="$(sed -n 's/^advertised: api \([^ ]*\) .*/\1/p' "$work/platform.log")"
mqtt_url="$(sed -n 's/^advertised: api [^ ]*  mqtt \([^ ]*\).*/\1/p' "$work/platform.log")"
[ -n "$api_url" ] && [ -n "$mqtt_url" ] || { cat "$work/platform.log"; fail "cellgate platform did not start from the install"; }
# A platform account, made the way a new user makes one (the sandbox API).
email=gateway-owner@example.com password=install-test-pw-1
node -e "fetch('$api_url/v1/sandbox/init', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: '$email', password: '$password' }) }).then((r) => process.exit(r.status === 201 ? 0 : 1), () => process.exit(1))" \
  || fail "no platform account at $api_url"

step "a simulated modem on loopback"
node bin/cellgate.js sim --tcp 0 --latency zero --no-stdin > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 300); do grep -q '^tcp: ' "$work/sim.log" && break; sleep 0.1; done
sim_url="$(sed -n 's/^tcp: //p' "$work/sim.log")"
sim_imei="$(sed -n 's/^simulated .* modem, IMEI \([0-9]*\),.*/\1/p' "$work/sim.log")"
[ -n "$sim_url" ] && [ -n "$sim_imei" ] || fail "the simulator did not start: $(cat "$work/sim.log")"

# Raspberry Pi OS has curl and sudo, and the user Raspberry Pi Imager creates may sudo without a
# password; the minbase root has none of that: add them, and such a user.
step "docs/raspberry-pi.md step 5 (register the gateway), typed as written by user pi"
in_root apt-get install -y -qq --no-install-recommends curl sudo >/dev/null || fail "apt-get install curl sudo"
in_root useradd --create-home --shell /bin/bash pi
echo 'pi ALL=(ALL) NOPASSWD: ALL' > "$root/etc/sudoers.d/010_pi-nopasswd"
chmod 0440 "$root/etc/sudoers.d/010_pi-nopasswd"
# The step's second shell block; the only changes: the API URL it says to set, the simulated
# modem's address for /dev/cellgate-at, and no `systemctl start` (no systemd runs in the root:
# the unit's command is run below as the unit would run it).
block="$(awk '/^## 5\./ { in5 = 1 } /^## 6\./ { in5 = 0 } in5 && /^```sh$/ { n++; code = 1; next } in5 && /^```$/ { code = 0 } in5 && code && n == 2' docs/raspberry-pi.md)"
grep -q '^API=' <<<"$block" && grep -q '^sudo systemctl start cellgate-agent$' <<<"$block" && grep -q '/dev/cellgate-at' <<<"$block" \
  || fail "docs/raspberry-pi.md step 5 no longer has the block this test types: $block"
block="$(sed -e "s|^API=.*|API=$api_url|" -e "s|/dev/cellgate-at|$sim_url|g" -e '/^sudo systemctl start cellgate-agent$/d' <<<"$block")"
printf '%s\n' "$block" > "$root/home/pi/step5.sh"
printf '%s\n%s\n' "$email" "$password" | chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/pi LANG=C.UTF-8 $EXTRA_ENV \
  /usr/sbin/runuser -u pi -- bash -euo pipefail -c 'cd /home/pi && . ./step5.sh' > "$work/step5.log" 2>&1 || { cat "$work/step5.log"; fail "step 5 as written"; }
[ "$(in_root stat -c '%a %U %G' /etc/cellgate/device.json)" = "640 root cellgate" ] || fail "/etc/cellgate/device.json mode/owner"
node -e "const d = require('$root/etc/cellgate/device.json'); process.exit(d.deviceId === '$sim_imei' && d.mqttUrl === '$mqtt_url' && d.apiUrl === '$api_url' && d.password ? 0 : 1)" \
  || fail "device.json does not name the modem's IMEI and the advertised URLs: $(sed 's/"password":"[^"]*"/"password":"…"/' "$root/etc/cellgate/device.json")"
grep -q "$password" "$work/step5.log" && fail "step 5 echoed the password"

# --- the service's command, as the unit runs it, with those credentials --------------------------
step "the unit's ExecStart as user cellgate: modem online, linked to the platform"
health_port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
printf 'port: %s\napn: soracom.io\nrat: lte-m\n' "$sim_url" > "$root/etc/cellgate/agent.yaml"
exec_start="$(sed -n 's/^ExecStart=//p' "$root/etc/systemd/system/cellgate-agent.service")"
unit_env="$(sed -n 's/^Environment=//p' "$root/etc/systemd/system/cellgate-agent.service" | tr '\n' ' ')"
# Every step execs the next (chroot, env, setpriv, sh, env, node): SIGTERM reaches the agent
# itself, as systemd's KillSignal would, and `wait` gets its exit code.
chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
  setpriv --reuid=cellgate --regid=cellgate --init-groups \
  sh -c "cd /var/lib/cellgate && exec env $unit_env CELLGATE_HEALTH_PORT=$health_port $exec_start" > "$work/agent.log" 2>&1 &
agent_pid=$!
online=no
for _ in $(seq 1 300); do
  if node -e "fetch('http://127.0.0.1:$health_port/healthz').then(r=>r.json()).then(h=>process.exit(h.state==='online'&&h.link==='connected'?0:1),()=>process.exit(1))"; then online=yes; break; fi
  sleep 0.2
done
[ "$online" = yes ] || { tail -20 "$work/agent.log"; fail "the installed agent did not come online and link to the platform"; }
kill -TERM "$agent_pid"
wait "$agent_pid" || fail "the agent exited non-zero on SIGTERM"
grep -q '"msg":"agent stopped cleanly"' "$work/agent.log" || { tail -5 "$work/agent.log"; fail "the agent did not stop cleanly"; }
grep -q '"msg":"data session closed"' "$work/agent.log" || fail "the agent did not close its data session"
kill -TERM "$platform_pid"
wait "$platform_pid" || { cat "$work/platform.log"; fail "cellgate platform exited non-zero on SIGTERM"; }
rm -rf "$root/var/lib/cellgate/platform"

# --- upgrade, rollback, uninstall --------------------------------------------------------------
step "upgrade to $next"
in_root /tmp/cellgate-$next/scripts/ops/install.sh > "$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
grep -q "reusing the production dependencies" "$work/upgrade.log" || fail "the upgrade rebuilt identical dependencies"
[ "$(in_root cellgate --version)" = "cellgate $next" ] || fail "not on $next after the upgrade"
[ "$(readlink "$root/opt/cellgate/previous")" = "releases/$version" ] || fail "previous is not $version"
grep -q "^port: $sim_url" "$root/etc/cellgate/agent.yaml" || fail "the upgrade overwrote agent.yaml"
step "rollback"
in_root /opt/cellgate/current/scripts/ops/rollback.sh >/dev/null || fail "rollback.sh"
[ "$(in_root cellgate --version)" = "cellgate $version" ] || fail "not back on $version"
in_root /opt/cellgate/current/scripts/ops/rollback.sh >/dev/null || fail "rollback.sh forward again"
[ "$(in_root cellgate --version)" = "cellgate $next" ] || fail "not forward on $next"
step "uninstall, then --purge"
cp "$root/opt/cellgate/current/scripts/ops/uninstall.sh" "$work/uninstall.sh"
in_root /tmp/uninstall.sh >/dev/null || fail "uninstall.sh"
[ ! -e "$root/opt/cellgate" ] && [ ! -e "$root/etc/systemd/system/cellgate-agent.service" ] && [ ! -e "$root/usr/local/bin/cellgate" ] || fail "uninstall left files"
[ -f "$root/etc/cellgate/agent.yaml" ] && in_root id cellgate >/dev/null || fail "uninstall removed the configuration or the user"
in_root /tmp/uninstall.sh --purge >/dev/null || fail "uninstall.sh --purge"
[ ! -e "$root/etc/cellgate" ] && [ ! -e "$root/var/lib/cellgate" ] && ! in_root id cellgate >/dev/null 2>&1 || fail "--purge left the configuration, data or user"

echo "test-install: 1 passed, 0 failed ($arch, $(( $(date +%s) - started )) s)"
