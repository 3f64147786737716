#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# skbscope kernel oracle: run traces on the real Debian 6.1 kernel in QEMU.
#
#   tools/kernel-oracle/oracle.sh [--policy P] [--timeout S] [FILE.trace|DIR]...
#
# With no file, runs every tests/conformance/*.trace.  Writes NAME.json next
# to each NAME.trace.  Installs what it needs with apt-get when missing.
# Environment:
#   ORACLE_KERNEL   kernel release to use (default: newest installed
#                   /boot/vmlinuz-*-amd64 that has matching headers)
#   ORACLE_WORK     build and scratch directory (default: a fresh temp dir,
#                   removed afterwards)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKGS=(qemu-system-x86 busybox-static linux-image-amd64 linux-headers-amd64 build-essential cpio)

log() { printf 'oracle: %s\n' "$*" >&2; }

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	SUDO=
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
for c in qemu-system-x86_64 cpio gzip make gcc timeout node; do
	command -v "$c" >/dev/null || { log "missing command $c"; exit 1; }
done
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || readelf -l "$BUSYBOX" 2>/dev/null | grep 'program interpreter' >/dev/null; then
	log "$BUSYBOX is not static (install busybox-static)"
	exit 1
fi

# The kernel: the newest /boot/vmlinuz-*-amd64 with headers of the same
# release, unless ORACLE_KERNEL names one.
REL=${ORACLE_KERNEL:-}
if [ -z "$REL" ]; then
	for v in $(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -rV); do
		if [ -d "/usr/src/linux-headers-$v" ]; then REL=$v; break; fi
	done
fi
if [ -z "$REL" ] || [ ! -r "/boot/vmlinuz-$REL" ] || [ ! -d "/usr/src/linux-headers-$REL" ]; then
	log "no kernel image with matching headers (looked for /boot/vmlinuz-*-amd64 and /usr/src/linux-headers-*)"
	exit 1
fi
KDIR=/usr/src/linux-headers-$REL

CLEAN=
WORK=${ORACLE_WORK:-}
if [ -z "$WORK" ]; then
	WORK=$(mktemp -d /tmp/skboracle.XXXXXX)
	CLEAN=1
fi
mkdir -p "$WORK/module"
cp "$HERE/module/skboracle.c" "$HERE/module/Kbuild" "$HERE/module/Makefile" "$WORK/module/"
log "building the module against $KDIR"
make -s -C "$WORK/module" KDIR="$KDIR" >"$WORK/build.log" 2>&1 || {
	cat "$WORK/build.log" >&2
	exit 1
}
KO=$WORK/module/skboracle.ko
VERMAGIC=$(modinfo -F vermagic "$KO" | awk '{print $1}')
if [ "$VERMAGIC" != "$REL" ]; then
	log "vermagic $VERMAGIC does not match kernel $REL"
	exit 1
fi
log "kernel $REL ($(dpkg-query -W -f='${Version}' "linux-image-$REL" 2>/dev/null || echo '?')), module vermagic $(modinfo -F vermagic "$KO")"

status=0
node "$HERE/oracle.mjs" --kernel "/boot/vmlinuz-$REL" --module "$KO" --busybox "$BUSYBOX" --work "$WORK/run" "$@" || status=$?
if [ -n "$CLEAN" ]; then rm -rf "$WORK"; fi
exit $status
