"""Fault injection: the runtime SIGKILLed (or failing) at every phase of
create, run, start, exec and delete, and hooks failing in every phase.

HUSK_FAULT=point[=fail|kill|stop] (src/util/fault.h) makes husk misbehave at a
named point. After a runtime killed anywhere, `delete --force ID` must succeed
and leave no process, cgroup, mount or state directory (husk has no exec fifo:
start.sock lives inside the state directory), and a second `delete --force`
must exit 0 (user-needs 1.12, runc #4534).
"""
import os
import signal
import subprocess
import time

import pytest

from conftest import procs_with_marker

pytestmark = pytest.mark.husk_only

KILLED = -signal.SIGKILL
ALL_PHASES = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
              "poststop")


def fault_env(spec):
    env = dict(os.environ)
    env["HUSK_FAULT"] = spec
    return env


def shared_dir(ctx, bundle):
    """A directory at the same path on the host and in the container (the
    container-side hooks run in its mount namespace)."""
    d = os.path.join(ctx.dir, "shared")
    if not os.path.isdir(d):
        os.makedirs(d)
        bundle.add_mount(d, "bind", d, ["rbind", "rw"])
    return d


def with_hooks(ctx, bundle):
    """A harmless hook in every phase (fault points hooks:<phase> fire only
    when the phase has hooks); each appends its name to a log."""
    log = os.path.join(shared_dir(ctx, bundle), "hooks.log")
    bundle.config["hooks"] = {
        ph: [{"path": "/bin/sh", "args": ["sh", "-c", "echo %s >> %s" % (ph, log)]}]
        for ph in ALL_PHASES}
    return log


def hooks_ran(log):
    try:
        with open(log) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def recovers(ctx, rt, cid):
    """delete --force cleans up whatever the fault left; a second one is a no-op."""
    r = rt.delete(cid, "--force")
    assert r.rc == 0, r
    ctx.assert_clean(cid)
    r = rt.delete(cid, "--force")
    assert r.rc == 0, r
    assert rt.state(cid).rc != 0


CREATE_POINTS = ["create:state-written", "create:cgroup-made", "create:cloned",
                 "create:pid-recorded", "create:hooks", "hooks:prestart", "hooks:createRuntime",
                 "create:ready", "create:created"]


HOOKS_BEGAN = ("hooks:prestart", "hooks:createRuntime", "create:ready", "create:created")


@pytest.mark.parametrize("point", CREATE_POINTS)
def test_create_killed(ctx, rt, bundle, cid, point):
    with_hooks(ctx, bundle)
    bundle.sleep_forever()
    r = rt.create(bundle, cid, env=fault_env(point + "=kill"))
    assert r.rc == KILLED, r
    recovers(ctx, rt, cid)


@pytest.mark.parametrize("point", CREATE_POINTS)
def test_create_fails_cleanly(ctx, rt, bundle, cid, point):
    """An error (not a kill) at each point: create fails, says where, leaves nothing."""
    log = with_hooks(ctx, bundle)
    bundle.sleep_forever()
    r = rt.create(bundle, cid, env=fault_env(point + "=fail"))
    assert r.rc == 1, r
    assert "injected fault at " + point in r.err, r
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)
    # poststop undoes prestart: it runs exactly when the create hooks began
    assert ("poststop" in hooks_ran(log)) == (point in HOOKS_BEGAN), hooks_ran(log)


@pytest.mark.parametrize("point", ["create:pid-recorded", "hooks:createRuntime", "create:ready",
                                   "start:released", "hooks:poststart", "run:started",
                                   "run:exited"])
def test_run_killed(ctx, rt, bundle, cid, point):
    with_hooks(ctx, bundle)
    if point == "run:exited":
        bundle.cmd("true")
    else:
        bundle.sleep_forever()
    r = rt.run(bundle, cid, env=fault_env(point + "=kill"))
    assert r.rc == KILLED, r
    recovers(ctx, rt, cid)


def test_run_killed_no_cgroup(ctx, rt, bundle, cid):
    """Without a cgroup the recorded pid is all delete has to go by."""
    bundle.sleep_forever()
    r = rt.run(bundle, cid, env=fault_env("create:ready=kill"),
               global_args=("--cgroup-manager", "disabled"))
    assert r.rc == KILLED, r
    pid = rt.state_json(cid)["pid"]
    assert pid > 0 and os.path.exists("/proc/%d" % pid)
    recovers(ctx, rt, cid)


@pytest.mark.parametrize("point", ["start:released", "hooks:poststart"])
def test_start_killed(ctx, rt, bundle, cid, point):
    with_hooks(ctx, bundle)
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.start(cid, env=fault_env(point + "=kill"))
    assert r.rc == KILLED, r
    recovers(ctx, rt, cid)


EXEC_MARK = "exec-under-test"


def exec_procs(ctx):
    return [p for p in procs_with_marker(ctx.marker) if EXEC_MARK in p[1]]


