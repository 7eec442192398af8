#!/bin/bash
# A script written for crun's command line, run unchanged: the test puts a `crun` that
# is the runtime under test first in PATH.
#   crun-compat.sh BUNDLE STATE_ROOT LOG_FILE ID
# BUNDLE has a rootfs and a config.json whose process sleeps until SIGTERM.
# Prints "step NAME" lines the test checks; exits non-zero at the first failure.
set -euo pipefail
bundle=$1 root=$2 log=$3 id=$4
step() { echo "step $*"; }
c() { crun --root "$root" --log "file:$log" --log-format json --cgroup-manager cgroupfs "$@"; }
status_is() { c state "$1" | grep "\"status\": *\"$2\"" >/dev/null; }
wait_status() { for _ in $(seq 200); do status_is "$1" "$2" && return 0; sleep 0.05; done; return 1; }

crun --version | grep ' version ' >/dev/null
crun --rootless true --root "$root" list -q >/dev/null
crun --root "$root" --log-level error --debug list >/dev/null
c features | grep ociVersionMin >/dev/null
step globals

# run --config: a config file other than BUNDLE/config.json
sed -e 's/"args": *\[[^]]*\]/"args": ["sh", "-c", "echo from-alt-config"]/' "$bundle/config.json" >"$bundle/alt.json"
grep -q from-alt-config "$bundle/alt.json"
test "$(c run --config alt.json --bundle "$bundle" "$id-alt")" = from-alt-config
test "$(c run -f "$bundle/alt.json" -b "$bundle" "$id-alt2")" = from-alt-config
step run-config

c create --bundle "$bundle" --pid-file "$bundle/init.pid" --no-subreaper "$id"
c start "$id"
wait_status "$id" running
test "$(c exec --tty=false "$id" echo exec-ok)" = exec-ok
c exec -d --pid-file "$bundle/exec.pid" "$id" sleep 1
c ps --format json "$id" | grep "$(cat "$bundle/init.pid")" >/dev/null
c pause "$id"
status_is "$id" paused
c resume "$id"
c update --pids-limit 100 "$id"
c list --format json | grep "\"id\": *\"$id\"" >/dev/null
step create-exec

c run --detach --bundle "$bundle" "$id-b"
wait_status "$id-b" running
c kill -a "$id" SIGKILL
wait_status "$id" stopped
c kill --regex "^$id-b\$" KILL   # the id is a regular expression
wait_status "$id-b" stopped
c delete --force --regex "^$id"  # every container whose id starts with the prefix
test -z "$(c list -q | grep "^$id" || true)"
step kill-delete-regex

# no cgroups at all (what podman asks of crun for --cgroups=disabled)
crun --root "$root" --cgroup-manager disabled run --bundle "$bundle" --detach "$id-nocg"
wait_status "$id-nocg" running
c kill "$id-nocg" 9
wait_status "$id-nocg" stopped
c delete "$id-nocg"
step cgroup-manager-disabled
