# Guest tests on systemd's hybrid layout (v1 controllers, systemd's named
# hierarchy, the unified tree at /sys/fs/cgroup/unified): the guest booted
# with systemd.unified_cgroup_hierarchy=0. Sourced by run.sh.

v1dir() { echo "$CG/$1$2"; } # CONTROLLER PATH

test_hy_env() {
	expect_eq "$(stat -f -c %T $CG/unified)" cgroup2fs "unified tree" || return 1
	local c
	for c in memory cpu pids freezer devices blkio systemd; do
		[ -d $CG/$c ] || fail "no v1 hierarchy $c" || return 1
	done
	expect_eq "$(ps -p 1 -o comm=)" systemd "PID 1"
}

test_hy_create() {
	local b u=husk-hyc.scope p=/system.slice/husk-hyc.scope pid
	b=$(bundle hyc '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50} |
		.linux.resources.cpu = {shares: 512, quota: 50000, period: 100000} |
		.process.args = ["sleep", "1000"]') || return 1
	create_start hs hyc "$b" || return 1
	expect_eq "$(unit_prop $u Delegate)" yes "Delegate" || return 1
	expect_eq "$(unit_prop $u MemoryLimit)" 67108864 "MemoryLimit (v1 name)" || return 1
	expect_eq "$(unit_prop $u CPUShares)" 512 "CPUShares (v1 name)" || return 1
	expect_eq "$(unit_prop $u TasksMax)" 50 "TasksMax" || return 1
	pid=$(pid_of hyc)
	grep -q ":memory:$p\$" /proc/$pid/cgroup || fail "memory placement: $(cat /proc/$pid/cgroup)" || return 1
	grep -q ":freezer:$p\$" /proc/$pid/cgroup || fail "freezer (not systemd's) placement: $(cat /proc/$pid/cgroup)" || return 1
	grep -q "^0::$p\$" /proc/$pid/cgroup || fail "unified placement: $(cat /proc/$pid/cgroup)" || return 1
	expect_eq "$(cat "$(v1dir memory $p)/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes" || return 1
	expect_eq "$(cat "$(v1dir cpu $p)/cpu.shares")" 512 "cpu.shares" || return 1
	expect_eq "$(cat "$(v1dir cpu $p)/cpu.cfs_quota_us")" 50000 "cpu.cfs_quota_us" || return 1
	expect_eq "$(cat "$(v1dir pids $p)/pids.max")" 50 "pids.max" || return 1
	h pause hyc || return 1
	expect_eq "$(cat "$(v1dir freezer $p)/freezer.state")" FROZEN "freezer.state" || return 1
	h resume hyc || return 1
	h update --memory 33554432 --cpu-shares 256 --pids-limit 20 hyc || return 1
	expect_eq "$(unit_prop $u MemoryLimit)" 33554432 "MemoryLimit after update" || return 1
	systemctl daemon-reload || return 1
	expect_eq "$(cat "$(v1dir memory $p)/memory.limit_in_bytes")" 33554432 "memory.limit_in_bytes after update + daemon-reload" || return 1
	expect_eq "$(cat "$(v1dir cpu $p)/cpu.shares")" 256 "cpu.shares after update + daemon-reload" || return 1
	expect_eq "$(cat "$(v1dir pids $p)/pids.max")" 20 "pids.max after update + daemon-reload" || return 1
	h delete -f hyc || return 1
	expect_eq "$(unit_prop $u LoadState)" not-found "unit after delete" || return 1
	local left
	left=$(find $CG -maxdepth 3 -name "$u")
	[ -z "$left" ] || fail "cgroups left: $left"
}

# v1 devices cgroup of a scope: the rules hold, also after systemd re-applies
# the unit (daemon-reload).
test_hy_devices() {
	local b out
	b=$(bundle hydev '.linux.resources.devices = [{allow: false, access: "rwm"},
		{allow: true, type: "c", major: 1, minor: 3, access: "rwm"},
		{allow: false, type: "c", major: 1, minor: 5, access: "rwm"}] |
		.process.args = ["sleep", "1000"]') || return 1
	create_start hs hydev "$b" || return 1
	expect_eq "$(unit_prop husk-hydev.scope DevicePolicy)" strict "DevicePolicy" || return 1
	expect_match "$(unit_prop husk-hydev.scope DeviceAllow)" "/dev/char/1:3 rwm" "DeviceAllow" || return 1
	out=$(h exec hydev sh -c 'echo x >/dev/null && echo null-ok; head -c 1 /dev/zero >/dev/null' 2>&1)
	expect_match "$out" "null-ok" "allowed /dev/null" || return 1
	expect_match "$out" "Operation not permitted" "denied /dev/zero" || return 1
	systemctl daemon-reload || return 1
	out=$(h exec hydev sh -c 'head -c 1 /dev/zero >/dev/null' 2>&1)
	expect_match "$out" "Operation not permitted" "denied /dev/zero after daemon-reload" || return 1
	h delete -f hydev
}

test_hy_cycles() {
	local b i n=${HY_CYCLES:-20} left
	b=$(bundle hcyc '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50} |
		.process.args = ["true"]') || return 1
	for i in $(seq 1 "$n"); do
		jq --arg p "system.slice:hcyc:$i" '.linux.cgroupsPath = $p' "$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
		hs create -b "$b" "hcyc-$i" </dev/null >/dev/null 2>"$W/log/hcyc.err" || fail "create $i: $(cat "$W/log/hcyc.err")" || return 1
		h delete -f "hcyc-$i" 2>"$W/log/hcyc.err" || fail "delete $i: $(cat "$W/log/hcyc.err")" || return 1
		h create -b "$b" "hfs-$i" </dev/null >/dev/null 2>"$W/log/hcyc.err" || fail "cgroupfs create $i: $(cat "$W/log/hcyc.err")" || return 1
		h delete -f "hfs-$i" 2>"$W/log/hcyc.err" || fail "cgroupfs delete $i: $(cat "$W/log/hcyc.err")" || return 1
	done
	echo "$n cycles of each driver"
	left=$(systemctl list-units --all --no-legend --plain 'hcyc-*')
	[ -z "$left" ] || fail "units left: $left" || return 1
	left=$(find $CG -maxdepth 4 \( -name 'hcyc-*' -o -name 'hfs-*' \))
	[ -z "$left" ] || fail "cgroups left: $left"
}