@pytest.mark.parametrize("point", ["exec:forked", "exec:ready", "exec:joined", "exec:started"])
@pytest.mark.parametrize("detach", [False, True], ids=["fg", "detach"])
def test_exec_killed(ctx, rt, bundle, cid, point, detach):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    opts = ["-d"] if detach else []
    r = rt("exec", *opts, cid, "sh", "-c", "sleep 1000; : " + EXEC_MARK,
           env=fault_env(point + "=kill"))
    assert r.rc == KILLED, r
    deadline = time.time() + 5
    while point != "exec:started" and exec_procs(ctx) and time.time() < deadline:
        time.sleep(0.05)
    if point != "exec:started":
        # never released: the helper and the process saw EOF and left
        assert not exec_procs(ctx), exec_procs(ctx)
    assert rt.status(cid) == "running"
    recovers(ctx, rt, cid)


@pytest.mark.parametrize("point", ["exec:forked", "exec:ready", "exec:joined"])
def test_exec_fails_cleanly(ctx, rt, bundle, cid, point):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    r = rt("exec", cid, "sh", "-c", "sleep 1000; : " + EXEC_MARK, env=fault_env(point))
    assert r.rc == 255 and "injected fault at " + point in r.err, r
    assert not exec_procs(ctx), exec_procs(ctx)
    assert rt.status(cid) == "running"
    r = rt("exec", cid, "true")  # the container is still usable
    assert r.rc == 0, r
    recovers(ctx, rt, cid)


DELETE_POINTS = ["delete:killed", "delete:before-cgroup", "delete:cgroup-removed",
                 "hooks:poststop", "delete:before-remove", "delete:hidden"]


@pytest.mark.parametrize("point", DELETE_POINTS)
@pytest.mark.parametrize("state", ["created", "running", "paused", "stopped"])
def test_delete_killed(ctx, rt, bundle, cid, point, state):
    log = with_hooks(ctx, bundle)
    bundle.cmd("true") if state == "stopped" else bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    if state != "created":
        assert rt.start(cid).rc == 0
    if state == "stopped":
        rt.wait_status(cid, "stopped")
    if state == "paused":
        assert rt("pause", cid).rc == 0
    r = rt.delete(cid, "--force", env=fault_env(point + "=kill"))
    assert r.rc == KILLED, r
    recovers(ctx, rt, cid)
    assert "poststop" in hooks_ran(log)


