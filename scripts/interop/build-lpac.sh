#!/usr/bin/env bash
# Builds the public LPA lpac (https://github.com/estkme-group/lpac) for the interop check
# scripts/interop/lpac.ts: its AT (and AT+CSIM) APDU backend and the libcurl HTTP backend, against
# Debian's cJSON and libcurl. Nothing of lpac is part of cellgate: this script only builds a
# checkout you point it at (or clones one), outside the project tree. CI does not run it.
#
# Usage: scripts/interop/build-lpac.sh <lpac source dir | git URL> [build dir]
#   source dir  an existing lpac checkout (its CMakeLists.txt at the top)
#   git URL     cloned (depth 1) into a temp dir when the network allows; LPAC_REF picks a
#               branch or tag (default: the remote's default branch)
#   build dir   default: <source>/build-cellgate
# Prints the path of the built binary on the last line, e.g.
#   node dist/scripts/interop/lpac.js --lpac "$(scripts/interop/build-lpac.sh ~/src/lpac | tail -1)"
set -euo pipefail

die() { echo "build-lpac: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: $0 <lpac source dir | git URL> [build dir]"
src=$1

# Debian / Raspberry Pi OS build dependencies, installed only when missing (as .ci/run does).
deps=(cmake make gcc pkg-config git libcjson-dev libcurl4-openssl-dev)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-lpac: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -d "$src" ]; then
  case "$src" in
    http://* | https://* | git@* | ssh://* | file://*) ;;
    *) die "$src is neither a directory nor a git URL" ;;
  esac
  dest=$(mktemp -d "${TMPDIR:-/tmp}/lpac-src.XXXXXX")
  echo "build-lpac: cloning $src into $dest" >&2
  git clone -q --depth 1 ${LPAC_REF:+--branch "$LPAC_REF"} "$src" "$dest" >&2 || die "cannot clone $src (no network?); pass a local checkout instead"
  src=$dest
fi
[ -f "$src/CMakeLists.txt" ] || die "$src has no CMakeLists.txt: not an lpac checkout"
src=$(cd "$src" && pwd)
build=${2:-$src/build-cellgate}

# USE_SYSTEM_DEPS: Debian's libcjson-dev instead of downloading cJSON at configure time.
# PC/SC off: the interop check talks AT to the simulator's pty (LPAC_APDU=at / at_csim).
cmake -S "$src" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DUSE_SYSTEM_DEPS=ON \
  -DLPAC_WITH_APDU_PCSC=OFF \
  -DLPAC_WITH_APDU_AT=ON \
  -DLPAC_WITH_HTTP_CURL=ON >&2
cmake --build "$build" -j "$(nproc)" >&2

bin=$build/src/lpac
[ -x "$bin" ] || die "build finished but $bin is missing"
"$bin" version >&2 || true
echo "$bin"
