"""POSIX-platform hooks (config.md "POSIX-platform Hooks", runtime.md lifecycle)."""
import json
import os
import time

import pytest

HOST_HOOKS = ("prestart", "createRuntime", "poststart", "poststop")
CONTAINER_HOOKS = ("createContainer", "startContainer")
ALL_HOOKS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")


def recorder(outdir, name, extra_args=(), env=None, timeout=None):
    # $0 is the hook name; "$@" the extra args; the state arrives on stdin
    script = 'cat > "%s/%s.json"; printf "%%s|" "$0" "$@" > "%s/%s.args"; env > "%s/%s.env"' % (
        outdir, name, outdir, name, outdir, name)
    h = {"path": "/bin/sh", "args": ["sh", "-c", script, name] + list(extra_args),
         "env": env if env is not None else ["HOOK_NAME=" + name, "PATH=/bin:/usr/bin"]}
    if timeout is not None:
        h["timeout"] = timeout
    return h


@pytest.fixture
def hookdir(ctx, bundle):
    d = os.path.join(ctx.dir, "hookout")
    os.makedirs(d)
    os.chmod(d, 0o777)
    # same path inside and outside, so the recorder works in either mount namespace
    bundle.add_mount(d, "bind", d, ["rbind", "rw"])
    return d


def read_state(d, name):
    with open(os.path.join(d, name + ".json")) as f:
        return json.load(f)


@pytest.mark.runc_differs("runc 1.1 runs poststart hooks during create, not after start")
def test_all_hooks_run_at_their_moment(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {h: [recorder(hookdir, h, ["a1", "a 2"])] for h in ALL_HOOKS}
    bundle.cmd("echo user-program-ran > %s/program; sleep 0.3" % hookdir)
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    pid = rt.state_json(cid)["pid"]
    have = set(f[:-5] for f in os.listdir(hookdir) if f.endswith(".json"))
    assert have == {"prestart", "createRuntime", "createContainer"}, have
    for h in ("prestart", "createRuntime", "createContainer"):
        st = read_state(hookdir, h)
        assert st["id"] == cid and st["bundle"] == bundle.path and st["pid"] == pid, (h, st)
        assert st["status"] == "creating", (h, st)
        assert "ociVersion" in st

    assert rt.start(cid).rc == 0
    deadline = time.time() + 5
    while not os.path.exists(os.path.join(hookdir, "poststart.json")) and time.time() < deadline:
        time.sleep(0.02)
    st = read_state(hookdir, "startContainer")
    assert st["id"] == cid and st["pid"] == pid and st["status"] in ("created", "running"), st
    st = read_state(hookdir, "poststart")
    assert st["id"] == cid and st["pid"] == pid and st["status"] in ("created", "running"), st
    assert not os.path.exists(os.path.join(hookdir, "poststop.json"))

    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    st = read_state(hookdir, "poststop")
    assert st["id"] == cid and st["bundle"] == bundle.path and st["status"] == "stopped", st
    assert open(os.path.join(hookdir, "program")).read() == "user-program-ran\n"

    for h in ALL_HOOKS:
        assert open(os.path.join(hookdir, h + ".args")).read() == "%s|a1|a 2|" % h, h
        env = open(os.path.join(hookdir, h + ".env")).read().splitlines()
        assert "HOOK_NAME=" + h in env
        assert "PATH=/bin:/usr/bin" in env
        assert not any(e.startswith(("HUSK_TEST_MARKER", "PYTEST")) for e in env), (h, env)


def test_hooks_state_args_env(ctx, rt, bundle, cid, hookdir):
    """Every hook gets the state on stdin and exactly its args and env (timing not checked)."""
    bundle.config["hooks"] = {h: [recorder(hookdir, h, ["x", "y z"])] for h in ALL_HOOKS}
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    for h in ("prestart", "createRuntime", "createContainer"):
        st = read_state(hookdir, h)
        assert (st["id"], st["bundle"], st["status"]) == (cid, bundle.path, "creating"), (h, st)
        # runc 1.1 reports the in-namespace pid (1) to createContainer; the
        # strict check is in test_all_hooks_run_at_their_moment
        assert st["pid"] == pid or (h == "createContainer" and st["pid"] == 1), (h, st)
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    for h in ALL_HOOKS:
        st = read_state(hookdir, h)
        assert st["id"] == cid and st["bundle"] == bundle.path, (h, st)
        assert open(os.path.join(hookdir, h + ".args")).read() == "%s|x|y z|" % h, h
        env = open(os.path.join(hookdir, h + ".env")).read().splitlines()
        assert "HOOK_NAME=" + h in env and "PATH=/bin:/usr/bin" in env
        assert not any(e.startswith(("HUSK_TEST_MARKER", "PYTEST")) for e in env), (h, env)
    assert read_state(hookdir, "poststop")["status"] == "stopped"


def test_hooks_run_in_order(ctx, rt, bundle, cid, hookdir):
    log = os.path.join(hookdir, "order")
    bundle.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", "echo %s >> %s" % (i, log)]} for i in range(4)]}
    assert rt.create(bundle, cid).rc == 0
    assert open(log).read().split() == ["0", "1", "2", "3"]


def test_start_container_hook_runs_in_container(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"startContainer": [
        {"path": "/bin/sh", "args": ["sh", "-c", "hostname > %s/h; readlink /proc/self/ns/mnt >> %s/h" % (hookdir, hookdir)]}],
        "createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", "hostname > %s/r" % hookdir]}]}
    bundle.cmd("true")
    assert rt.run(bundle, cid).rc == 0
    lines = open(os.path.join(hookdir, "h")).read().split()
    assert lines[0] == "husk-demo"
    assert lines[1] != os.readlink("/proc/self/ns/mnt")
    assert open(os.path.join(hookdir, "r")).read().strip() == open("/proc/sys/kernel/hostname").read().strip()