def test_delete_fails_then_retries(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.delete(cid, "--force", env=fault_env("delete:before-cgroup"))
    assert r.rc == 1 and "injected fault at delete:before-cgroup" in r.err, r
    assert rt.status(cid) == "stopped"  # the init was killed first
    recovers(ctx, rt, cid)


def test_stop_fault_hangs_until_killed(ctx, rt, bundle, cid):
    """`stop` parks the runtime (a hung runtime); killing it is the same as a crash."""
    bundle.sleep_forever()
    bundle.write()
    p = popen_runtime(rt, "create", "--bundle", bundle.path, cid, env=fault_env("create:hooks=stop"))
    deadline = time.time() + 20
    while not (rt.status(cid) == "creating" and rt.state_json(cid)["pid"] > 0):
        assert p.poll() is None and time.time() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    assert p.poll() is None  # parked, not finished
    p.kill()
    p.wait()
    recovers(ctx, rt, cid)


# ---------------------------------------------------------------------------
# the runtime killed while a hook runs (a real hook, not a fault point)

def popen_runtime(rt, *args, env=None):
    return subprocess.Popen([rt.path, "--root", rt.root] + [str(a) for a in args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)


def wait_file(path, timeout=20):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        assert time.time() < deadline, "hook never ran: %s" % path
        time.sleep(0.02)


@pytest.mark.parametrize("phase", ["prestart", "createRuntime", "createContainer"])
def test_runtime_killed_during_create_hook(ctx, rt, bundle, cid, phase):
    flag = os.path.join(shared_dir(ctx, bundle), "hook-running")
    bundle.config["hooks"] = {phase: [
        {"path": "/bin/sh", "args": ["sh", "-c", "touch %s; sleep 1" % flag]}]}
    bundle.sleep_forever()
    bundle.write()
    p = popen_runtime(rt, "create", "--bundle", bundle.path, cid)
    wait_file(flag)
    p.kill()
    p.wait()
    time.sleep(1.2)  # let the hook itself finish: it is not ours to kill
    recovers(ctx, rt, cid)


def test_runtime_killed_during_start_container_hook(ctx, rt, bundle, cid):
    flag = os.path.join(shared_dir(ctx, bundle), "hook-running")
    bundle.config["hooks"] = {"startContainer": [
        {"path": "/bin/sh", "args": ["sh", "-c", "touch %s; sleep 1" % flag]}]}
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    p = popen_runtime(rt, "start", cid)
    wait_file(flag)
    p.kill()
    p.wait()
    recovers(ctx, rt, cid)


# ---------------------------------------------------------------------------
# the container's init killed at its own phases (HUSK_FAULT is inherited by it)

@pytest.mark.parametrize("point", ["init:before-ready", "hooks:createContainer"])
def test_init_killed_during_create(ctx, rt, bundle, cid, point):
    log = with_hooks(ctx, bundle)
    r = rt.create(bundle, cid, env=fault_env(point + "=kill"))
    assert r.rc == 1, r
    assert "container init exited during setup" in r.err, r
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)
    ran = hooks_ran(log)
    assert ("poststop" in ran) == ("prestart" in ran), ran


def test_init_killed_during_start_container_hooks(ctx, rt, bundle, cid):
    with_hooks(ctx, bundle)
    bundle.cmd("echo PROGRAM-RAN")
    # the init inherits create's environment; the point fires during start
    assert rt.create(bundle, cid, env=fault_env("hooks:startContainer=kill")).rc == 0
    r = rt.start(cid)
    assert r.rc == 1 and "exited before its program started" in r.err, r
    assert rt.status(cid) == "stopped"
    assert "PROGRAM-RAN" not in bundle.stdout(cid)
    assert rt.delete(cid).rc == 0
    ctx.assert_clean(cid)


# ---------------------------------------------------------------------------
# failing hooks, phase by phase (runtime.md "Lifecycle"): prestart,
# createRuntime, createContainer, startContainer and poststart failures are
# errors that stop the container and continue at step 12 (destroy) and 13
# (poststop); poststop failures are warnings. test_hooks.py covers the create
# phases' error and cleanup and a failing poststop; these add the rest.

def failing(ctx, bundle, phase):
    log = with_hooks(ctx, bundle)
    bundle.config["hooks"][phase].append(
        {"path": "/bin/sh", "args": ["sh", "-c", "echo %s-said-no >&2; exit 7" % phase]})
    return log


@pytest.mark.parametrize("phase", ["prestart", "createRuntime", "createContainer"])
@pytest.mark.parametrize("op", ["create", "run"])
def test_failing_create_hook_runs_poststop(ctx, rt, bundle, cid, phase, op):
    log = failing(ctx, bundle, phase)
    bundle.cmd("echo PROGRAM-RAN")
    r = getattr(rt, op)(bundle, cid)
    assert r.rc != 0 and phase + "-said-no" in r.err and "status 7" in r.err, r
    ran = hooks_ran(log)
    assert ran[-1] == "poststop" and "startContainer" not in ran, ran
    assert "PROGRAM-RAN" not in bundle.stdout(cid)
    ctx.assert_clean(cid)


def test_failing_start_container_hook(ctx, rt, bundle, cid):
    log = failing(ctx, bundle, "startContainer")
    bundle.cmd("echo PROGRAM-RAN")
    assert rt.create(bundle, cid).rc == 0
    r = rt.start(cid)
    assert r.rc == 1 and "startContainer hook #1" in r.err and "status 7" in r.err, r
    assert rt.status(cid) == "stopped"
    assert "PROGRAM-RAN" not in bundle.stdout(cid)
    assert "poststart" not in hooks_ran(log)
    assert rt.delete(cid).rc == 0  # stopped: no --force needed
    assert hooks_ran(log)[-1] == "poststop"
    ctx.assert_clean(cid)


def test_failing_start_container_hook_run(ctx, rt, bundle, cid):
    log = failing(ctx, bundle, "startContainer")
    bundle.cmd("echo PROGRAM-RAN")
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "startContainer-said-no" in r.err, r
    assert "PROGRAM-RAN" not in r.out
    assert hooks_ran(log)[-1] == "poststop"
    ctx.assert_clean(cid)


def test_start_container_hook_timeout(ctx, rt, bundle, cid):
    bundle.config["hooks"] = {"startContainer": [
        {"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 100"], "timeout": 1}]}
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.start(cid)
    assert r.rc == 1 and "timed out" in r.err, r
    assert rt.status(cid) == "stopped"
    recovers(ctx, rt, cid)


def test_failing_poststart_hook_stops_container(ctx, rt, bundle, cid):
    log = failing(ctx, bundle, "poststart")
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.start(cid)
    assert r.rc == 1 and "poststart-said-no" in r.err, r
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    assert hooks_ran(log)[-1] == "poststop"
    ctx.assert_clean(cid)


def test_failing_poststart_hook_run(ctx, rt, bundle, cid):
    log = failing(ctx, bundle, "poststart")
    bundle.sleep_forever()
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "poststart-said-no" in r.err, r
    assert hooks_ran(log)[-1] == "poststop"
    ctx.assert_clean(cid)


def test_failing_poststop_hooks_all_run(ctx, rt, bundle, cid):
    """A failing poststop hook is a warning: the next poststop hook still runs."""
    log = failing(ctx, bundle, "poststop")
    bundle.config["hooks"]["poststop"].append(
        {"path": "/bin/sh", "args": ["sh", "-c", "echo poststop-after >> %s" % log]})
    assert rt.run(bundle, cid).rc == 0
    ran = hooks_ran(log)
    assert ran[-2:] == ["poststop", "poststop-after"], ran
    ctx.assert_clean(cid)
