#!/bin/bash
# Build a tiny busybox rootfs for husk's integration tests.
#
#   tests/rootfs.sh DIR
#
# The rootfs is built once into a cache
# (${HUSK_TEST_CACHE:-/var/tmp/husk-test}/rootfs) and then copied to DIR with
# `cp -a` (busybox itself is hard-linked when possible). Idempotent: running
# it again on an existing DIR just refreshes it. Needs Debian's busybox-static.
set -euo pipefail

dest=${1:?usage: $0 DIR}
busybox=${BUSYBOX:-/bin/busybox}
cache=${HUSK_TEST_CACHE:-/var/tmp/husk-test}/rootfs

if [ ! -x "$busybox" ]; then
	echo "rootfs.sh: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
# a dynamic busybox would need its libraries inside the rootfs
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	echo "rootfs.sh: $busybox is dynamically linked (apt-get install busybox-static)" >&2
	exit 1
fi

build_cache() {
	local tmp
	mkdir -p "$(dirname "$cache")"
	tmp=$(mktemp -d "$cache.tmp.XXXXXX")
	chmod 0755 "$tmp"
	mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,home/tester,var,run,mnt}
	chmod 1777 "$tmp/tmp"
	chmod 0700 "$tmp/root"
	cp "$busybox" "$tmp/bin/busybox"
	chmod 0755 "$tmp/bin/busybox"
	# every applet as a symlink under /bin (busybox --install -s equivalent,
	# but flat under /bin so PATH=/bin finds all of them)
	local applet
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] && continue
		ln -sf busybox "$tmp/bin/$applet"
	done
	ln -sf ../bin/env "$tmp/usr/bin/env"
	cat >"$tmp/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
	cat >"$tmp/etc/group" <<'GR'
root:x:0:
wheel:x:10:tester
audio:x:29:tester
users:x:100:tester
tester:x:1000:
nogroup:x:65534:
GR
	echo "husk-test" >"$tmp/etc/hostname"
	: >"$tmp/etc/hosts"
	: >"$tmp/etc/resolv.conf"
	chown 1000:1000 "$tmp/home/tester"
	echo "$stamp" >"$tmp/.husk-rootfs-stamp"
	# publish atomically; another builder may have won the race
	if ! mv -T "$tmp" "$cache" 2>/dev/null; then
		rm -rf "$tmp"
	fi
}

# bump the layout version when build_cache changes
stamp="v2 $("$busybox" 2>&1 | sed -n 1p)"
if [ ! -f "$cache/.husk-rootfs-stamp" ] || [ "$(cat "$cache/.husk-rootfs-stamp")" != "$stamp" ]; then
	rm -rf "$cache"
	build_cache
fi

mkdir -p "$dest"
# a real copy (not hard links): tests chmod/chown files in their rootfs
cp -a "$cache/." "$dest/"
