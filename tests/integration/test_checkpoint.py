"""checkpoint / restore with CRIU (issue 8; cli-contract.md section 7).

The CRIU used is the first of $HUSK_TEST_CRIU, the one tests/deps/criu.sh
installs (Debian 13's criu 4.1.1 in a private prefix), and `criu` on PATH
that passes `criu check`. Without one these tests skip and say why.
"""
import json
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import cgroup_dir, is_husk, proc_cgroups
from test_console import ConsoleServer

CACHE = os.environ.get("HUSK_TEST_CACHE", "/var/tmp/husk-test")
SMOKE = os.path.join(os.path.dirname(__file__), "..", "deps", "criu-smoke")
COUNTER = "i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done"

_criu = None


def _find_criu():
    reasons = []
    cands = [os.environ.get("HUSK_TEST_CRIU"), os.path.join(CACHE, "criu", "bin", "criu"),
             shutil.which("criu")]
    for c in cands:
        if not c:
            continue
        if not os.access(c, os.X_OK):
            reasons.append("%s: missing" % c)
            continue
        try:
            p = subprocess.run([c, "check"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            reasons.append("%s: %s" % (c, e))
            continue
        if "Looks good" in p.stdout + p.stderr:
            # `criu check` passes on machines where a dump then hangs
            s = subprocess.run([SMOKE, c], capture_output=True, text=True, timeout=120)
            if s.returncode == 0:
                return c, None
            reasons.append("%s: %s" % (c, s.stdout.strip()))
            continue
        last = (p.stdout + p.stderr).strip().splitlines()[-1:] or ["exit %d" % p.returncode]
        reasons.append("%s: `criu check` fails (%s)" % (c, last[0]))
    try:
        with open(os.path.join(CACHE, "criu", "unavailable")) as f:
            reasons.append("tests/deps/criu.sh: " + f.read().strip())
    except OSError:
        reasons.append("tests/deps/criu.sh has not run")
    return None, "no working CRIU: " + "; ".join(reasons)


@pytest.fixture
def criu():
    global _criu
    if _criu is None:
        _criu = _find_criu()
    path, why = _criu
    if not path:
        pytest.skip(why)
    return path


@pytest.fixture
def cr(rt, criu):
    """The runtime with --criu set."""
    def call(*args, **kw):
        return rt(*args, global_args=("--criu", criu), **kw)
    return call


def numbers(path):
    with open(path) as f:
        return [int(x) for x in re.findall(r"^(\d+)\r?$", f.read(), re.M)]


def wait_numbers(path, at_least, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = numbers(path)
        if len(n) >= at_least:
            return n
        time.sleep(0.05)
    raise AssertionError("%s: %r numbers, wanted %d" % (path, numbers(path), at_least))


def wait_beyond(path, value, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = numbers(path)
        if n and n[-1] > value:
            return n
        time.sleep(0.05)
    raise AssertionError("%s: never passed %d: %r" % (path, value, numbers(path)))


def assert_consecutive(n):
    assert n == list(range(n[0], n[0] + len(n))), n


def start_counter(rt, bundle, cid):
    bundle.cmd(COUNTER)
    r = rt.run(bundle, cid, "-d")
    assert r.rc == 0, r
    wait_numbers(bundle.stdout_path(cid), 3)


def checkpoint(cr, ctx, cid, *opts, name="ckpt"):
    img = os.path.join(ctx.dir, name)
    r = cr("checkpoint", "--image-path", img, "--work-path", img + "-work", *opts, cid)
    assert r.rc == 0, "%s\n--- dump.log (end) ---\n%s" % (r.err, log_tail(img + "-work/dump.log"))
    return img


def log_tail(path, n=60):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError as e:
        return str(e)


def restore(cr, bundle, cid, img, *opts, out=None):
    return cr("restore", "-d", "--bundle", bundle.path, "--image-path", img,
              "--work-path", img + "-work", *opts, cid,
              out_path=out or bundle.stdout_path(cid), err_path=bundle.stderr_path(cid))


def in_cgroup_of(pid, cid):
    cgs = proc_cgroups(pid)
    return all(cid in p for p in cgs.values()), cgs


def stop(rt, cid):
    rt.kill(cid, "KILL")
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0


def test_checkpoint_restore_same_id(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    # runc: a checkpoint without --leave-running destroys the container
    assert rt.state(cid).rc != 0
    assert os.path.exists(os.path.join(img + "-work", "dump.log"))
    before = numbers(out)
    time.sleep(0.5)
    assert numbers(out) == before, "the checkpointed process kept running"
    r = restore(cr, bundle, cid, img)
    assert r.rc == 0, r
    assert os.path.exists(os.path.join(img + "-work", "restore.log"))
    st = rt.state_json(cid)
    assert st["status"] == "running", st
    after = wait_beyond(out, before[-1] + 2)
    # the counter goes on from where it was: one unbroken sequence from 1
    assert after[0] == 1
    assert_consecutive(after)
    ok, cgs = in_cgroup_of(st["pid"], cid)
    assert ok, cgs
    # the restored container behaves like any running one
    r = rt("exec", cid, "sh", "-c", "echo exec-in-restored; hostname")
    assert r.rc == 0 and "exec-in-restored" in r.out, r
    r = rt("ps", "--format", "json", cid)
    assert r.rc == 0 and str(st["pid"]) in r.out, r
    assert rt("pause", cid).rc == 0 and rt.status(cid) == "paused"
    assert rt("resume", cid).rc == 0 and rt.status(cid) == "running"
    stop(rt, cid)
    ctx.assert_clean()


def test_restore_with_new_id(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    last = numbers(out)[-1]
    cid2 = ctx.new_id("restored")
    out2 = bundle.stdout_path(cid2)
    r = restore(cr, bundle, cid2, img)
    assert r.rc == 0, r
    n2 = wait_numbers(out2, 3)
    assert n2[0] == last + 1, (last, n2)
    assert_consecutive(n2)
    st = rt.state_json(cid2)
    assert st["id"] == cid2 and st["status"] == "running"
    ok, cgs = in_cgroup_of(st["pid"], cid2)
    assert ok, "restored tasks must be in the new container's cgroup: %r" % cgs
    assert os.path.isdir(cgroup_dir(st["pid"], "memory"))
    stop(rt, cid2)
    ctx.assert_clean()


def test_leave_running(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid, "--leave-running")
    assert rt.status(cid) == "running"
    at_dump = numbers(out)[-1]
    wait_beyond(out, at_dump + 3)  # it goes on counting
    stop(rt, cid)
    cid2 = ctx.new_id("copy")
    out2 = bundle.stdout_path(cid2)
    assert restore(cr, bundle, cid2, img).rc == 0
    n2 = wait_numbers(out2, 3)
    # the copy resumes from the dump, not from where the original stopped
    assert 1 < n2[0] <= at_dump + 1, (at_dump, n2)
    assert_consecutive(n2)
    stop(rt, cid2)
    ctx.assert_clean()


def test_paused_container_checkpoint_leave_running(ctx, rt, cr, bundle, cid):
    start_counter(rt, bundle, cid)
    assert rt("pause", cid).rc == 0
    checkpoint(cr, ctx, cid, "--leave-running")
    assert rt.status(cid) == "paused", "a paused container stays paused"
    assert rt("resume", cid).rc == 0
    stop(rt, cid)
    ctx.assert_clean()


def read_pipe_numbers(fd, at_least, timeout=15.0):
    buf = read_until(fd, lambda s: len(re.findall(r"^\d+$", s, re.M)) >= at_least, timeout)
    return [int(x) for x in re.findall(r"^(\d+)$", buf, re.M)]


def test_stdio_pipes_are_handed_over(ctx, rt, cr, criu, bundle, cid):
    """conmon and containerd give the container pipes: after restore the
    process writes into the pipes the restore call was given."""
    bundle.cmd(COUNTER)
    bundle.write()
    r1, w1 = os.pipe()
    p = subprocess.run([rt.path, "--root", rt.root, "run", "-d", "--bundle", bundle.path, cid],
                       stdin=subprocess.DEVNULL, stdout=w1, stderr=w1, timeout=30)
    os.close(w1)
    try:
        assert p.returncode == 0
        first = read_pipe_numbers(r1, 3)
        img = checkpoint(cr, ctx, cid)
        first += read_pipe_numbers(r1, 10 ** 6, timeout=2)  # up to EOF
    finally:
        os.close(r1)
    with open(os.path.join(img, "descriptors.json")) as f:
        assert "pipe:[" in f.read()
    r2, w2 = os.pipe()
    p = subprocess.run([rt.path, "--root", rt.root, "--criu", criu, "restore", "-d", "--bundle",
                        bundle.path, "--image-path", img, "--work-path", img + "-work", cid],
                       stdin=subprocess.DEVNULL, stdout=w2, stderr=w2, timeout=30)
    os.close(w2)
    try:
        assert p.returncode == 0
        more = read_pipe_numbers(r2, 3)
    finally:
        os.close(r2)
    assert more[0] == first[-1] + 1, (first[-3:], more)
    assert_consecutive(more)
    stop(rt, cid)
    ctx.assert_clean()


def test_tmpfs_contents_survive(ctx, rt, cr, bundle, cid):
    bundle.add_mount("/data", "tmpfs", "tmpfs", ["size=1m", "mode=0755"])
    bundle.cmd("echo payload-%s > /data/f; mkdir /data/d; echo deep > /data/d/g; %s"
               % (bundle.marker, COUNTER))
    assert rt.run(bundle, cid, "-d").rc == 0
    wait_numbers(bundle.stdout_path(cid), 3)
    img = checkpoint(cr, ctx, cid)
    assert restore(cr, bundle, cid, img).rc == 0
    r = rt("exec", cid, "sh", "-c", "cat /data/f /data/d/g; grep ' /data ' /proc/mounts")
    assert r.rc == 0, r
    assert "payload-" + bundle.marker in r.out and "deep" in r.out, r
    assert "tmpfs" in r.out, r
    stop(rt, cid)
    ctx.assert_clean()


def test_bind_mount_and_masked_paths_remapped(ctx, rt, cr, bundle, cid):
    src = os.path.join(ctx.dir, "shared")
    os.makedirs(src)
    with open(os.path.join(src, "in"), "w") as f:
        f.write("from-host\n")
    bundle.add_mount("/shared", "bind", src, ["rbind", "rw"])
    bundle.cmd("cat /shared/in; " + COUNTER)
    assert rt.run(bundle, cid, "-d").rc == 0
    wait_numbers(bundle.stdout_path(cid), 3)
    img = checkpoint(cr, ctx, cid)
    # restore from another directory: the bind comes from the new config
    src2 = os.path.join(ctx.dir, "shared2")
    os.makedirs(src2)
    with open(os.path.join(src2, "in"), "w") as f:
        f.write("from-new-source\n")
    bundle.config["mounts"][-1]["source"] = src2
    bundle.write()
    assert restore(cr, bundle, cid, img).rc == 0
    r = rt("exec", cid, "sh", "-c", "cat /shared/in; echo x > /shared/out; "
           "test -c /proc/keys && echo keys-masked; cat /proc/keys | wc -c")
    assert r.rc == 0, r
    assert "from-new-source" in r.out and "keys-masked" in r.out, r
    assert os.path.exists(os.path.join(src2, "out"))
    stop(rt, cid)
    ctx.assert_clean()


def test_terminal_through_console_socket(ctx, rt, cr, bundle, cid):
    import termios
    bundle.process["terminal"] = True
    bundle.cmd("tty; " + COUNTER)
    sock1 = ConsoleServer(os.path.join(ctx.dir, "c1.sock"))
    try:
        assert rt.run(bundle, cid, "-d", "--console-socket", sock1.path).rc == 0
        _, master = sock1.receive()
    finally:
        sock1.close()
    try:
        got = read_until(master, lambda s: len(re.findall(r"^\d+\r?$", s, re.M)) >= 3)
        img = checkpoint(cr, ctx, cid)
        got += read_until(master, lambda s: False, timeout=0.3)
    finally:
        os.close(master)
    last = max(int(x) for x in re.findall(r"^(\d+)\r?$", got, re.M))
    sock2 = ConsoleServer(os.path.join(ctx.dir, "c2.sock"))
    try:
        r = restore(cr, bundle, cid, img, "--console-socket", sock2.path)
        assert r.rc == 0, r
        _, master2 = sock2.receive()
    finally:
        sock2.close()
    try:
        termios.tcgetattr(master2)
        more = read_until(master2, lambda s: len(re.findall(r"^\d+\r?$", s, re.M)) >= 3)
        r = rt("exec", cid, "sh", "-c", "test -t 0 && echo init-has-tty; ls -l /proc/1/fd/0")
    finally:
        os.close(master2)
    n = [int(x) for x in re.findall(r"^(\d+)\r?$", more, re.M)]
    assert n and n[0] == last + 1, (last, more)
    assert_consecutive(n)
    assert r.rc == 0, r
    stop(rt, cid)
    ctx.assert_clean()


def read_until(fd, done, timeout=15.0):
    out = ""
    os.set_blocking(fd, False)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
            if chunk:
                out += chunk.decode(errors="replace")
                if done(out):
                    break
                continue
        except BlockingIOError:
            pass
        except OSError:
            break
        time.sleep(0.02)
    return out


def dirty_tracking(criu):
    p = subprocess.run([criu, "check", "--feature", "mem_dirty_track"], capture_output=True,
                       text=True, timeout=60)
    return p.returncode == 0


def test_pre_dump_then_dump_with_parent(ctx, rt, cr, criu, bundle, cid):
    if not dirty_tracking(criu):
        pytest.skip("pre-dump needs memory dirty tracking: `criu check --feature "
                    "mem_dirty_track` fails on this kernel (no CONFIG_MEM_SOFT_DIRTY); "
                    "test_pre_dump_refused_without_dirty_tracking covers the error")
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    pre = checkpoint(cr, ctx, cid, "--pre-dump", name="pre")
    assert rt.status(cid) == "running", "pre-dump leaves the container running"
    assert os.listdir(pre)
    img = checkpoint(cr, ctx, cid, "--parent-path", "../pre", name="final")
    assert os.path.islink(os.path.join(img, "parent")), os.listdir(img)
    assert rt.state(cid).rc != 0
    last = numbers(out)[-1]
    assert restore(cr, bundle, cid, img).rc == 0
    n = wait_beyond(out, last + 2)
    assert_consecutive(n)
    stop(rt, cid)
    ctx.assert_clean()


@pytest.mark.husk_only
def test_pre_dump_refused_without_dirty_tracking(ctx, rt, cr, criu, bundle, cid):
    if dirty_tracking(criu):
        pytest.skip("this kernel has memory dirty tracking (the pre-dump test runs instead)")
    start_counter(rt, bundle, cid)
    r = cr("checkpoint", "--pre-dump", "--image-path", os.path.join(ctx.dir, "pre"), cid)
    assert r.rc != 0
    assert "--pre-dump needs memory dirty tracking" in r.err and "mem_dirty_track" in r.err, r
    assert rt.status(cid) == "running"
    # a parent that is no pre-dump: CRIU's own reason comes back
    checkpoint(cr, ctx, cid, "--leave-running", name="full")
    r = cr("checkpoint", "--image-path", os.path.join(ctx.dir, "final"),
           "--parent-path", "../full", cid)
    assert r.rc != 0 and "criu dump failed" in r.err and "Error (criu/" in r.err, r
    assert rt.status(cid) == "running", "a failed dump resumes the container"
    r = cr("checkpoint", "--image-path", os.path.join(ctx.dir, "final"),
           "--parent-path", os.path.join(ctx.dir, "full"), cid)
    assert r.rc != 0 and "must be relative" in r.err, r
    stop(rt, cid)
    ctx.assert_clean()


def test_restore_foreground_exits_with_status(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    bundle.cmd("i=0; while [ $i -lt 25 ]; do i=$((i+1)); echo $i; sleep 0.1; done; exit 7")
    assert rt.run(bundle, cid, "-d").rc == 0
    wait_numbers(out, 3)
    img = checkpoint(cr, ctx, cid)
    r = cr("restore", "--bundle", bundle.path, "--image-path", img, "--work-path", img + "-work",
           cid, out_path=out, err_path=bundle.stderr_path(cid))
    assert r.rc == 7, r
    n = numbers(out)
    assert n[-1] == 25 and n[0] == 1, n
    assert_consecutive(n)
    assert rt.state(cid).rc != 0, "restore without -d removes the container afterwards"
    ctx.assert_clean()


# --------------------------------------------------------------------------
# errors: each says why, and nothing is left behind


def test_restore_bad_image_path(ctx, rt, cr, bundle, cid):
    bundle.write()
    missing = os.path.join(ctx.dir, "no-such-checkpoint")
    r = cr("restore", "-d", "--bundle", bundle.path, "--image-path", missing, cid)
    assert r.rc != 0
    assert missing in r.err and "No such file or directory" in r.err, r
    assert rt.state(cid).rc != 0
    ctx.assert_clean()


@pytest.mark.husk_only
def test_restore_criu_failure_shows_log(ctx, rt, cr, bundle, cid):
    src = os.path.join(ctx.dir, "data")
    os.makedirs(src)
    bundle.add_mount("/data", "bind", src, ["rbind"])
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    # the restore-time config names a bind source that is not there
    bundle.config["mounts"][-1]["source"] = os.path.join(ctx.dir, "gone")
    bundle.write()
    r = restore(cr, bundle, cid, img)
    assert r.rc != 0
    log = os.path.join(img + "-work", "restore.log")
    assert "criu restore failed" in r.err and log in r.err, r
    assert re.search(r"Error \(criu/", r.err), "the error must quote CRIU's log: %r" % r.err
    assert "RLIMIT_NOFILE" not in r.err, "noise lines are left out"
    assert rt.state(cid).rc != 0
    ctx.assert_clean()


@pytest.mark.husk_only
def test_criu_missing(ctx, rt, criu, bundle, cid):
    start_counter(rt, bundle, cid)
    bogus = os.path.join(ctx.dir, "no-criu-here")
    r = rt("checkpoint", "--image-path", os.path.join(ctx.dir, "img"), cid,
           global_args=("--criu", bogus))
    assert r.rc != 0
    assert bogus in r.err and "No such file or directory" in r.err, r
    assert rt.status(cid) == "running", "a failed checkpoint leaves the container alone"
    # $CRIU names it too
    env = dict(os.environ, CRIU=bogus)
    r = rt("checkpoint", "--image-path", os.path.join(ctx.dir, "img"), cid, env=env)
    assert r.rc != 0 and bogus in r.err, r
    stop(rt, cid)
    ctx.assert_clean()


def test_checkpoint_refuses_created_container(ctx, rt, cr, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = cr("checkpoint", "--image-path", os.path.join(ctx.dir, "img"), cid)
    assert r.rc != 0 and "created" in r.err, r
    assert rt.status(cid) == "created"
    assert rt.delete(cid, "--force").rc == 0
    ctx.assert_clean()


def test_restore_onto_existing_id(ctx, rt, cr, bundle, cid):
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid, "--leave-running")
    r = restore(cr, bundle, cid, img, out=os.path.join(ctx.dir, "dup.out"))
    assert r.rc != 0 and "exists" in r.err, r
    assert rt.status(cid) == "running"
    stop(rt, cid)
    ctx.assert_clean()


@pytest.mark.husk_only
def test_restore_failure_after_criu_leaves_nothing(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    last = numbers(out)[-1]
    env = dict(os.environ, HUSK_FAULT="restore:restored")
    r = cr("restore", "-d", "--bundle", bundle.path, "--image-path", img, cid, env=env,
           out_path=out)
    assert r.rc != 0 and "restore:restored" in r.err, r
    ctx.assert_clean()
    time.sleep(0.5)
    assert numbers(out)[-1] <= last + 10, "the restored process must be killed"
    n = numbers(out)
    time.sleep(0.3)
    assert numbers(out) == n


def hook_recorder(outdir, name):
    return {"path": "/bin/sh", "args": ["sh", "-c", 'cat > "%s/%s.json"' % (outdir, name)]}


@pytest.mark.husk_only
def test_restore_runs_prestart_and_create_runtime_hooks(ctx, rt, cr, bundle, cid):
    # as runc: when CRIU has set up the namespaces, with the restored init's pid
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    hooks = os.path.join(ctx.dir, "hooks")
    os.makedirs(hooks)
    bundle.config["hooks"] = {h: [hook_recorder(hooks, h)]
                              for h in ("prestart", "createRuntime", "poststop")}
    bundle.write()
    r = restore(cr, bundle, cid, img)
    assert r.rc == 0, r
    pid = rt.state_json(cid)["pid"]
    for h in ("prestart", "createRuntime"):
        with open(os.path.join(hooks, h + ".json")) as f:
            st = json.load(f)
        assert st["id"] == cid and st["pid"] == pid and st["status"] == "creating", (h, st)
        assert st["bundle"] == bundle.path, st
    assert not os.path.exists(os.path.join(hooks, "poststop.json"))
    wait_beyond(out, numbers(out)[-1] + 2)
    stop(rt, cid)
    assert os.path.exists(os.path.join(hooks, "poststop.json"))
    ctx.assert_clean()


@pytest.mark.husk_only
def test_restore_stops_when_a_prestart_hook_fails(ctx, rt, cr, bundle, cid):
    out = bundle.stdout_path(cid)
    start_counter(rt, bundle, cid)
    img = checkpoint(cr, ctx, cid)
    last = numbers(out)[-1]
    bundle.config["hooks"] = {"prestart": [{"path": "/bin/sh",
                                            "args": ["sh", "-c", "echo no-restore >&2; exit 3"]}]}
    bundle.write()
    r = restore(cr, bundle, cid, img)
    assert r.rc != 0, r
    err = open(bundle.stderr_path(cid)).read()
    assert "prestart" in err and "CRIU's restore was stopped" in err, err
    assert rt.status(cid) is None
    ctx.assert_clean()
    time.sleep(0.5)
    assert numbers(out)[-1] == last, "the restored process must never run"


def test_probes(rt):
    """The feature probes podman makes (cli-contract.md 2.6)."""
    r = rt("checkpoint", "--help")
    assert r.rc == 0, r
    r = rt("restore", "--lsm-mount-context")
    assert r.rc != 0
    assert "flag needs an argument" in r.output or "requires an argument" in r.output, r
