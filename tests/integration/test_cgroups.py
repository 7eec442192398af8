"""linux.resources written to cgroup files (this host: hybrid, v1 controllers
plus the unified tree with only hugetlb), and a pure-v2 view in a private
mount namespace."""
import glob
import os
import subprocess

import pytest

from conftest import cgroup_dir, is_husk, CGROUP_ROOT

MiB = 1024 * 1024


def read(path):
    with open(path) as f:
        return f.read().strip()


def v1(ctrl):
    return os.path.isdir(os.path.join(CGROUP_ROOT, ctrl)) and not os.path.islink(os.path.join(CGROUP_ROOT, ctrl))


def created(rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    return rt.state_json(cid)["pid"]


def test_limits_in_files(rt, bundle, cid):
    res = bundle.linux["resources"]
    res["memory"] = {"limit": 64 * MiB, "reservation": 32 * MiB}
    res["cpu"] = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}
    res["pids"] = {"limit": 33}
    pid = created(rt, bundle, cid)
    assert int(read(cgroup_dir(pid, "memory") + "/memory.limit_in_bytes")) == 64 * MiB
    assert int(read(cgroup_dir(pid, "memory") + "/memory.soft_limit_in_bytes")) == 32 * MiB
    assert read(cgroup_dir(pid, "cpu") + "/cpu.shares") == "512"
    assert read(cgroup_dir(pid, "cpu") + "/cpu.cfs_quota_us") == "50000"
    assert read(cgroup_dir(pid, "cpu") + "/cpu.cfs_period_us") == "100000"
    assert read(cgroup_dir(pid, "pids") + "/pids.max") == "33"
    assert read(cgroup_dir(pid, "cpuset") + "/cpuset.cpus") == "0"
    assert rt.delete(cid, "--force").rc == 0


def test_memory_unlimited_and_pids_max(rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"limit": -1}
    bundle.linux["resources"]["pids"] = {"limit": -1}
    pid = created(rt, bundle, cid)
    assert int(read(cgroup_dir(pid, "memory") + "/memory.limit_in_bytes")) > 1 << 60
    assert read(cgroup_dir(pid, "pids") + "/pids.max") == "max"
    assert rt.delete(cid, "--force").rc == 0


def test_blkio_weight_written_or_named(ctx, rt, bundle, cid):
    bundle.linux["resources"]["blockIO"] = {"weight": 300}
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    if r.rc == 0:
        d = cgroup_dir(rt.state_json(cid)["pid"], "blkio")
        f = [x for x in ("blkio.weight", "blkio.bfq.weight") if os.path.exists(os.path.join(d, x))]
        assert f, os.listdir(d)
        assert read(os.path.join(d, f[0])).split()[-1] == "300"
        assert rt.delete(cid, "--force").rc == 0
    else:  # no CFQ/BFQ here: a clear error, never a silent drop
        assert "blockIO.weight" in r.err and "missing" in r.err, r


def test_pids_limit_stops_fork_bomb(rt, bundle, cid):
    bundle.linux["resources"]["pids"] = {"limit": 10}
    bundle.cmd("for i in $(seq 1 30); do sleep 30 & done 2>&1; echo loop-done")
    r = rt.run(bundle, cid)
    assert "can't fork" in r.output, r  # busybox sh gives up on the loop
    assert r.rc != 0 and "loop-done" not in r.out, r


def test_memory_limit_oom_kills(rt, bundle, cid):
    mem = {"limit": 20 * MiB}
    if os.path.exists(os.path.join(CGROUP_ROOT, "memory", "memory.memsw.limit_in_bytes")):
        mem["swap"] = 20 * MiB  # no swapping out of the limit
    bundle.linux["resources"]["memory"] = mem
    bundle.cmd("head -c 104857600 /dev/zero | tail; echo rc=$?")
    r = rt.run(bundle, cid)
    # The OOM killer picks tail (the shell reports 137) or, sometimes, the
    # shell itself (the container's init dies with SIGKILL: run exits 137).
    assert "rc=137" in r.out or r.rc == 137, r


def test_device_rule_denies_read(rt, bundle, cid):
    bundle.linux["resources"]["devices"].append(
        {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "r"})
    bundle.cmd("echo x > /dev/null && echo write-ok; cat /dev/null 2>&1; "
               "test -c /dev/null && echo present")
    r = rt.run(bundle, cid)
    assert "write-ok" in r.out and "present" in r.out, r
    assert "Operation not permitted" in r.out, r


def test_default_devices_allowed(rt, bundle, cid):
    bundle.cmd("cat /dev/null && head -c 4 /dev/zero | wc -c && head -c 1 /dev/urandom | wc -c")
    r = rt.run(bundle, cid)
    assert r.rc == 0 and r.out.split() == ["4", "1"], r


@pytest.mark.skipif(v1("net_cls"), reason="net_cls is mounted here")
def test_unmounted_controller_is_error(ctx, rt, bundle, cid):
    bundle.linux["resources"]["network"] = {"classID": 1048577}
    r = rt.run(bundle, cid)
    assert r.rc != 0
    assert "network.classID" in r.err and "not mounted" in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.husk_only
def test_unified_bad_key(ctx, rt, bundle, cid):
    bundle.linux["resources"]["unified"] = {"../memory.max": "1"}
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "../memory.max" in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.husk_only
@pytest.mark.skipif("memory" in open("/sys/fs/cgroup/unified/cgroup.controllers").read()
                    if os.path.exists("/sys/fs/cgroup/unified/cgroup.controllers") else True,
                    reason="needs a hybrid host without memory in v2")
def test_unified_key_controller_unavailable(ctx, rt, bundle, cid):
    bundle.linux["resources"]["unified"] = {"memory.high": "50000000"}
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "memory.high" in r.err and "memory controller" in r.err, r
    ctx.assert_clean(cid)


def test_create_delete_cycles_leave_no_cgroups(ctx, rt, bundle):
    res = bundle.linux["resources"]
    res["memory"] = {"limit": 64 * MiB}
    res["cpu"] = {"shares": 256, "quota": 20000}
    res["pids"] = {"limit": 50}
    bundle.sleep_forever()
    bundle.write()
    for _ in range(20):
        cid = ctx.new_id()
        assert rt.create(bundle, cid, write=False).rc == 0
        assert rt.delete(cid, "--force").rc == 0
    left = [d for d in glob.glob(os.path.join(CGROUP_ROOT, "*", "husk", "*")) if ctx.marker in d]
    assert not left, left


# ---------------------------------------------------------------- pure v2 view

def run_in_v2_view(rt, bundle, cid):
    bundle.remove_namespace("cgroup")  # see the host path in /proc/self/cgroup
    bundle.write()
    script = ('umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && '
              'exec "$@"')
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
            rt.path, "--root", rt.root, "run", "--bundle", bundle.path, cid]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.mark.husk_only
def test_v2_placement(ctx, rt, bundle, cid):
    bundle.cmd("cat /proc/self/cgroup")
    rc, out, err = run_in_v2_view(rt, bundle, cid)
    assert rc == 0, (out, err)
    assert "0::/husk/%s" % cid in out.splitlines(), out
    ctx.assert_clean(cid)


@pytest.mark.husk_only
def test_v2_memory_limit_unavailable(ctx, rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"limit": 64 * MiB}
    rc, out, err = run_in_v2_view(rt, bundle, cid)
    assert rc != 0
    assert "memory.limit" in err and "memory controller is not available" in err, err
    ctx.assert_clean(cid)
