#!/bin/bash
# Guest side of tests/stages/20-qemu-v2-systemd.sh: runs as root under the
# guest's systemd (pure cgroup v2), writes one line per test to
# $P/results.txt ("ok NAME (Ns)", "FAIL NAME: why", "XFAIL ...", "XPASS ...")
# and "DONE" at the end; timings go to $P/timing.txt. The host checks them.
P=${1:?payload dir}
export P PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd "$P" || exit 1
set -a
. "$P/env"
set +a
. "$P/lib.sh"
. "$P/tests_fs.sh"
. "$P/tests_systemd.sh"
. "$P/tests_hybrid.sh"

RES=$P/results.txt
: >"$RES"
select=$(cat "$P/tests.select" 2>/dev/null)
xfail=$(cat "$P/tests.xfail" 2>/dev/null)
echo "boot $(cut -d' ' -f1 /proc/uptime) s (guest uptime when run.sh starts)" >"$P/timing.txt"
mkdir -p "$W/log" "$R"
make_rootfs

in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

# Whatever a failed test left: containers (then their units and cgroups).
cleanup() {
	local id
	for id in $(h list -q 2>/dev/null); do h delete -f "$id" >/dev/null 2>&1; done
}

run_test() { # NAME FUNC
	local name=$1 t0 t1 rc out
	if [ -n "$select" ] && ! in_list "$name" "$select"; then
		return 0
	fi
	echo "=== $name"
	t0=$(date +%s.%N)
	"$2" >"$W/log/test-$name.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	cleanup
	out=$(grep -m1 '^FAIL:' "$W/log/test-$name.log" | cut -c7-)
	[ -n "$out" ] || out=$(tail -n 2 "$W/log/test-$name.log" | tr '\n' ' ')
	local dt
	dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	if in_list "$name" "$xfail"; then
		if [ $rc -eq 0 ]; then
			echo "XPASS $name (${dt}s): passes but is listed in HUSK_QEMU_XFAIL" >>"$RES"
		else
			echo "XFAIL $name (${dt}s): $out" >>"$RES"
		fi
	elif [ $rc -eq 0 ]; then
		echo "ok $name (${dt}s)" >>"$RES"
	else
		echo "FAIL $name (${dt}s): $out" >>"$RES"
		echo "--- log of $name"
		tail -n 30 "$W/log/test-$name.log"
	fi
	tail -n 1 "$RES"
}

t_start=$(date +%s)
if [ "$(stat -f -c %T $CG)" = cgroup2fs ]; then
	layout=v2
	run_test env-v2 test_env
	run_test fs-memory-oom test_fs_memory
	run_test fs-pids test_fs_pids
	run_test fs-cpu test_fs_cpu
	run_test fs-io test_fs_io
	run_test fs-hugetlb test_fs_hugetlb
	run_test fs-unified test_fs_unified
	run_test fs-freeze test_fs_freeze
	run_test fs-devices-ebpf test_fs_devices
	run_test disabled test_disabled
	run_test sd-create test_sd_create
	run_test sd-slice test_sd_slice
	run_test sd-bad-path test_sd_bad_path
	run_test sd-limits test_sd_limits
	run_test sd-update test_sd_update
	run_test sd-pause test_sd_pause
	run_test sd-exec test_sd_exec
	run_test sd-devices test_sd_devices
	run_test sd-annotations test_sd_annotations
	run_test sd-reset-failed test_sd_reset_failed
	run_test sd-private-bus test_sd_private_bus
	run_test sd-deadline test_sd_deadline
	run_test sd-rootless test_sd_rootless
	run_test sd-faults test_sd_faults
	run_test sd-cycles test_sd_cycles
	run_test fs-cycles test_fs_cycles
	run_test no-leftovers test_no_leftovers
else # systemd's hybrid layout (systemd.unified_cgroup_hierarchy=0)
	layout=hybrid
	run_test hy-env test_hy_env
	run_test hy-create test_hy_create
	run_test hy-devices test_hy_devices
	run_test hy-cycles test_hy_cycles
	run_test no-leftovers test_no_leftovers
fi
echo "tests ($layout) $(($(date +%s) - t_start)) s" >>"$P/timing.txt"
echo DONE >>"$RES"
exit 0
