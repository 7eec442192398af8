#!/bin/bash
# Install everything a fresh Debian 12 needs to build and test husk.
#   tests/deps/*.list  Debian package names, one per line (# comments)
#   tests/deps/*.sh    extra setup run afterwards, in name order (each idempotent),
#                      for what is not a plain apt install (e.g. a newer CRIU)
# Idempotent: does nothing (and no `apt-get update`) when all are installed.
set -euo pipefail
cd "$(dirname "$0")/deps"

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' ./*.list | tr -d ' \t' | sort -u)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
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
fi

for s in ./*.sh; do
	[ -e "$s" ] || continue
	bash "$s"
done
