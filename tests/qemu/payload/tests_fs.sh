# Guest tests of the cgroupfs driver on a pure cgroup v2 host with every
# controller: limits are written AND enforced. Sourced by run.sh.

test_env() {
	expect_eq "$(stat -f -c %T $CG)" cgroup2fs "/sys/fs/cgroup type" || return 1
	local c
	for c in cpuset cpu io memory hugetlb pids rdma misc; do
		grep -qw "$c" $CG/cgroup.controllers || fail "controller $c missing: $(cat $CG/cgroup.controllers)" || return 1
	done
	expect_eq "$(ps -p 1 -o comm=)" systemd "PID 1" || return 1
	expect_eq "$(systemctl is-active dbus.service)" active "dbus" || return 1
	"$HUSK" --version | grep -q '+SYSTEMD' || fail "husk built without the systemd driver" || return 1
}

# The biggest process in the cgroup (a child) is OOM-killed; init lives on.
oom_cmd='sh -c "head -c 100000000 /dev/zero | tail -c 60000000 >/dev/null"; echo child-rc=$?; exec sleep 1000'

test_fs_memory() {
	local b cg
	b=$(CMD=$oom_cmd bundle fsmem '.linux.resources.memory = {limit: 16777216, swap: 16777216} |
		.process.args = ["sh", "-c", $cmd]') || return 1
	create_start h fsmem "$b" || return 1
	cg=$CG/husk/fsmem
	expect_eq "$(cat $cg/memory.max)" 16777216 "memory.max" || return 1
	expect_eq "$(cat $cg/memory.swap.max)" 0 "memory.swap.max" || return 1
	wait_for 60 output_has fsmem child-rc= || fail "no child-rc: $(cat "$W/log/fsmem.out")" || return 1
	output_has fsmem child-rc=137 || fail "child not SIGKILLed: $(cat "$W/log/fsmem.out")" || return 1
	expect_ge "$(kv $cg/memory.events oom_kill)" 1 "memory.events oom_kill" || return 1
	expect_eq "$(status_of fsmem)" running "init survives" || return 1
	h delete -f fsmem || return 1
	[ ! -d $cg ] || fail "$cg left after delete"
}

# A child shell forks 30 sleeps; busybox sh exits at the first failed fork
# ("can't fork"). The init stays (its death would end the pid namespace).
fork_cmd='sh -c "i=0; while [ \$i -lt 30 ]; do sleep 1000 & i=\$((i+1)); done; echo spawned"; echo loop-done; exec sleep 1000'

test_fs_pids() {
	local b cg
	b=$(CMD=$fork_cmd bundle fspids '.linux.resources.pids = {limit: 8} | .process.args = ["sh", "-c", $cmd]') || return 1
	create_start h fspids "$b" || return 1
	cg=$CG/husk/fspids
	expect_eq "$(cat $cg/pids.max)" 8 "pids.max" || return 1
	wait_for 60 output_has fspids loop-done || fail "loop did not end: $(head -c 300 "$W/log/fspids.out")" || return 1
	output_has fspids "can't fork" || fail "no fork failed: $(head -c 300 "$W/log/fspids.out")" || return 1
	! output_has fspids spawned || fail "all 30 forks succeeded" || return 1
	expect_ge "$(kv $cg/pids.events max)" 1 "pids.events max" || return 1
	[ "$(cat $cg/pids.current)" -le 8 ] || fail "pids.current $(cat $cg/pids.current) > 8" || return 1
	h delete -f fspids
}

spin_cmd='end=$(( $(date +%s) + 4 )); while [ $(date +%s) -lt $end ]; do :; done; echo spun; exec sleep 1000'

test_fs_cpu() {
	local b cg
	b=$(CMD=$spin_cmd bundle fscpu '.linux.resources.cpu = {shares: 2048, quota: 20000, period: 100000, cpus: "0", mems: "0", burst: 1000, idle: 0} |
		.process.args = ["sh", "-c", $cmd]') || return 1
	create_start h fscpu "$b" || return 1
	cg=$CG/husk/fscpu
	expect_eq "$(cat $cg/cpu.max)" "20000 100000" "cpu.max" || return 1
	expect_eq "$(cat $cg/cpu.weight)" 79 "cpu.weight from shares 2048" || return 1
	expect_eq "$(cat $cg/cpuset.cpus)" 0 "cpuset.cpus" || return 1
	expect_eq "$(cat $cg/cpuset.mems)" 0 "cpuset.mems" || return 1
	expect_eq "$(cat $cg/cpu.max.burst)" 1000 "cpu.max.burst" || return 1
	wait_for 120 output_has fscpu spun || fail "spin did not end" || return 1
	expect_ge "$(kv $cg/cpu.stat nr_throttled)" 1 "cpu.stat nr_throttled (quota enforced)" || return 1
	expect_ge "$(kv $cg/cpu.stat throttled_usec)" 1 "cpu.stat throttled_usec" || return 1
	h delete -f fscpu
}

test_fs_io() {
	local b cg dev major minor
	dev=$(cat /sys/block/nvme0n1/dev)
	major=${dev%:*} minor=${dev#*:}
	b=$(bundle fsio '.linux.resources.blockIO = {weight: 500,
		throttleReadBpsDevice: [{major: '"$major"', minor: '"$minor"', rate: 1048576}],
		throttleWriteIOPSDevice: [{major: '"$major"', minor: '"$minor"', rate: 100}]} |
		.process.args = ["sleep", "1000"]') || return 1
	create_start h fsio "$b" || return 1
	cg=$CG/husk/fsio
	if [ -e $cg/io.bfq.weight ]; then
		expect_match "$(cat $cg/io.bfq.weight)" "default 500" "io.bfq.weight" || return 1
	else
		expect_match "$(cat $cg/io.weight)" "default 4950" "io.weight" || return 1
	fi
	expect_match "$(cat $cg/io.max)" "^$dev rbps=1048576 wbps=max riops=max wiops=100" "io.max" || return 1
	h delete -f fsio
}

test_fs_hugetlb() {
	local b cg
	b=$(bundle fshuge '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}] |
		.process.args = ["sleep", "1000"]') || return 1
	create_start h fshuge "$b" || return 1
	cg=$CG/husk/fshuge
	expect_eq "$(cat $cg/hugetlb.2MB.max)" 4194304 "hugetlb.2MB.max" || return 1
	h delete -f fshuge
}

test_fs_unified() {
	local b cg
	b=$(bundle fsuni '.linux.resources.unified = {"memory.high": "33554432", "pids.max": "17", "cpu.weight": "123"} |
		.process.args = ["sleep", "1000"]') || return 1
	create_start h fsuni "$b" || return 1
	cg=$CG/husk/fsuni
	expect_eq "$(cat $cg/memory.high)" 33554432 "memory.high" || return 1
	expect_eq "$(cat $cg/pids.max)" 17 "pids.max" || return 1
	expect_eq "$(cat $cg/cpu.weight)" 123 "cpu.weight" || return 1
	h delete -f fsuni || return 1
	b=$(bundle fsuni2 '.linux.resources.unified = {"../cgroup.procs": "1"}') || return 1
	h create -b "$b" fsuni2 </dev/null >"$W/log/fsuni2.out" 2>&1 && fail "a key escaping the cgroup was accepted" && return 1
	grep -q 'unified' "$W/log/fsuni2.out" || fail "error does not name unified: $(cat "$W/log/fsuni2.out")"
}

test_fs_freeze() {
	local b cg
	b=$(bundle fsfrz '.process.args = ["sleep", "1000"]') || return 1
	create_start h fsfrz "$b" || return 1
	cg=$CG/husk/fsfrz
	h pause fsfrz || return 1
	expect_eq "$(cat $cg/cgroup.freeze)" 1 "cgroup.freeze" || return 1
	expect_eq "$(status_of fsfrz)" paused "status after pause" || return 1
	expect_eq "$(awk '{print $3}' /proc/"$(pid_of fsfrz)"/stat)" S "frozen task state" || true
	h resume fsfrz || return 1
	expect_eq "$(status_of fsfrz)" running "status after resume" || return 1
	h pause fsfrz || return 1
	h delete -f fsfrz || return 1 # delete of a frozen container
	[ ! -d $cg ] || fail "$cg left"
}

# v2 devices: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program. /dev/zero is in
# the container (a default device) but a rule denies it: open → EPERM.
test_fs_devices() {
	local b
	b=$(bundle fsdev '.linux.resources.devices = [{allow: false, access: "rwm"},
		{allow: true, type: "c", major: 1, minor: 3, access: "rwm"},
		{allow: false, type: "c", major: 1, minor: 5, access: "rwm"}] |
		.process.args = ["sh", "-c", "echo ok > /dev/null && echo null-ok; head -c 1 /dev/zero >/dev/null; echo zero-rc=$?"]') || return 1
	h run -b "$b" fsdev </dev/null >"$W/log/fsdev.out" 2>&1
	cat "$W/log/fsdev.out"
	output_has fsdev null-ok || fail "allowed /dev/null failed: $(cat "$W/log/fsdev.out")" || return 1
	output_has fsdev "Operation not permitted" || fail "open of denied /dev/zero did not fail with EPERM: $(cat "$W/log/fsdev.out")" || return 1
	output_has fsdev "zero-rc=1" || fail "denied device: $(cat "$W/log/fsdev.out")"
}

# --cgroup-manager=disabled: recorded in the state, no cgroup work at all.
test_disabled() {
	local b pid
	b=$(bundle dis '.linux.resources.pids = {limit: 5} | .process.args = ["sleep", "1000"]') || return 1
	create_start "dis_h" dis "$b" || return 1
	pid=$(pid_of dis)
	expect_eq "$(jq -r .cgroupManager $R/dis/state.json)" disabled "state cgroupManager" || return 1
	expect_eq "$(cgroup_of "$pid")" "$(cgroup_of $$)" "container stays in the caller's cgroup" || return 1
	[ ! -d $CG/husk/dis ] || fail "a cgroup was made" || return 1
	h update --pids-limit 10 dis 2>&1 && fail "update succeeded without a cgroup" && return 1
	h pause dis 2>&1 && fail "pause succeeded without a cgroup" && return 1
	h delete -f dis
}
dis_h() { "$HUSK" --root "$R" --cgroup-manager=disabled "$@"; }

test_fs_cycles() {
	local b i
	b=$(bundle fscyc '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50} |
		.linux.resources.cpu = {quota: 50000, period: 100000} | .process.args = ["true"]') || return 1
	local n=${FS_CYCLES:-20} tc=0 td=0 t0 t1 t2
	for i in $(seq 1 "$n"); do
		t0=$(date +%s%N)
		h create -b "$b" "fscyc-$i" </dev/null >/dev/null 2>"$W/log/fscyc.err" || fail "create $i: $(cat "$W/log/fscyc.err")" || return 1
		t1=$(date +%s%N)
		h delete -f "fscyc-$i" 2>"$W/log/fscyc.err" || fail "delete $i: $(cat "$W/log/fscyc.err")" || return 1
		t2=$(date +%s%N)
		tc=$((tc + t1 - t0)) td=$((td + t2 - t1))
	done
	echo "cgroupfs driver, $n cycles: create $((tc / n / 1000000)) ms, delete $((td / n / 1000000)) ms on average (guest, TCG)" | tee -a "$P/timing.txt"
	local left
	left=$(find $CG/husk -mindepth 1 -maxdepth 1 -name 'fscyc-*')
	[ -z "$left" ] || fail "cgroups left: $left"
}
