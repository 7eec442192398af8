# Guest tests of the systemd driver against the guest's real systemd:
# scopes observed with systemctl and in /sys/fs/cgroup. Sourced by run.sh.

scope_dir() { echo "$CG$(unit_prop "$1" ControlGroup)"; }

unit_gone() { # UNIT: not loaded, and its cgroup is gone
	expect_eq "$(unit_prop "$1" LoadState)" not-found "LoadState of $1" || return 1
	[ ! -d "$CG/system.slice/$1" ] || fail "$CG/system.slice/$1 left"
}

test_sd_create() {
	local b u=husk-sdc.scope pid d
	b=$(bundle sdc '.linux.cgroupsPath = "system.slice:husk:sdc" |
		.linux.resources.memory = {limit: 67108864, reservation: 8388608} |
		.linux.resources.pids = {limit: 50} |
		.linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000, cpus: "0-1", mems: "0"} |
		.linux.resources.blockIO = {weight: 500} |
		.process.args = ["sleep", "1000"]') || return 1
	hs create -b "$b" sdc </dev/null >"$W/log/sdc.out" 2>&1 || fail "create: $(cat "$W/log/sdc.out")" || return 1
	expect_eq "$(systemctl is-active $u)" active "$u is active" || return 1
	expect_eq "$(unit_prop $u Delegate)" yes "Delegate" || return 1
	expect_eq "$(unit_prop $u Slice)" system.slice "Slice" || return 1
	expect_eq "$(unit_prop $u Description)" "husk container sdc" "Description" || return 1
	expect_eq "$(unit_prop $u MemoryMax)" 67108864 "MemoryMax" || return 1
	expect_eq "$(unit_prop $u MemoryLow)" 8388608 "MemoryLow" || return 1
	expect_eq "$(unit_prop $u TasksMax)" 50 "TasksMax" || return 1
	expect_eq "$(unit_prop $u CPUQuotaPerSecUSec)" 500ms "CPUQuotaPerSecUSec" || return 1
	expect_eq "$(unit_prop $u CPUWeight)" 39 "CPUWeight (shares 1024)" || return 1
	expect_eq "$(unit_prop $u IOWeight)" 4950 "IOWeight (blkio 500)" || return 1
	expect_eq "$(unit_prop $u AllowedCPUs)" 0-1 "AllowedCPUs" || return 1
	expect_eq "$(unit_prop $u AllowedMemoryNodes)" 0 "AllowedMemoryNodes" || return 1
	pid=$(pid_of sdc)
	expect_eq "$(cgroup_of "$pid")" /system.slice/$u "/proc/PID/cgroup of the init" || return 1
	d=$CG/system.slice/$u
	expect_eq "$(cat $d/memory.max)" 67108864 "memory.max" || return 1
	expect_eq "$(cat $d/pids.max)" 50 "pids.max" || return 1
	expect_eq "$(cat $d/cpu.max)" "50000 100000" "cpu.max" || return 1
	expect_eq "$(cat $d/cpu.weight)" 39 "cpu.weight" || return 1
	expect_eq "$(cat $d/cpuset.cpus)" 0-1 "cpuset.cpus" || return 1
	expect_eq "$(jq -r .cgroupManager $R/sdc/state.json)" systemd "state: cgroupManager" || return 1
	expect_eq "$(jq -r .systemdScope $R/sdc/state.json)" $u "state: systemdScope" || return 1
	expect_eq "$(jq -r .cgroupPath $R/sdc/state.json)" /system.slice/$u "state: cgroupPath" || return 1
	h start sdc || return 1 # no --systemd-cgroup: the state says systemd
	expect_eq "$(status_of sdc)" running "status" || return 1
	h ps sdc | grep -qw "$pid" || fail "ps does not list the init" || return 1
	h delete -f sdc || return 1
	unit_gone $u
}

