#!/bin/bash
# A script written for runc 1.1's command line, run unchanged: the test puts a `runc`
# that is the runtime under test first in PATH.
#   runc-compat.sh BUNDLE STATE_ROOT LOG_FILE ID
# BUNDLE has a rootfs and a config.json whose process sleeps until SIGTERM.
# Prints "step NAME" lines the test checks; exits non-zero at the first failure.
set -euo pipefail
bundle=$1 root=$2 log=$3 id=$4
step() { echo "step $*"; }
r() { runc --root "$root" --log "$log" --log-format json "$@"; }
status_is() { r state "$1" | grep "\"status\": *\"$2\"" >/dev/null; }
wait_status() { for _ in $(seq 200); do status_is "$1" "$2" && return 0; sleep 0.05; done; return 1; }

runc --version | grep ' version ' >/dev/null
runc --help | grep create >/dev/null
runc create --help >/dev/null
runc --debug --rootless false --systemd-cgroup list >/dev/null
runc --root "$root" --log-format=text --log="$log" list -q >/dev/null
step globals

r create --bundle "$bundle" --pid-file "$bundle/init.pid" --no-new-keyring "$id"
status_is "$id" created
test "$(cat "$bundle/init.pid")" -gt 1
r start "$id"
wait_status "$id" running
step create-start

test "$(r exec "$id" sh -c 'echo exec-ok')" = exec-ok
test "$(r exec --env FOO=bar --user 1000:1000 --cwd /tmp "$id" sh -c 'echo "$FOO $(id -u) $(pwd)"')" = "bar 1000 /tmp"
set +e
r exec "$id" sh -c 'exit 7'
rc=$?
set -e
test "$rc" = 7
r exec --detach --pid-file "$bundle/exec.pid" "$id" sleep 1
test -s "$bundle/exec.pid"
step exec

r ps --format json "$id" | grep "$(cat "$bundle/init.pid")" >/dev/null
r pause "$id"
status_is "$id" paused
r resume "$id"
status_is "$id" running
r update --pids-limit 200 "$id"
r events --stats "$id" | grep '"type": *"stats"' >/dev/null
r list | grep "^$id " >/dev/null
r list -q | grep -x "$id" >/dev/null
r list --format json | grep "\"id\": *\"$id\"" >/dev/null
step operations

r kill "$id"               # SIGTERM by default
wait_status "$id" stopped
r kill "$id" KILL && exit 1 || true   # a stopped container: an error...
r kill --all "$id" 9       # ...but --all on a stopped container succeeds
r delete "$id"
r state "$id" 2>/dev/null && exit 1
r delete --force "$id"     # gone already: --force still succeeds
step kill-delete

# the usual "runc spec, edit, run" flow, in the foreground with the exit status
spec=$bundle/spec-bundle
mkdir -p "$spec"
cp -a "$bundle/rootfs" "$spec/rootfs"
(cd "$spec" && runc spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/^\(\s*\)"sh"$/\1"sh", "-c", "echo spec-run; exit 3"/' "$spec/config.json"
set +e
out=$(cd "$spec" && r run "$id-spec")
rc=$?
set -e
test "$rc" = 3
test "$out" = spec-run
r state "$id-spec" 2>/dev/null && exit 1
step spec-run

r run --detach --bundle "$bundle" "$id-d"
wait_status "$id-d" running
r kill "$id-d" SIGKILL
wait_status "$id-d" stopped
r delete "$id-d"
step run-detach