def test_hook_timeout_fails_create(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 10"], "timeout": 1}]}
    t = time.time()
    r = rt.create(bundle, cid)
    assert r.rc != 0, r
    assert time.time() - t < 8
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)


@pytest.mark.parametrize("hook", ["prestart", "createRuntime", "createContainer"])
def test_failing_create_hook(ctx, rt, bundle, cid, hookdir, hook):
    bundle.config["hooks"] = {hook: [{"path": "/bin/sh", "args": ["sh", "-c", "echo hook-said-no >&2; exit 3"]}]}
    bundle.cmd("echo PROGRAM-RAN")
    r = rt.create(bundle, cid)
    assert r.rc != 0, r
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)
    assert "PROGRAM-RAN" not in open(bundle.stdout_path(cid)).read()


def test_failing_create_hook_run(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"createRuntime": [{"path": "/bin/false", "args": ["false"]}]}
    bundle.cmd("echo PROGRAM-RAN")
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "PROGRAM-RAN" not in r.out
    ctx.assert_clean(cid)


def test_missing_hook_binary(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"createRuntime": [{"path": "/no/such/hook"}]}
    r = rt.create(bundle, cid)
    assert r.rc != 0
    assert "/no/such/hook" in r.output or "no such file" in r.output.lower()
    ctx.assert_clean(cid)


def test_failing_poststop_does_not_block_delete(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"poststop": [
        {"path": "/bin/sh", "args": ["sh", "-c", "touch %s/ps-ran; exit 1" % hookdir]}]}
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    r = rt.delete(cid)
    assert r.rc == 0, r
    assert os.path.exists(os.path.join(hookdir, "ps-ran"))
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)


def test_poststop_runs_on_force_delete(ctx, rt, bundle, cid, hookdir):
    bundle.config["hooks"] = {"poststop": [recorder(hookdir, "poststop")]}
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    assert rt.delete(cid, "--force").rc == 0
    assert read_state(hookdir, "poststop")["id"] == cid


# --- restore: CRIU calls back through --action-script (restore_hooks.h) ---------

@pytest.mark.husk_only
def test_restore_hooks_command_runs_runtime_hooks(ctx, rt, bundle, cid):
    """What CRIU's action script runs during `husk restore` (end to end in
    test_checkpoint.py where CRIU can dump on the machine): prestart and
    createRuntime at setup-namespaces with CRIU's pid, nothing at other
    actions, and a failing hook reported and left for the restoring husk."""
    out = os.path.join(ctx.dir, "hooks")
    os.makedirs(out)
    bundle.config["hooks"] = {h: [recorder(out, h)] for h in ("prestart", "createRuntime")}
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    for h in ("prestart", "createRuntime"):
        os.unlink(os.path.join(out, h + ".json"))
    env = dict(os.environ, CRTOOLS_SCRIPT_ACTION="pre-restore", CRTOOLS_INIT_PID="4242")
    assert rt("restore-hooks", cid, env=env).rc == 0
    assert os.listdir(out) == [] or all(not f.endswith(".json") for f in os.listdir(out))
    env["CRTOOLS_SCRIPT_ACTION"] = "setup-namespaces"
    r = rt("restore-hooks", cid, env=env)
    assert r.rc == 0, r
    for h in ("prestart", "createRuntime"):
        st = read_state(out, h)
        assert st["id"] == cid and st["pid"] == 4242 and st["status"] == "creating", (h, st)
    # a failing hook: non-zero for CRIU, its reason kept for the restoring husk
    bundle.config["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 7"]}]}
    with open(os.path.join(rt.root, cid, "config.json"), "w") as f:
        json.dump(bundle.config, f)
    r = rt("restore-hooks", cid, env=env)
    assert r.rc != 0 and "prestart" in r.err, r
    with open(os.path.join(rt.root, cid, "restore-hooks.err")) as f:
        assert "prestart" in f.read()
    # without CRIU's environment it says what it is
    r = rt("restore-hooks", cid)
    assert r.rc != 0 and "internal command" in r.err, r
    assert "restore-hooks" not in rt("--help").out
    rt.delete(cid, "--force")
    ctx.assert_clean(cid)
