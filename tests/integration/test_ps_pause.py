"""ps, pause/resume, update, events (cli-contract.md 3.3, 6.3, 8.1)."""
import json
import os
import subprocess
import time

import pytest

from conftest import cgroup_dir


@pytest.fixture
def running(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    return cid


def init_pid(rt, cid):
    return rt.state_json(cid)["pid"]


def freezer_state(pid):
    """'frozen' / 'thawed' as the kernel reports it for PID's cgroup."""
    try:
        d = cgroup_dir(pid, "freezer")
        with open(os.path.join(d, "freezer.state")) as f:
            return "frozen" if f.read().strip() == "FROZEN" else "thawed"
    except (KeyError, FileNotFoundError):
        d = cgroup_dir(pid, "")
        with open(os.path.join(d, "cgroup.events")) as f:
            return "frozen" if "frozen 1" in f.read() else "thawed"


def test_ps_json(rt, running):
    r = rt("ps", "--format", "json", running)
    assert r.rc == 0, r
    assert r.err == ""
    assert r.out.endswith("\n")
    pids = json.loads(r.out)
    assert isinstance(pids, list) and all(isinstance(p, int) for p in pids)
    assert init_pid(rt, running) in pids


def test_ps_json_equals_form(rt, running):
    r = rt("ps", "--format=json", running)
    assert r.rc == 0 and r.err == ""
    assert init_pid(rt, running) in json.loads(r.out)


def test_ps_table_default(rt, running):
    r = rt("ps", running)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert "PID" in lines[0].split()
    col = lines[0].split().index("PID")
    pids = {int(l.split()[col]) for l in lines[1:]}
    assert init_pid(rt, running) in pids
    assert os.getpid() not in pids  # filtered to the container


def test_ps_table_with_args(rt, running):
    r = rt("ps", running, "-o", "pid,comm")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0].split() == ["PID", "COMMAND"]
    assert str(init_pid(rt, running)) in r.out


def test_ps_bad_format(rt, running):
    assert rt("ps", "--format", "yaml", running).rc != 0


def test_ps_missing(ctx, rt):
    r = rt("ps", "--format", "json", ctx.marker + "-none")
    assert r.rc != 0
    assert "does not exist" in r.err


def test_pause_resume(rt, running):
    pid = init_pid(rt, running)
    assert freezer_state(pid) == "thawed"
    r = rt("pause", running)
    assert r.rc == 0, r
    assert rt.status(running) == "paused"
    assert freezer_state(pid) == "frozen"
    assert rt("pause", running).rc != 0  # already paused
    r = rt("resume", running)
    assert r.rc == 0, r
    assert rt.status(running) == "running"
    assert freezer_state(pid) == "thawed"
    assert rt("resume", running).rc != 0  # not paused


def test_paused_container_can_be_killed(rt, running):
    assert rt("pause", running).rc == 0
    r = rt.kill(running, "9")
    assert r.rc == 0, r
    rt.wait_status(running, "stopped")
    assert rt.delete(running).rc == 0


def test_paused_container_force_delete(rt, running):
    assert rt("pause", running).rc == 0
    assert rt.delete(running, "--force").rc == 0
    assert rt.status(running) is None


def test_pause_created_or_stopped_fails(rt, bundle, cid):
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt("pause", cid).rc != 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    assert rt("pause", cid).rc != 0
    assert rt("resume", cid).rc != 0


def test_pause_missing(ctx, rt):
    r = rt("pause", ctx.marker + "-none")
    assert r.rc != 0 and "does not exist" in r.err


# --- update -------------------------------------------------------------------

def _update_ok_or_unimplemented(r):
    """A limit this host cannot take (no blkio weight without BFQ, ...) is an
    error that names the field and says the host lacks it."""
    if r.rc != 0:
        assert "linux.resources." in r.err, r
        assert any(w in r.err.lower() for w in ("not implemented", "not supported", "not available")), r
    return r.rc == 0


def test_update_memory(rt, running):
    r = rt("update", "--memory", "64M", running)
    if _update_ok_or_unimplemented(r):
        pid = init_pid(rt, running)
        try:
            with open(os.path.join(cgroup_dir(pid, "memory"), "memory.limit_in_bytes")) as f:
                assert int(f.read()) == 64 * 1024 * 1024
        except KeyError:
            with open(os.path.join(cgroup_dir(pid, ""), "memory.max")) as f:
                assert int(f.read()) == 64 * 1024 * 1024


