# Helpers for the guest tests (sourced by run.sh). Every check prints what it
# saw and returns non-zero; a test function stops at the first failed check
# (`|| return 1`).
HUSK=$P/bin/husk
R=/run/husk-test     # husk --root
W=/var/tmp/husk-guest # bundles, logs
CG=/sys/fs/cgroup

h() { "$HUSK" --root "$R" "$@"; }
hs() { "$HUSK" --root "$R" --systemd-cgroup "$@"; }

fail() {
	echo "FAIL: $*"
	return 1
}

expect_eq() { # got want what
	[ "$1" = "$2" ] && return 0
	fail "$3: got '$1', want '$2'"
}

expect_match() { # text regex what
	printf '%s' "$1" | grep -Eq -- "$2" && return 0
	fail "$3: '$1' does not match /$2/"
}

expect_ge() { # got min what
	[ -n "$1" ] && [ "$1" -ge "$2" ] 2>/dev/null && return 0
	fail "$3: got '$1', want >= $2"
}

# First value of KEY in a "key value" cgroup file (memory.events, pids.events, cpu.stat).
kv() { awk -v k="$2" '$1 == k {print $2; exit}' "$1" 2>/dev/null; }

# One shared read-only busybox rootfs for every bundle.
make_rootfs() {
	local r=$W/rootfs a
	[ -x "$r/bin/busybox" ] && return 0
	mkdir -p "$r"/{bin,proc,sys,dev,tmp,etc,root}
	cp "$P/bin/busybox" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
}

# bundle NAME JQ-FILTER: prints the bundle directory. The config is `husk
# spec` with the shared rootfs, no terminal, no cgroup mount, then FILTER
# (in which $cmd is the environment variable CMD).
bundle() {
	local d=$W/b/$1
	rm -rf "$d"
	mkdir -p "$d"
	(cd "$d" && "$HUSK" spec) || return 1
	jq --arg root "$W/rootfs" --arg cmd "${CMD:-}" '.root.path = $root | .root.readonly = true |
		.process.terminal = false | .mounts |= map(select(.type != "cgroup")) |
		.linux.resources = (.linux.resources // {}) | '"$2" "$d/config.json" >"$d/c.json" &&
		mv "$d/c.json" "$d/config.json" && echo "$d"
}

# create_start MANAGER-FUNC ID BUNDLE: create + start, output in $W/log/ID.out.
create_start() {
	"$1" create -b "$3" "$2" </dev/null >"$W/log/$2.out" 2>&1 ||
		fail "create $2: $(tail -n 3 "$W/log/$2.out")" || return 1
	"$1" start "$2" >>"$W/log/$2.out" 2>&1 || fail "start $2: $(tail -n 3 "$W/log/$2.out")"
}

status_of() { h state "$1" 2>/dev/null | jq -r .status; }
pid_of() { h state "$1" 2>/dev/null | jq -r .pid; }

# wait_for SECONDS CMD...: polls CMD every 0.2 s.
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	"$@"
}

output_has() { grep -q -- "$2" "$W/log/$1.out"; }

# The unified line of /proc/PID/cgroup.
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

unit_prop() { systemctl show -p "$2" --value "$1"; }

# husk-made units and cgroups still present (the leak check).
husk_units() { systemctl list-units --all --no-legend --plain 'husk-*.scope' 'hcyc-*.scope' 'pfx-*.scope' 2>/dev/null | awk '{print $1}'; }
husk_cgroups() {
	find "$CG" -maxdepth 4 -type d \( -name 'husk-*.scope' -o -name 'hcyc-*.scope' -o -name 'pfx-*.scope' \) 2>/dev/null
	find "$CG/husk" -mindepth 1 -maxdepth 1 -type d 2>/dev/null
}
