#!/bin/bash
# Builds (or finds cached) the qemu guest image of tests/stages/20-qemu-v2-systemd.sh
# under /var/tmp/husk-test/qemu (see tests/qemu/build-image.sh). Idempotent.
set -euo pipefail
"$(dirname "$0")/../qemu/build-image.sh" >/dev/null
