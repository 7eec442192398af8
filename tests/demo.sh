#!/bin/bash
# Installs what is missing, builds husk, and runs config.json.example over a
# busybox rootfs. Run as root from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/setup-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
demo=$(mktemp -d /var/tmp/husk-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
tests/rootfs.sh "$demo/rootfs" >/dev/null
cp config.json.example "$demo/config.json"
./husk --root "$demo/state" run --bundle "$demo" "demo-$$"
