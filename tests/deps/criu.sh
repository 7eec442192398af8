#!/bin/bash
# A CRIU that works on this kernel, for the checkpoint/restore tests.
#
# Debian 12's criu 3.17 fails `criu check` here ("vdso: Unexpected rt vDSO area
# bounds"); Debian 13's criu 4.1.1 passes. This script downloads Debian 13's
# criu and its library dependencies (libc included) from the Debian archive
# with a private apt configuration (own sources list, state and cache; the
# host's apt sources, dpkg database and libc are not touched), unpacks them
# into a private prefix and installs a wrapper that runs criu through
# Debian 13's own loader with --library-path:
#
#   $HUSK_TEST_CACHE/criu/bin/criu        (default /var/tmp/husk-test/criu)
#
# Idempotent: does nothing when the wrapper exists and `criu check` passes
# (and tests/deps/criu-smoke: a plain process dumps and restores).
# It never fails the setup: when no working CRIU can be had it writes the
# reason to $HUSK_TEST_CACHE/criu/unavailable, and the tests that need CRIU
# skip with that reason.
set -uo pipefail

cache=${HUSK_TEST_CACHE:-/var/tmp/husk-test}/criu
suite=${HUSK_CRIU_SUITE:-trixie}
mirror=${HUSK_CRIU_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
wrapper=$cache/bin/criu
libdir=$cache/prefix/usr/lib/x86_64-linux-gnu

log() { echo "criu.sh: $*" >&2; }

works() { # criu binary -> 0 when `criu check` says "Looks good."
	"$1" check 2>&1 | grep -q 'Looks good'
}

unavailable() {
	log "no working CRIU: $*"
	mkdir -p "$cache"
	echo "$*" >"$cache/unavailable"
	exit 0
}

# `criu check` is not enough: a real dump and restore of a plain process
smoke_or_unavailable() { # criu binary
	local why
	why=$("$(dirname "$0")/criu-smoke" "$1") ||
		unavailable "criu $($1 --version | head -n 1 | sed 's/^Version: //') passes 'criu check', but $why"
}

if [ -x "$wrapper" ] && works "$wrapper"; then
	smoke_or_unavailable "$wrapper"
	rm -f "$cache/unavailable"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || unavailable "criu.sh needs root to fetch and check CRIU"
[ "$(dpkg --print-architecture)" = amd64 ] || unavailable "only amd64 is handled"
[ -r "$keyring" ] || unavailable "$keyring missing (debian-archive-keyring)"

# A private apt: only the sources list, state and cache are ours; the host's
# apt.conf.d settings (mirrors, proxies) still apply.
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sources.list.d" \
	"$apt_dir/preferences.d"
: >"$apt_dir/status"
echo "deb [signed-by=$keyring] $mirror $suite main" >"$apt_dir/sources.list"
cat >"$apt_dir/apt.conf" <<EOF
Dir::Etc::sourcelist "$apt_dir/sources.list";
Dir::Etc::sourceparts "$apt_dir/sources.list.d";
Dir::Etc::preferences "$apt_dir/preferences";
Dir::Etc::preferencesparts "$apt_dir/preferences.d";
Dir::State "$apt_dir";
Dir::State::lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir";
Dir::Cache::archives "$apt_dir/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Install-Recommends "false";
Acquire::Languages "none";
Debug::NoLocking "true";
EOF
export APT_CONFIG=$apt_dir/apt.conf

log "fetching criu and its libraries from Debian $suite"
apt-get -q update >"$apt_dir/update.log" 2>&1 ||
	unavailable "apt-get update for $suite failed (see $apt_dir/update.log)"
# The status file is empty, so apt resolves the whole dependency closure
# (libc6 included): everything criu needs comes from the same release.
apt-get -q -y --download-only install criu >"$apt_dir/download.log" 2>&1 ||
	unavailable "downloading criu from $suite failed (see $apt_dir/download.log)"

tmp=$(mktemp -d "$cache/prefix.tmp.XXXXXX")
for deb in "$apt_dir"/archives/*.deb; do
	dpkg-deb -x "$deb" "$tmp" || unavailable "unpacking $deb failed"
done
[ -x "$tmp/usr/sbin/criu" ] || unavailable "the criu package has no usr/sbin/criu"
rm -rf "$cache/prefix"
mv "$tmp" "$cache/prefix"

mkdir -p "$cache/bin"
cat >"$wrapper.tmp" <<EOF
#!/bin/sh
# criu from Debian $suite, run through its own loader and libraries
# (written by tests/deps/criu.sh).
exec "$libdir/ld-linux-x86-64.so.2" --library-path "$libdir" "$cache/prefix/usr/sbin/criu" "\$@"
EOF
chmod 0755 "$wrapper.tmp"
mv "$wrapper.tmp" "$wrapper"

if ! works "$wrapper"; then
	unavailable "criu from $suite fails 'criu check': $("$wrapper" check 2>&1 | tail -n 3 | tr '\n' ' ')"
fi
smoke_or_unavailable "$wrapper"
rm -f "$cache/unavailable"
log "$("$wrapper" --version | head -n 1) passes 'criu check' and dumps and restores a process ($wrapper)"