@pytest.mark.parametrize("flag,value", [
    ("--memory", "abc"), ("--memory", "12x"), ("--memory-swap", "-2"), ("--memory-reservation", ""),
    ("--kernel-memory", "1.2.3q"), ("--kernel-memory-tcp", "k"),
    ("--cpu-shares", "-1"), ("--cpu-shares", "ten"), ("--cpu-quota", "1.5"), ("--cpu-period", "-100"),
    ("--cpu-rt-period", "x"), ("--cpu-rt-runtime", "1e3"), ("--pids-limit", "many"),
    ("--blkio-weight", "5"), ("--blkio-weight", "1001"), ("--cpu-burst", "-1"), ("--cpu-idle", "2"),
])
def test_update_rejects_bad_values(rt, running, flag, value):
    r = rt("update", flag, value, running)
    assert r.rc != 0
    assert flag in r.err, r
    assert "invalid value" in r.err


@pytest.mark.parametrize("flag,value", [
    ("--memory", "1g"), ("--memory", "512k"), ("--memory", "100MiB"), ("--memory", "-1"),
    ("--memory-swap", "-1"), ("--memory-reservation", "32m"), ("--kernel-memory", "10m"),
    ("--kernel-memory-tcp", "10m"), ("--cpu-shares", "512"), ("--cpu-quota", "-1"),
    ("--cpu-period", "100000"), ("--cpu-rt-period", "1000000"), ("--cpu-rt-runtime", "0"),
    ("--cpuset-cpus", "0"), ("--cpuset-mems", "0"), ("--pids-limit", "100"), ("--pids-limit", "-1"),
    ("--blkio-weight", "500"), ("--cpu-burst", "0"), ("--cpu-idle", "1"),
])
def test_update_accepts_good_values(rt, running, flag, value):
    r = rt("update", flag + "=" + value, running)
    _update_ok_or_unimplemented(r)
    assert "invalid value" not in r.err


def test_update_resources_stdin(ctx, rt, running):
    with open(os.path.join(ctx.dir, "res.json"), "w+") as f:
        json.dump({"pids": {"limit": 50}, "memory": {"limit": 67108864}}, f)
        f.seek(0)
        r = rt("update", "--resources", "-", running, stdin=f)
    _update_ok_or_unimplemented(r)


def test_update_resources_file(ctx, rt, running):
    path = os.path.join(ctx.dir, "res.json")
    with open(path, "w") as f:
        json.dump({"cpu": {"shares": 512}}, f)
    _update_ok_or_unimplemented(rt("update", "-r", path, running))
    _update_ok_or_unimplemented(rt("update", "--resources=" + path, running))


def test_update_resources_bad_json(ctx, rt, running):
    with open(os.path.join(ctx.dir, "bad.json"), "w+") as f:
        f.write('{"pids": {"limit": "lots"}}')
        f.seek(0)
        r = rt("update", "--resources", "-", running, stdin=f)
    assert r.rc != 0
    assert "pids.limit" in r.err, r


def test_update_resources_missing_file(ctx, rt, running):
    r = rt("update", "-r", os.path.join(ctx.dir, "nope.json"), running)
    assert r.rc != 0 and "nope.json" in r.err


def test_update_stopped_or_missing(ctx, rt, bundle, cid):
    assert rt("update", "--memory", "1g", ctx.marker + "-none").rc != 0
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    r = rt("update", "--pids-limit", "10", cid)
    assert r.rc != 0 and "stopped" in r.err


# --- events -------------------------------------------------------------------

def test_events_stats(rt, running):
    r = rt("events", "--stats", running)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert len(lines) == 1
    ev = json.loads(lines[0])
    assert ev["type"] == "stats" and ev["id"] == running
    assert ev["data"]["pids"]["current"] >= 1
    assert ev["data"]["memory"]["usage"]["usage"] > 0


def test_events_interval_stream_ends_with_container(rt, running):
    p = subprocess.Popen([rt.path, "--root", rt.root, "events", "--interval", "100ms", running],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    assert rt.kill(running, "KILL").rc == 0
    out, err = p.communicate(timeout=10)
    lines = [json.loads(l) for l in out.decode().splitlines()]
    assert len(lines) >= 2, (out, err)
    assert all(l["type"] == "stats" for l in lines)


def test_events_bad_interval(rt, running):
    assert rt("events", "--interval", "soon", running).rc != 0
