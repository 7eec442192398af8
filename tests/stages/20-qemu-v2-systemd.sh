#!/bin/bash
# cgroup v2 with every controller and a real systemd: boots Debian 12's cloud
# kernel in qemu (software emulation, -smp 2) on a cached minimal Debian image
# (tests/qemu/build-image.sh) and runs tests/qemu/payload/ inside it with the
# husk built here: v2 limits written and enforced (memory OOM kill, pids, cpu
# throttling, io, hugetlb, unified, freezer, eBPF devices), the systemd driver
# (scopes created, updated, paused, removed; ResetFailedUnit; the private
# socket; a hung bus; rootless through the user manager; 100 create/delete
# cycles) and no unit or cgroup left.
# Results come back on the payload disk and are checked here.
#
# HUSK_QEMU_XFAIL: tests known to fail (default none; an XFAIL test that
# passes fails the stage, so the list cannot go stale).
# HUSK_QEMU_TESTS: run only these (space-separated names from payload/run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "20-qemu-v2-systemd: needs root (mmdebstrap, the guest image)" >&2
	exit 1
fi
exec tests/qemu/run-guest.sh "${HUSK:-$PWD/husk}"
