#!/bin/bash
# Builds (once) and caches the qemu guest used by tests/stages/20-qemu-v2-systemd.sh:
#   $QEMU_CACHE/<key>/vmlinuz   Debian's cloud kernel (extracted from the .deb, never
#                               installed on the host)
#   $QEMU_CACHE/<key>/root.img  ext4 image of a minimal Debian 12 with a real systemd
#                               (mmdebstrap), booted with pure cgroup v2
# <key> hashes this script, the guest files and the package list, so any change
# rebuilds. The host's filesystems are never used by the guest's systemd: it only
# ever runs inside qemu. Prints the cache directory on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
QEMU_CACHE=${QEMU_CACHE:-/var/tmp/husk-test/qemu}
# Runtime libraries of husk (the -dev packages of tests/deps/base.list), the
# init system, the system bus (and the user bus: dbus-user-session, libpam-systemd
# for user@.service), and tools the guest tests use.
packages=systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,libyajl2,libseccomp2,libcap2,libsystemd0,libselinux1,libyaml-0-2,procps,jq
kernel_meta=linux-image-cloud-amd64

log() { echo "qemu-image: $*" >&2; }

kernel_pkg=$(apt-cache depends "$kernel_meta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$kernel_pkg" ] || { log "cannot resolve $kernel_meta (apt-get update?)"; exit 1; }
key=$( (cat "$0" "$here"/guest/*; echo "$packages $kernel_pkg") | sha256sum | cut -c1-16)
dir=$QEMU_CACHE/$key
if [ -s "$dir/root.img" ] && [ -s "$dir/vmlinuz" ]; then
	log "cached: $dir"
	echo "$dir"
	exit 0
fi

start=$(date +%s)
mkdir -p "$QEMU_CACHE"
tmp=$(mktemp -d "$QEMU_CACHE/build.XXXXXX")
cleanup() {
	# mmdebstrap unmounts what it mounted; make sure nothing is left before rm
	if findmnt -rn -o TARGET | grep -q "^$tmp/"; then
		log "refusing to remove $tmp: something is still mounted there"
		return
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

log "kernel: $kernel_pkg"
(cd "$tmp" && apt-get download -q "$kernel_pkg" >/dev/null 2>&1) ||
	(cd "$tmp" && apt-get download "$kernel_pkg")
mkdir "$tmp/k"
dpkg-deb -x "$tmp"/"$kernel_pkg"_*.deb "$tmp/k"
cp "$tmp"/k/boot/vmlinuz-* "$tmp/vmlinuz"

log "root tree: mmdebstrap bookworm minbase + $packages"
mmdebstrap --variant=minbase --include="$packages" --aptopt='Acquire::Languages "none"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
	bookworm "$tmp/root" http://deb.debian.org/debian >"$tmp/mmdebstrap.log" 2>&1 || {
	tail -n 30 "$tmp/mmdebstrap.log" >&2
	exit 1
}

log "customising the tree"
r=$tmp/root
# kernel modules (virtio, etc.), for completeness: root is on nvme (built in)
mkdir -p "$r/lib/modules"
cp -a "$tmp"/k/lib/modules/* "$r/lib/modules/"
echo husk-guest >"$r/etc/hostname"
: >"$r/etc/machine-id"
printf '/dev/nvme0n1 / ext4 rw,noatime 0 1\n' >"$r/etc/fstab"
install -m 0755 "$here/guest/husk-guest-run" "$r/usr/local/sbin/husk-guest-run"
install -m 0644 "$here/guest/husk-test.service" "$r/etc/systemd/system/husk-test.service"
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/husk-test.service "$r/etc/systemd/system/multi-user.target.wants/"
# nothing that waits for devices (there is no udev) or does background work
for u in serial-getty@.service getty@.service getty.target apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	systemd-timesyncd.service dpkg-db-backup.timer; do
	ln -sf /dev/null "$r/etc/systemd/system/$u"
done
rm -rf "$r/var/cache/apt/archives"/*.deb "$r/var/lib/apt/lists"/*

log "ext4 image"
size_mb=$(( $(du -sm "$r" | cut -f1) + 768 ))
mkfs.ext4 -q -F -L huskroot -d "$r" "$tmp/root.img" "${size_mb}M" >&2

mkdir -p "$dir"
mv "$tmp/vmlinuz" "$tmp/root.img" "$dir/"
# older images (another key) are not needed any more
for old in "$QEMU_CACHE"/????????????????; do
	[ "$old" = "$dir" ] || [ ! -f "$old/root.img" ] || rm -rf "$old"
done
log "built $dir in $(( $(date +%s) - start )) s"
echo "$dir"