test_sd_slice() {
	local b u=pfx-sdsl.scope
	b=$(bundle sdsl '.linux.cgroupsPath = "husktest-a-b.slice:pfx:sdsl" | .process.args = ["sleep", "1000"]') || return 1
	create_start hs sdsl "$b" || return 1
	expect_eq "$(cgroup_of "$(pid_of sdsl)")" /husktest.slice/husktest-a.slice/husktest-a-b.slice/$u "nested slice path" || return 1
	expect_eq "$(unit_prop $u Slice)" husktest-a-b.slice "Slice" || return 1
	h delete -f sdsl || return 1
	expect_eq "$(unit_prop $u LoadState)" not-found "unit after delete" || return 1
	systemctl stop husktest.slice
	b=$(bundle sddef '.process.args = ["sleep", "1000"]') || return 1
	create_start hs sddef "$b" || return 1
	expect_eq "$(cgroup_of "$(pid_of sddef)")" /system.slice/husk-sddef.scope "default: system.slice/husk-ID.scope" || return 1
	h delete -f sddef || return 1
	unit_gone husk-sddef.scope
}

test_sd_bad_path() {
	local b
	b=$(bundle sdbad '.linux.cgroupsPath = "/not/a/slice/path"') || return 1
	hs create -b "$b" sdbad </dev/null >"$W/log/sdbad.out" 2>&1 && fail "a plain path was accepted" && return 1
	grep -q 'slice:prefix:name' "$W/log/sdbad.out" || fail "message: $(cat "$W/log/sdbad.out")" || return 1
	[ ! -e $R/sdbad ] || fail "state left after a failed create" || return 1
	b=$(bundle sdbad2 '.linux.cgroupsPath = "system.slice:husk:sdbad2" | .annotations = {"org.systemd.property.Foo": "12"}') || return 1
	hs create -b "$b" sdbad2 </dev/null >"$W/log/sdbad2.out" 2>&1 && fail "an untyped annotation was accepted" && return 1
	grep -q 'org.systemd.property.Foo' "$W/log/sdbad2.out" || fail "message: $(cat "$W/log/sdbad2.out")" || return 1
	unit_gone husk-sdbad2.scope
}

test_sd_limits() {
	local b d
	b=$(CMD=$fork_cmd bundle sdpids '.linux.resources.pids = {limit: 8} | .process.args = ["sh", "-c", $cmd]') || return 1
	create_start hs sdpids "$b" || return 1
	d=$(scope_dir husk-sdpids.scope)
	wait_for 60 output_has sdpids loop-done || fail "loop did not end: $(head -c 300 "$W/log/sdpids.out")" || return 1
	output_has sdpids "can't fork" || fail "no fork failed: $(head -c 300 "$W/log/sdpids.out")" || return 1
	! output_has sdpids spawned || fail "all 30 forks succeeded" || return 1
	expect_ge "$(kv "$d/pids.events" max)" 1 "pids.events max in the scope" || return 1
	h delete -f sdpids || return 1
	unit_gone husk-sdpids.scope || return 1

	b=$(CMD=$oom_cmd bundle sdmem '.linux.resources.memory = {limit: 16777216, swap: 16777216} | .process.args = ["sh", "-c", $cmd]') || return 1
	create_start hs sdmem "$b" || return 1
	d=$(scope_dir husk-sdmem.scope)
	expect_eq "$(cat "$d/memory.max")" 16777216 "memory.max" || return 1
	wait_for 60 output_has sdmem child-rc= || fail "no child-rc: $(cat "$W/log/sdmem.out")" || return 1
	output_has sdmem child-rc=137 || fail "child not OOM-killed: $(cat "$W/log/sdmem.out")" || return 1
	expect_ge "$(kv "$d/memory.events" oom_kill)" 1 "memory.events oom_kill" || return 1
	expect_eq "$(systemctl is-active husk-sdmem.scope)" active "scope stays (OOMPolicy continue)" || return 1
	h delete -f sdmem || return 1
	unit_gone husk-sdmem.scope
}

