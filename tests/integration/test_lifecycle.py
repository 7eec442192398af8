"""Container lifecycle (runtime.md) and the CLI behaviours callers rely on (cli-contract.md)."""
import datetime
import json
import os
import re
import signal
import time

import pytest

from conftest import is_husk


def parse_rfc3339(s):
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", s), s
    s2 = re.sub(r"\.(\d{1,6})\d*", r".\1", s).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s2)


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()[0]
        return st not in ("Z", "X")
    except OSError:
        return False


def test_full_lifecycle(ctx, rt, bundle, cid):
    bundle.cmd("read x </proc/self/fd/0 2>/dev/null; sleep 0.3; echo done")
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    st = rt.state_json(cid)
    assert st["id"] == cid
    assert st["status"] == "created"
    assert isinstance(st["pid"], int) and st["pid"] > 0
    assert pid_alive(st["pid"])
    assert st["bundle"] == bundle.path and os.path.isabs(st["bundle"])
    assert "ociVersion" in st
    created = parse_rfc3339(st["created"])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 60
    # the user program must not have run yet
    assert "done" not in bundle.stdout(cid)

    r = rt.start(cid)
    assert r.rc == 0, r
    assert rt.status(cid) in ("running", "stopped")
    rt.wait_status(cid, "stopped")
    st = rt.state_json(cid)
    assert st["pid"] == 0
    assert "done" in bundle.stdout(cid)

    r = rt.delete(cid)
    assert r.rc == 0, r
    r = rt.state(cid)
    assert r.rc != 0
    assert "does not exist" in r.output
    ctx.assert_clean(cid)


