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
# HUSK_QEMU_TESTS: run only these (space-separated names from payload/run.sh;
# hy-* names run in the hybrid boot, the others in the v2 boot).
# HUSK_QEMU_HYBRID=0: skip the second boot (hybrid layout).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
	echo "20-qemu-v2-systemd: needs root (mmdebstrap, the guest image)" >&2
	exit 1
fi
husk=${HUSK:-$PWD/husk}
# which boots the selection needs (no-leftovers runs in both)
want_v2=1 want_hy=1
if [ -n "${HUSK_QEMU_TESTS:-}" ]; then
	want_v2=0 want_hy=0
	for t in $HUSK_QEMU_TESTS; do
		case $t in
		no-leftovers) ;;
		hy-*) want_hy=1 ;;
		*) want_v2=1 ;;
		esac
	done
fi
[ "${HUSK_QEMU_HYBRID:-1}" = 1 ] || want_hy=0
rc=0
if [ $want_v2 = 1 ]; then
	QEMU_CGROUP=v2 tests/qemu/run-guest.sh "$husk" || rc=1
fi
# the same guest booted with systemd's hybrid layout: the driver's v1 side
if [ $want_hy = 1 ]; then
	QEMU_CGROUP=hybrid tests/qemu/run-guest.sh "$husk" || rc=1
fi
exit $rc
