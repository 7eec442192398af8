#!/bin/bash
# Boots the cached guest (build-image.sh) with a payload disk holding husk,
# busybox and tests/qemu/payload/, and checks the results the guest wrote back.
#   run-guest.sh HUSK_BINARY
# Environment: QEMU_TIMEOUT (seconds, default 1500), QEMU_SMP (2), QEMU_MEM (1536 MiB),
# QEMU_ACCEL (tcg), QEMU_CGROUP (v2: pure v2, every controller; hybrid: systemd's
# v1 + unified layout), SD_CYCLES / FS_CYCLES / HY_CYCLES / PB_CYCLES (create/delete cycles),
# HUSK_QEMU_TESTS (space-separated test names to run, default all),
# HUSK_QEMU_XFAIL (tests known to fail; a pass of one of them is an error too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
husk=$(readlink -f "${1:?usage: run-guest.sh HUSK_BINARY}")
log() { echo "qemu: $*" >&2; }

t0=$(date +%s)
img=$("$here/build-image.sh")
t1=$(date +%s)

work=$(mktemp -d /var/tmp/husk-test/qemu-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
pay=$work/payload
mkdir -p "$pay/bin"
cp "$husk" "$pay/bin/husk"
cp "$(command -v busybox)" "$pay/bin/busybox"
if LC_ALL=C ldd "$pay/bin/busybox" >/dev/null 2>&1; then
	log "busybox must be static (busybox-static)"
	exit 1
fi
cp -r "$here"/payload/. "$pay/"
chmod +x "$pay/run.sh"
printf '%s\n' "${HUSK_QEMU_TESTS:-}" >"$pay/tests.select"
printf '%s\n' "${HUSK_QEMU_XFAIL:-}" >"$pay/tests.xfail"
# knobs for the guest tests (e.g. SD_CYCLES=10 for a quick run)
env | grep -E '^(SD_CYCLES|FS_CYCLES|HY_CYCLES|PB_CYCLES)=' >"$pay/env" || true
mkfs.ext4 -q -F -L huskpayload -d "$pay" "$work/payload.img" 256M >&2

append="console=ttyS0 root=/dev/nvme0n1 rootfstype=ext4 rw nvme_core.multipath=N"
case ${QEMU_CGROUP:-v2} in
v2) append+=" systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" ;;
hybrid) append+=" systemd.unified_cgroup_hierarchy=0" ;;
*) log "QEMU_CGROUP: expected v2 or hybrid"; exit 1 ;;
esac
append+=" panic=-1 quiet"
append+=" systemd.show_status=0 loglevel=3"
log "booting ($img, cgroup ${QEMU_CGROUP:-v2}), console follows"
rc=0
# Software emulation: this machine's /dev/kvm opens but fails ("KVM internal
# error ... emulation failure") and the guest hangs. QEMU_ACCEL=kvm elsewhere.
timeout "${QEMU_TIMEOUT:-1500}" qemu-system-x86_64 -accel "${QEMU_ACCEL:-tcg}" -cpu max \
	-m "${QEMU_MEM:-1536}" -smp "${QEMU_SMP:-2}" -display none -monitor none -no-reboot \
	-serial stdio -kernel "$img/vmlinuz" -append "$append" \
	-drive file="$img/root.img",if=none,id=root,format=raw,snapshot=on \
	-device nvme,drive=root,serial=huskroot \
	-drive file="$work/payload.img",if=none,id=pay,format=raw \
	-device nvme,drive=pay,serial=huskpayload </dev/null | tee "$work/console.log" || rc=$?
t2=$(date +%s)
[ "$rc" -eq 0 ] || log "qemu exited with $rc (124: timed out after ${QEMU_TIMEOUT:-1500} s)"

debugfs -R 'cat /results.txt' "$work/payload.img" >"$work/results.txt" 2>/dev/null || true
debugfs -R 'cat /timing.txt' "$work/payload.img" >"$work/timing.txt" 2>/dev/null || true
echo "----- results (from the guest) -----"
cat "$work/results.txt"
cat "$work/timing.txt"
echo "image $((t1 - t0)) s, qemu (boot + tests + poweroff) $((t2 - t1)) s, cgroup ${QEMU_CGROUP:-v2}"
n_fail=$(grep -c -E '^(FAIL|XPASS)' "$work/results.txt" || true)
n_ok=$(grep -c -E '^(ok|XFAIL)' "$work/results.txt" || true)
if ! grep -q '^DONE' "$work/results.txt"; then
	log "FAILED: the guest did not finish its tests (no DONE line)"
	exit 1
fi
if [ "$n_fail" -ne 0 ] || [ "$n_ok" -eq 0 ]; then
	log "FAILED: $n_fail failed, $n_ok passed"
	exit 1
fi
log "passed: $n_ok"