test_sd_update() {
	local b u=husk-sdup.scope d
	b=$(bundle sdup '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50} |
		.process.args = ["sleep", "1000"]') || return 1
	create_start hs sdup "$b" || return 1
	d=$(scope_dir $u)
	h update --memory 33554432 --pids-limit 20 --cpu-quota 30000 --cpu-period 100000 --cpu-shares 512 sdup || return 1
	expect_eq "$(unit_prop $u MemoryMax)" 33554432 "MemoryMax after update" || return 1
	expect_eq "$(unit_prop $u TasksMax)" 20 "TasksMax after update" || return 1
	expect_eq "$(unit_prop $u CPUQuotaPerSecUSec)" 300ms "CPUQuotaPerSecUSec after update" || return 1
	expect_eq "$(cat $d/memory.max)" 33554432 "memory.max after update" || return 1
	expect_eq "$(cat $d/pids.max)" 20 "pids.max after update" || return 1
	expect_eq "$(cat $d/cpu.max)" "30000 100000" "cpu.max after update" || return 1
	# systemd rewrites the files of the properties it owns: the values hold
	systemctl daemon-reload || return 1
	expect_eq "$(cat $d/memory.max)" 33554432 "memory.max after daemon-reload" || return 1
	expect_eq "$(cat $d/pids.max)" 20 "pids.max after daemon-reload" || return 1
	expect_eq "$(cat $d/cpu.max)" "30000 100000" "cpu.max after daemon-reload" || return 1
	echo '{"pids": {"limit": 30}}' | h update -r - sdup || return 1
	expect_eq "$(unit_prop $u TasksMax)" 30 "TasksMax after update -r" || return 1
	h delete -f sdup || return 1
	unit_gone $u
}

test_sd_pause() {
	local b u=husk-sdpa.scope d
	b=$(bundle sdpa '.process.args = ["sleep", "1000"]') || return 1
	create_start hs sdpa "$b" || return 1
	d=$(scope_dir $u)
	h pause sdpa || return 1
	expect_eq "$(cat $d/cgroup.freeze)" 1 "cgroup.freeze of the scope" || return 1
	grep -q 'frozen 1' $d/cgroup.events || fail "cgroup.events not frozen" || return 1
	expect_eq "$(status_of sdpa)" paused "status paused" || return 1
	h resume sdpa || return 1
	expect_eq "$(cat $d/cgroup.freeze)" 0 "cgroup.freeze after resume" || return 1
	expect_eq "$(status_of sdpa)" running "status running" || return 1
	h pause sdpa || return 1
	h delete -f sdpa || return 1 # frozen at delete
	unit_gone $u
}

test_sd_exec() {
	local b u=husk-sdex.scope out
	b=$(bundle sdex '.process.args = ["sleep", "1000"]') || return 1
	create_start hs sdex "$b" || return 1
	out=$(h exec sdex cat /proc/self/cgroup) || fail "exec: $out" || return 1
	expect_eq "$out" "0::/" "exec'd process inside the container's cgroup namespace" || return 1
	h exec -d sdex sleep 999 || return 1
	local n
	n=$(wc -l <"$(scope_dir $u)/cgroup.procs")
	expect_ge "$n" 2 "processes in the scope after exec" || return 1
	h delete -f sdex || return 1
	unit_gone $u
}

test_sd_annotations() {
	local b u=husk-sdan.scope
	b=$(bundle sdan '.annotations = {"org.systemd.property.TimeoutStopUSec": "uint64 123456789",
		"org.systemd.property.RuntimeMaxSec": "3600", "org.systemd.property.CollectMode": "'"'inactive'"'"} |
		.process.args = ["sleep", "1000"]') || return 1
	create_start hs sdan "$b" || return 1
	expect_eq "$(unit_prop $u TimeoutStopUSec)" "2min 3.456789s" "TimeoutStopUSec" || return 1
	expect_eq "$(unit_prop $u RuntimeMaxUSec)" 1h "RuntimeMaxUSec (from RuntimeMaxSec)" || return 1
	expect_eq "$(unit_prop $u CollectMode)" inactive "CollectMode" || return 1
	h delete -f sdan || return 1
	unit_gone $u
}

# A failed unit of the same name is in the way: ResetFailedUnit and retry.
test_sd_reset_failed() {
	local b u=husk-sdrf.scope
	systemd-run --scope --unit=$u -p RuntimeMaxSec=1 -p CollectMode=inactive sleep 30 >/dev/null 2>&1 &
	wait_for 30 systemctl is-failed --quiet $u || fail "could not make a failed $u: $(systemctl status $u 2>&1 | head -5)" || return 1
	b=$(bundle sdrf '.process.args = ["sleep", "1000"]') || return 1
	create_start hs sdrf "$b" || return 1
	expect_eq "$(systemctl is-active $u)" active "$u active again" || return 1
	expect_eq "$(cgroup_of "$(pid_of sdrf)")" /system.slice/$u "placement" || return 1
	h delete -f sdrf || return 1
	unit_gone $u || return 1
	# an ACTIVE unit of that name is someone else's: refused, and left alone
	systemd-run --scope --unit=$u sleep 1000 >/dev/null 2>&1 &
	wait_for 30 systemctl is-active --quiet $u || fail "could not start $u" || return 1
	hs create -b "$b" sdrf </dev/null >"$W/log/sdrf2.out" 2>&1 && fail "created over an active unit" && return 1
	grep -q 'already exists' "$W/log/sdrf2.out" || fail "message: $(cat "$W/log/sdrf2.out")" || return 1
	expect_eq "$(systemctl is-active $u)" active "the other unit is untouched" || return 1
	[ ! -e $R/sdrf ] || fail "state left" || return 1
	systemctl stop $u
}

# systemd's own socket when there is no bus daemon. Several cycles: StopUnit
# is a short message, and one sent right after BEGIN used to stay unread by
# systemd's sd-bus (about 1 delete in 3 hung until the deadline).
test_sd_private_bus() {
	local b i u=husk-sdpb.scope
	b=$(bundle sdpb '.linux.resources.pids = {limit: 12} | .process.args = ["sleep", "1000"]') || return 1
	for i in $(seq 1 "${PB_CYCLES:-8}"); do
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent create_start hs sdpb "$b" || return 1
		expect_eq "$(unit_prop $u TasksMax)" 12 "TasksMax via /run/systemd/private" || return 1
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent h update --pids-limit 13 sdpb || return 1
		expect_eq "$(unit_prop $u TasksMax)" 13 "update via /run/systemd/private" || return 1
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent HUSK_SYSTEMD_TIMEOUT=10 h delete -f sdpb ||
			fail "delete, cycle $i" || return 1
		unit_gone $u || return 1
	done
}

# A hung bus: every call has a deadline, so create fails instead of hanging.
test_sd_deadline() {
	local b dbus t0 t1 rc
	b=$(bundle sddl '.process.args = ["sleep", "1000"]') || return 1
	dbus=$(systemctl show -p MainPID --value dbus.service)
	[ "$dbus" -gt 0 ] || fail "no dbus-daemon" || return 1
	kill -STOP "$dbus"
	t0=$(date +%s)
	HUSK_SYSTEMD_TIMEOUT=3 timeout 60 "$HUSK" --root "$R" --systemd-cgroup create -b "$b" sddl </dev/null >"$W/log/sddl.out" 2>&1
	rc=$?
	t1=$(date +%s)
	kill -CONT "$dbus"
	cat "$W/log/sddl.out"
	[ $rc -ne 0 ] || fail "create succeeded with a stopped dbus-daemon" || return 1
	[ $rc -ne 124 ] || fail "create hung (killed by timeout 60)" || return 1
	grep -q 'within 3 s' "$W/log/sddl.out" || fail "message: $(cat "$W/log/sddl.out")" || return 1
	echo "failed after $((t1 - t0)) s"
	[ ! -e $R/sddl ] || fail "state left" || return 1
	# what dbus-daemon delivers late must not leave a unit behind
	sleep 3
	expect_eq "$(unit_prop husk-sddl.scope ActiveState)" inactive "late unit" || return 1
	expect_eq "$(unit_prop husk-sddl.scope LoadState)" not-found "late unit is collected"
}

test_sd_cycles() {
	local b i n=${SD_CYCLES:-100} left
	b=$(bundle hcyc '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50} |
		.linux.resources.cpu = {quota: 50000, period: 100000, shares: 512} | .process.args = ["true"]') || return 1
	local tc=0 td=0 t0 t1 t2
	for i in $(seq 1 "$n"); do
		jq --arg p "system.slice:hcyc:$i" '.linux.cgroupsPath = $p' "$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json"
		t0=$(date +%s%N)
		hs create -b "$b" "hcyc-$i" </dev/null >/dev/null 2>"$W/log/hcyc.err" || fail "create $i: $(cat "$W/log/hcyc.err")" || return 1
		t1=$(date +%s%N)
		h delete -f "hcyc-$i" 2>"$W/log/hcyc.err" || fail "delete $i: $(cat "$W/log/hcyc.err")" || return 1
		t2=$(date +%s%N)
		tc=$((tc + t1 - t0)) td=$((td + t2 - t1))
	done
	echo "systemd driver, $n cycles: create $((tc / n / 1000000)) ms, delete $((td / n / 1000000)) ms on average (guest, TCG)" | tee -a "$P/timing.txt"
	left=$(systemctl list-units --all --no-legend --plain 'hcyc-*')
	[ -z "$left" ] || fail "units left: $left" || return 1
	left=$(find $CG/system.slice -maxdepth 1 -name 'hcyc-*')
	[ -z "$left" ] || fail "cgroups left: $left"
}

test_no_leftovers() {
	local u c
	u=$(husk_units)
	c=$(husk_cgroups)
	[ -z "$u" ] || fail "units left: $u" || return 1
	[ -z "$c" ] || fail "cgroups left: $c" || return 1
	[ -z "$(ls $R)" ] || fail "state left: $(ls $R)"
}

# Rootless: the user manager's bus (and its private socket), a scope in the
# user's slice, the limits user@.service delegates (pids memory cpu).
RL_USER=husku
rl() { runuser -u $RL_USER -- env XDG_RUNTIME_DIR=/run/user/1000 "$@"; }
rl_unit_prop() { rl systemctl --user show -p "$2" --value "$1"; }

test_sd_rootless() {
	local d b u=husk-rl1.scope pid ucg
	id $RL_USER >/dev/null 2>&1 || useradd -m -u 1000 $RL_USER || return 1
	loginctl enable-linger $RL_USER || return 1
	wait_for 120 systemctl is-active --quiet user@1000.service || fail "user@1000.service: $(systemctl status user@1000.service 2>&1 | head -5)" || return 1
	wait_for 30 test -S /run/user/1000/systemd/private || fail "no user manager socket" || return 1
	d=$W/rl
	rm -rf "$d" && mkdir -p "$d" && chown $RL_USER "$d" && chmod 755 $W $W/b 2>/dev/null
	(cd "$d" && rl "$HUSK" spec --rootless) || return 1
	CMD=$fork_cmd jq --arg root "$W/rootfs" '.root.path = $root | .root.readonly = true |
		.process.terminal = false | .mounts |= map(select(.type != "cgroup")) |
		.linux.resources = {pids: {limit: 8}, memory: {limit: 67108864}, cpu: {quota: 50000, period: 100000}} |
		.process.args = ["sh", "-c", $ENV.CMD]' "$d/config.json" >"$d/c.json" || return 1
	mv "$d/c.json" "$d/config.json" && chown $RL_USER "$d/config.json"
	rl "$HUSK" --systemd-cgroup create -b "$d" rl1 </dev/null >"$W/log/rl1.out" 2>&1 || fail "create: $(cat "$W/log/rl1.out")" || return 1
	rl "$HUSK" start rl1 >>"$W/log/rl1.out" 2>&1 || fail "start: $(cat "$W/log/rl1.out")" || return 1
	pid=$(rl "$HUSK" state rl1 | jq -r .pid)
	ucg=/user.slice/user-1000.slice/user@1000.service/user.slice/$u
	expect_eq "$(cgroup_of "$pid")" "$ucg" "placement in the user manager's scope" || return 1
	expect_eq "$(rl_unit_prop $u TasksMax)" 8 "TasksMax (systemctl --user)" || return 1
	expect_eq "$(rl_unit_prop $u MemoryMax)" 67108864 "MemoryMax (systemctl --user)" || return 1
	expect_eq "$(cat $CG$ucg/pids.max)" 8 "pids.max" || return 1
	expect_eq "$(cat $CG$ucg/cpu.max)" "50000 100000" "cpu.max" || return 1
	wait_for 60 output_has rl1 loop-done || fail "loop did not end: $(cat "$W/log/rl1.out")" || return 1
	output_has rl1 "can't fork" || fail "pids limit not enforced: $(cat "$W/log/rl1.out")" || return 1
	rl "$HUSK" update --pids-limit 12 rl1 || return 1
	expect_eq "$(rl_unit_prop $u TasksMax)" 12 "TasksMax after update" || return 1
	rl "$HUSK" pause rl1 || return 1
	expect_eq "$(cat $CG$ucg/cgroup.freeze)" 1 "frozen" || return 1
	rl "$HUSK" resume rl1 || return 1
	rl "$HUSK" delete -f rl1 || return 1
	expect_eq "$(rl_unit_prop $u LoadState)" not-found "unit after delete" || return 1
	[ ! -d "$CG$ucg" ] || fail "$ucg left" || return 1
	# no user bus daemon: the user manager's private socket
	jq '.process.args = ["sh", "-c", "cat /proc/self/cgroup; echo rl2-ran"] | .linux.namespaces |= map(select(.type != "cgroup"))' \
		"$d/config.json" >"$d/c.json" && mv "$d/c.json" "$d/config.json" && chown $RL_USER "$d/config.json"
	rl env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$HUSK" --systemd-cgroup run -b "$d" rl2 </dev/null >"$W/log/rl2.out" 2>&1
	output_has rl2 rl2-ran || fail "run via the private socket: $(cat "$W/log/rl2.out")" || return 1
	output_has rl2 "user@1000.service/user.slice/husk-rl2.scope" || fail "rl2 not in its scope: $(cat "$W/log/rl2.out")" || return 1
	expect_eq "$(rl_unit_prop husk-rl2.scope LoadState)" not-found "unit after run" || return 1
	[ -z "$(rl "$HUSK" list -q)" ] || fail "containers left: $(rl "$HUSK" list -q)"
}

# Failures injected at each step of the systemd setup (HUSK_FAULT, see
# src/util/fault.h): fail → create fails and removes what it made; kill → the
# runtime dies there, `delete --force` cleans the state, and the scope (never
# recorded) goes away with the init. Either way no unit, cgroup or process.
test_sd_faults() {
	local b pt act id n=0 left
	b=$(bundle sdflt '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 40},
		devices: [{allow: false, access: "rwm"}]} | .process.args = ["sleep", "1717"]') || return 1
	for pt in systemd:scope-started cgroup:wrote-v2 cgroup:wrote-devices cgroup:joined create:created; do
		for act in fail kill; do
			n=$((n + 1))
			id=sdflt$n
			HUSK_FAULT=$pt=$act "$HUSK" --root "$R" --systemd-cgroup create -b "$b" $id </dev/null >"$W/log/$id.out" 2>&1 &&
				fail "$pt=$act: create succeeded" && return 1
			if [ $act = kill ]; then
				h delete -f $id >>"$W/log/$id.out" 2>&1 || fail "$pt=$act: delete -f: $(cat "$W/log/$id.out")" || return 1
			fi
			wait_for 15 test "$(unit_prop husk-$id.scope LoadState)" = not-found ||
				fail "$pt=$act: unit left: $(systemctl status husk-$id.scope 2>&1 | head -3)" || return 1
			[ ! -d $CG/system.slice/husk-$id.scope ] || fail "$pt=$act: cgroup left" || return 1
			[ ! -e $R/$id ] || fail "$pt=$act: state left" || return 1
			left=$(pgrep -af 'sleep 1717')
			[ -z "$left" ] || fail "$pt=$act: processes left: $left" || return 1
			echo "$pt=$act: clean"
		done
	done
}

# The eBPF device filter in a scope, and after systemd re-applies the unit
# (daemon-reload): an open of a denied device still fails with EPERM.
test_sd_devices() {
	local b out
	b=$(bundle sddev '.linux.resources.devices = [{allow: false, access: "rwm"},
		{allow: true, type: "c", major: 1, minor: 3, access: "rwm"},
		{allow: false, type: "c", major: 1, minor: 5, access: "rwm"}] |
		.process.args = ["sleep", "1000"]') || return 1
	create_start hs sddev "$b" || return 1
	out=$(h exec sddev sh -c 'echo x >/dev/null && echo null-ok; head -c 1 /dev/zero >/dev/null' 2>&1)
	echo "$out"
	expect_match "$out" "null-ok" "allowed /dev/null" || return 1
	expect_match "$out" "Operation not permitted" "denied /dev/zero" || return 1
	systemctl daemon-reload || return 1
	out=$(h exec sddev sh -c 'head -c 1 /dev/zero >/dev/null' 2>&1)
	expect_match "$out" "Operation not permitted" "denied /dev/zero after daemon-reload" || return 1
	h delete -f sddev || return 1
	unit_gone husk-sddev.scope
}
