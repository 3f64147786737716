#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing
# (never a downloaded browser build). Run by `npm test` (pretest) and
# .ci/run; a no-op when /usr/bin/chromium exists.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: $CHROMIUM is missing and there is no sudo; run: apt-get install -y chromium" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium
