"""Many runtime processes at once on one state root: distinct containers in
parallel, racing creates of one id, kill/delete/state racing on one
container, list while containers come and go. Nothing may be corrupted and
nothing left behind (the ctx fixture checks state dirs, processes, mounts and
cgroups after each test)."""
import json
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

SLOW = 180  # seconds per call: 2 shared cores and 100 runtimes at once


def parallel(n, fn):
    """Runs fn(i) for i in range(n) all at once; returns the results in order."""
    barrier = threading.Barrier(n)

    def go(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(go, range(n)))


def test_100_parallel_runs(ctx, rt, bundle):
    bundle.cmd("echo hello-from-container")
    bundle.write()  # once: 100 readers, no writer
    ids = [ctx.new_id() for _ in range(100)]
    res = parallel(100, lambda i: rt.run(bundle, ids[i], write=False, timeout=SLOW))
    bad = [r for r in res if r.rc != 0]
    assert not bad, "%d of 100 runs failed, e.g. %r" % (len(bad), bad[0])
    for cid in ids:
        assert bundle.stdout(cid) == "hello-from-container\n", cid
        assert rt.state(cid).rc != 0
    ctx.assert_clean()


def test_100_parallel_detached_then_delete(ctx, rt, bundle):
    bundle.sleep_forever()
    bundle.write()
    ids = [ctx.new_id() for _ in range(100)]
    res = parallel(100, lambda i: rt.run(bundle, ids[i], "-d", write=False, timeout=SLOW))
    bad = [r for r in res if r.rc != 0]
    assert not bad, "%d of 100 runs failed, e.g. %r" % (len(bad), bad[0])
    pids = set()
    for cid in ids:
        st = rt.state_json(cid)
        assert st["status"] == "running" and st["id"] == cid, st
        pids.add(st["pid"])
    assert len(pids) == 100
    listed = json.loads(rt("list", "--format", "json").out)
    assert set(ids) <= {c["id"] for c in listed}
    res = parallel(100, lambda i: rt.delete(ids[i], "--force", timeout=SLOW))
    assert all(r.rc == 0 for r in res), [r for r in res if r.rc != 0][:1]
    ctx.assert_clean()


def test_20_parallel_creates_same_id(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    bundle.write()
    res = parallel(20, lambda i: rt("create", "--bundle", bundle.path, cid, timeout=SLOW,
                                    out_path=bundle.stdout_path(cid)))
    winners = [r for r in res if r.rc == 0]
    losers = [r for r in res if r.rc != 0]
    assert len(winners) == 1, res
    for r in losers:
        assert r.rc == 1 and "container `%s` already exists" % cid in r.err, r
    # the winner's record is intact and its container works
    st = rt.state_json(cid)
    assert st["status"] == "created" and st["id"] == cid and st["pid"] > 0, st
    assert os.path.exists("/proc/%d" % st["pid"])
    with open(os.path.join(rt.root, cid, "state.json")) as f:
        assert json.load(f)["status"] == "created"
    assert rt.start(cid).rc == 0
    assert rt.status(cid) == "running"
    assert rt.delete(cid, "--force").rc == 0
    ctx.assert_clean()


def test_parallel_creates_same_id_failing_bundle(ctx, rt, bundle, cid):
    """Racing creates whose winner fails late (exec not found): every one
    fails, and the loser's error never deletes a directory it did not make."""
    bundle.config["process"]["args"] = ["/no/such/program"]
    bundle.write()
    res = parallel(20, lambda i: rt("create", "--bundle", bundle.path, cid, timeout=SLOW))
    assert all(r.rc == 1 for r in res), res
    assert all("already exists" in r.err or "/no/such/program" in r.err for r in res), res
    ctx.assert_clean()


def test_parallel_kill_delete_state_on_one_container(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0

    def op(i):
        if i % 3 == 0:
            return "kill", rt.kill(cid, "KILL", timeout=SLOW)
        if i % 3 == 1:
            return "delete", rt.delete(cid, "--force", timeout=SLOW)
        return "state", rt.state(cid, timeout=SLOW)

    res = parallel(30, op)
    for kind, r in res:
        if kind == "delete":
            assert r.rc == 0, r
        elif r.rc != 0:  # the container was gone or stopped by then
            assert r.rc == 1 and ("does not exist" in r.err or "not running" in r.err), r
        if kind == "state" and r.rc == 0:
            assert json.loads(r.out)["status"] in ("running", "stopped"), r
    assert rt.state(cid).rc != 0
    ctx.assert_clean()


@pytest.mark.husk_only
def test_state_of_a_container_deleted_while_read(ctx, rt, bundle, cid):
    """A `state` that opened the directory just before a delete renamed it
    away finds it without state.json: that is a deleted container, not one
    `creating` (seen once under ASan in the race above: a bogus creating state
    with pid 0). HUSK_FAULT=state:opened=slow holds the window open 0.5 s."""
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    env = dict(os.environ, HUSK_FAULT="state:opened=slow")
    p = subprocess.Popen([rt.path, "--root", rt.root, "state", cid], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.2)  # it has opened the directory and sleeps
    assert rt.delete(cid, "--force", timeout=SLOW).rc == 0
    out, err = p.communicate(timeout=SLOW)
    assert p.returncode == 1 and "does not exist" in err, (p.returncode, out, err)
    # the same window with the container still there: read as it is
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = subprocess.run([rt.path, "--root", rt.root, "state", cid], env=env, text=True,
                       capture_output=True, timeout=SLOW)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "created", r
    assert rt.delete(cid, "--force", timeout=SLOW).rc == 0


def test_parallel_plain_delete_of_stopped_container(ctx, rt, bundle, cid):
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    res = parallel(10, lambda i: rt.delete(cid, timeout=SLOW))
    assert sum(r.rc == 0 for r in res) == 1, res
    for r in res:
        assert r.rc == 0 or "does not exist" in r.err, r
    ctx.assert_clean()


def test_parallel_exec_into_one_container(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    res = parallel(20, lambda i: rt("exec", cid, "sh", "-c", "echo exec-%d" % i, timeout=SLOW))
    for i, r in enumerate(res):
        assert r.rc == 0 and r.out == "exec-%d\n" % i, r
    assert rt.status(cid) == "running"
    assert rt.delete(cid, "--force").rc == 0
    ctx.assert_clean()


def test_list_while_containers_come_and_go(ctx, rt, bundle):
    bundle.sleep_forever()
    bundle.write()
    stop = threading.Event()
    problems = []
    lists = [0]

    def lister():
        while not stop.is_set():
            for fmt in (("--format", "json"), ("--format", "table"), ("-q",)):
                r = rt("list", *fmt, timeout=SLOW)
                lists[0] += 1
                if r.rc != 0 or r.err:
                    problems.append(r)
                elif fmt[-1] == "json":
                    for c in json.loads(r.out) or []:
                        if c["status"] not in ("creating", "created", "running", "stopped"):
                            problems.append(r)

    ids = [[ctx.new_id("churn%d-%d" % (i, k)) for k in range(6)] for i in range(5)]

    def churn(i):
        for cid in ids[i]:
            r = rt.run(bundle, cid, "-d", write=False, timeout=SLOW)
            if r.rc != 0:
                problems.append(r)
            r = rt.delete(cid, "--force", timeout=SLOW)
            if r.rc != 0:
                problems.append(r)

    listers = [threading.Thread(target=lister) for _ in range(2)]
    for t in listers:
        t.start()
    try:
        parallel(5, churn)
    finally:
        stop.set()
        for t in listers:
            t.join()
    assert not problems, problems[:3]
    assert lists[0] > 0
    ctx.assert_clean()