def test_state_is_pure_json(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.state(cid)
    assert r.rc == 0
    json.loads(r.out)
    assert r.err == ""


def test_running_state(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    assert rt.start(cid).rc == 0
    st = rt.state_json(cid)
    assert st["status"] == "running"
    assert st["pid"] == pid
    assert pid_alive(pid)


def test_start_returns_promptly(rt, bundle, cid):
    bundle.cmd("sleep 20")
    assert rt.create(bundle, cid).rc == 0
    t = time.time()
    r = rt.start(cid)
    assert r.rc == 0, r
    assert time.time() - t < 5


@pytest.mark.parametrize("cmd", ["state", "kill", "start", "delete"])
def test_unknown_id(rt, ctx, cmd):
    cid = ctx.new_id()
    r = rt(cmd, cid)
    assert r.rc == 1, r
    assert "does not exist" in r.output


def test_delete_force_missing_is_ok(rt, ctx):
    r = rt.delete(ctx.new_id(), "--force")
    assert r.rc == 0, r


def test_duplicate_id(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    b2 = ctx.new_bundle()
    r = rt.create(b2, cid)
    assert r.rc != 0
    assert "already exists" in r.output
    st = rt.state_json(cid)
    assert st["status"] == "created" and st["pid"] == pid and st["bundle"] == bundle.path
    assert rt.start(cid).rc == 0
    assert rt.status(cid) == "running"


def test_start_twice(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    r = rt.start(cid)
    assert r.rc != 0, r
    assert rt.status(cid) == "running"


def test_start_stopped(rt, bundle, cid):
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    r = rt.start(cid)
    assert r.rc != 0
    assert "stopped" in r.output


def test_kill_stopped(rt, bundle, cid):
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    r = rt.kill(cid, "KILL")
    assert r.rc != 0
    assert re.search(r"container not running|no such process", r.output, re.I), r
    r = rt("kill", "--all", cid, "9")
    assert r.rc == 0, r


def test_kill_created(rt, bundle, cid):
    bundle.cmd("echo SHOULD-NOT-RUN")
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    assert rt.kill(cid, "9").rc == 0
    rt.wait_status(cid, "stopped")
    assert not pid_alive(pid)
    assert "SHOULD-NOT-RUN" not in open(bundle.stdout_path(cid)).read()
    assert rt.delete(cid).rc == 0


def test_delete_running_fails(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    r = rt.delete(cid)
    assert r.rc != 0
    assert re.search(r"not stopped|running", r.output), r
    assert rt.status(cid) == "running"


def test_delete_created_kills(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    r = rt.delete(cid)
    assert r.rc == 0, r
    time.sleep(0.05)
    assert not pid_alive(pid)
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)


def test_delete_force_running(ctx, rt, bundle, cid):
    bundle.cmd("trap '' TERM; while :; do sleep 1; done")
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    assert rt.start(cid).rc == 0
    r = rt.delete(cid, "--force")
    assert r.rc == 0, r
    assert not pid_alive(pid)
    assert "does not exist" in rt.state(cid).output
    ctx.assert_clean(cid)


@pytest.mark.parametrize("sig,want", [
    (["9"], signal.SIGKILL), (["KILL"], signal.SIGKILL), (["SIGKILL"], signal.SIGKILL),
    ([], signal.SIGTERM), (["TERM"], signal.SIGTERM), (["SIGUSR1"], signal.SIGUSR1), (["10"], signal.SIGUSR1),
])
def test_kill_signal_spellings(rt, bundle, cid, sig, want):
    # pid 1 ignores signals without a handler, so trap the catchable ones
    bundle.cmd("trap 'echo got-TERM; exit 0' TERM; trap 'echo got-USR1; exit 0' USR1; "
               "echo ready; while :; do sleep 0.05; done")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    deadline = time.time() + 5
    while "ready" not in bundle.stdout(cid) and time.time() < deadline:
        time.sleep(0.02)
    r = rt.kill(cid, *sig)
    assert r.rc == 0, r
    rt.wait_status(cid, "stopped")
    out = bundle.stdout(cid)
    if want == signal.SIGTERM:
        assert "got-TERM" in out
    elif want == signal.SIGUSR1:
        assert "got-USR1" in out
    else:
        assert "got-" not in out


def test_kill_bad_signal(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt.kill(cid, "NOTASIGNAL")
    assert r.rc != 0
    assert rt.status(cid) == "created"


def test_list(rt, ctx, bundle):
    bundle.sleep_forever()
    a, b = ctx.new_id("a"), ctx.new_id("b")
    assert rt.create(bundle, a).rc == 0
    assert rt.create(bundle, b).rc == 0
    assert rt.start(b).rc == 0

    r = rt("list")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ["ID", "PID", "STATUS"]
    rows = {l.split()[0]: l.split() for l in lines[1:] if l.strip()}
    assert rows[a][2] == "created" and rows[b][2] == "running"

    r = rt("list", "--format", "json")
    assert r.rc == 0, r
    data = json.loads(r.out)
    by_id = {c["id"]: c for c in data}
    assert by_id[a]["status"] == "created" and by_id[b]["status"] == "running"
    assert by_id[a]["bundle"] == bundle.path
    assert by_id[a]["pid"] > 0
    for c in by_id.values():
        parse_rfc3339(c["created"])

    r = rt("list", "--format=json")
    assert r.rc == 0 and {c["id"] for c in json.loads(r.out)} >= {a, b}

    r = rt("list", "-q")
    assert r.rc == 0
    assert set(r.out.split()) >= {a, b}
    assert "ID" not in r.out.split()


def test_list_empty_root(rt, ctx):
    root = os.path.join(ctx.dir, "emptyroot")
    r = rt("--root", root, "list", "--format", "json", root=False)
    assert r.rc == 0, r
    assert json.loads(r.out or "null") in (None, [])


def test_pid_file_absolute(rt, ctx, bundle, cid):
    bundle.sleep_forever()
    pf = os.path.join(ctx.dir, "pidfile")
    r = rt.create(bundle, cid, "--pid-file", pf)
    assert r.rc == 0, r
    data = open(pf).read()
    assert re.fullmatch(r"\d+", data), repr(data)
    assert int(data) == rt.state_json(cid)["pid"]


def test_pid_file_relative_to_caller_cwd(rt, ctx, bundle, cid):
    bundle.sleep_forever()
    cwd = os.path.join(ctx.dir, "callercwd")
    os.makedirs(cwd)
    r = rt.create(bundle, cid, "--pid-file=sub.pid", cwd=cwd)
    assert r.rc == 0, r
    assert os.path.exists(os.path.join(cwd, "sub.pid"))
    assert not os.path.exists(os.path.join(bundle.path, "sub.pid"))
    assert int(open(os.path.join(cwd, "sub.pid")).read()) == rt.state_json(cid)["pid"]


def test_pid_file_not_written_on_failure(rt, ctx, bundle, cid):
    bundle.process["args"] = ["/does/not/exist"]
    pf = os.path.join(ctx.dir, "pidfile")
    r = rt.create(bundle, cid, "--pid-file", pf)
    assert r.rc != 0
    assert not os.path.exists(pf)
    ctx.assert_clean(cid)


def test_run_exit_code(rt, bundle, cid):
    bundle.cmd("exit 3")
    r = rt.run(bundle, cid)
    assert r.rc == 3, r


def test_run_exit_zero_and_output(rt, bundle, cid):
    bundle.cmd("echo out-line; echo err-line >&2")
    r = rt.run(bundle, cid)
    assert r.rc == 0, r
    assert "out-line" in r.out and "err-line" in r.err


def test_run_killed_by_signal(rt, bundle, cid):
    # pid 1 cannot be killed by its own signal; run a child that kills itself
    bundle.cmd("sh -c 'kill -9 $$'; exit $?")
    r = rt.run(bundle, cid)
    assert r.rc == 128 + 9, r


def test_run_pid1_killed(ctx, rt, bundle, cid):
    import subprocess, threading
    bundle.cmd("echo started; while :; do sleep 0.05; done")
    bundle.write()
    out = bundle.stdout_path(cid)
    p = subprocess.Popen([rt.path, "--root", rt.root, "run", "-b", bundle.path, cid],
                         stdout=open(out, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while rt.status(cid) != "running" and time.time() < deadline:
            time.sleep(0.02)
        assert rt.kill(cid, "KILL").rc == 0
        assert p.wait(timeout=10) == 128 + 9
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_run_detach(rt, bundle, cid):
    bundle.cmd("sleep 30")
    t = time.time()
    r = rt.run(bundle, cid, "-d")
    assert r.rc == 0, r
    assert time.time() - t < 10
    assert rt.status(cid) == "running"


def test_run_detach_pid_file(rt, ctx, bundle, cid):
    bundle.cmd("sleep 30")
    pf = os.path.join(ctx.dir, "run.pid")
    r = rt.run(bundle, cid, "--detach", "--pid-file", pf)
    assert r.rc == 0, r
    assert int(open(pf).read()) == rt.state_json(cid)["pid"]


def test_log_json_on_failure(rt, ctx, bundle, cid):
    bundle.process["args"] = ["/no-such-binary-xyz"]
    bundle.write()
    log = os.path.join(ctx.dir, "log.json")
    r = rt("--log", log, "--log-format", "json", "create", "--bundle", bundle.path, cid,
           out_path=bundle.stdout_path(cid))
    assert r.rc != 0
    lines = [l for l in open(log).read().splitlines() if l.strip()]
    assert lines, "no log lines written"
    objs = [json.loads(l) for l in lines]
    for o in objs:
        assert {"level", "msg", "time"} <= set(o), o
        assert isinstance(o["time"], str)
        parse_rfc3339(o["time"])
    errors = [o for o in objs if o["level"] == "error"]
    assert errors
    assert "no-such-binary-xyz" in errors[-1]["msg"] or "no such file" in errors[-1]["msg"]


def test_log_equals_form_appends(rt, ctx, bundle):
    log = os.path.join(ctx.dir, "log2.json")
    with open(log, "w") as f:
        f.write('{"level":"info","msg":"pre-existing","time":"2026-01-01T00:00:00Z"}\n')
    for _ in range(2):
        r = rt("--log=" + log, "--log-format=json", "state", ctx.new_id())
        assert r.rc != 0
    objs = [json.loads(l) for l in open(log).read().splitlines() if l.strip()]
    assert objs[0]["msg"] == "pre-existing"
    errs = [o for o in objs if o["level"] == "error"]
    assert len(errs) >= 2 and "does not exist" in errs[-1]["msg"]


def test_flag_spellings(rt, ctx, bundle):
    bundle.sleep_forever()
    bundle.write()
    c1, c2 = ctx.new_id(), ctx.new_id()
    r = rt("create", "--bundle=" + bundle.path, c1, out_path=bundle.stdout_path(c1))
    assert r.rc == 0, r
    r = rt("create", "-b", bundle.path, c2, out_path=bundle.stdout_path(c2))
    assert r.rc == 0, r
    # --root=value and --root value, even given twice
    r = rt("--root=" + rt.root, "state", c1, root=False)
    assert r.rc == 0, r
    r = rt("--root", "/nonexistent-husk-root", "--root", rt.root, "state", c2, root=False)
    assert r.rc == 0, r
    # options after the positional argument (runc parses them, except for kill/exec/ps)
    r = rt("delete", c1, "--force")
    assert r.rc == 0, r


def test_global_root_isolates(rt, ctx, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    other = os.path.join(ctx.dir, "otherroot")
    r = rt("--root", other, "state", cid, root=False)
    assert r.rc != 0 and "does not exist" in r.output
    assert any(cid in e for e in os.listdir(rt.root))


def test_bundle_defaults_to_cwd(rt, bundle, cid):
    bundle.cmd("exit 7")
    bundle.write()
    r = rt("run", cid, cwd=bundle.path, out_path=bundle.stdout_path(cid))
    assert r.rc == 7, r


def test_create_does_not_write_stdout(rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    assert r.rc == 0
    assert r.out == ""
