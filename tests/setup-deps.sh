#!/bin/bash
# Install everything a fresh Debian 12 needs to build and test husk.
# Idempotent: does nothing (and no `apt-get update`) when all are installed.
set -euo pipefail

pkgs=(
	build-essential autoconf automake libtool pkg-config
	libyajl-dev libseccomp-dev libcap-dev libsystemd-dev libselinux1-dev libyaml-dev
	busybox-static python3-pytest python3-jsonschema uidmap valgrind
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "setup-deps: need root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() {
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}
# only refresh the package lists when they are missing or an install fails
if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null || ! apt_install; then
	apt-get update -q
	apt_install
fi
