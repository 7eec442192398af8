"""Every linux.resources field on this hybrid host: the value seen in the v1
controller's file (or hugetlb in the unified tree), an effect where one can
be observed without timing, and a clear error naming the limit and the
reason where the host cannot enforce it (controller missing or file absent).
Tests of limits this host cannot enforce are skipped where it can."""
import json
import os
import subprocess
import time

import pytest

from cgtools import read
from conftest import CGROUP_ROOT, cgroup_dir

MiB = 1024 * 1024


_child_files = {}


def has(ctrl, f=None):
    """The v1 controller is mounted (and a child cgroup has file f: some
    files, like blkio.bfq.weight, do not exist in the root)."""
    d = os.path.join(CGROUP_ROOT, ctrl)
    if not os.path.isdir(d) or os.path.islink(d):
        return False
    if f is None:
        return True
    if ctrl not in _child_files:
        probe = os.path.join(d, "husk-probe-%d" % os.getpid())
        os.mkdir(probe)
        try:
            _child_files[ctrl] = set(os.listdir(probe))
        finally:
            os.rmdir(probe)
    return f in _child_files[ctrl]


def unified_has(ctrl):
    p = os.path.join(CGROUP_ROOT, "unified", "cgroup.controllers")
    return os.path.exists(p) and ctrl in read(p).split()


def created(rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    return rt.state_json(cid)["pid"]


def block_device():
    """major:minor of a block device that exists here (the disk, or loop0)."""
    for name in sorted(os.listdir("/sys/block")):
        if name.startswith(("vd", "sd", "nvme", "xvd", "loop")):
            return read("/sys/block/%s/dev" % name)
    pytest.skip("no block device")


# ------------------------------------------------------------------ memory

@pytest.mark.skipif(not has("memory", "memory.swappiness"), reason="no memory.swappiness")
def test_memory_swappiness(rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"swappiness": 7}
    pid = created(rt, bundle, cid)
    assert read(cgroup_dir(pid, "memory") + "/memory.swappiness") == "7"
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.husk_only
def test_memory_swappiness_out_of_range(ctx, rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"swappiness": 101}
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "memory.swappiness" in r.err and "0..100" in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.skipif(not has("memory", "memory.memsw.limit_in_bytes"), reason="no swap accounting")
def test_memory_disable_oom_killer_holds_instead_of_killing(ctx, rt, bundle, cid):
    """With the OOM killer disabled the allocating process waits under OOM
    (under_oom 1) instead of being killed; delete --force still cleans up."""
    bundle.linux["resources"]["memory"] = {"limit": 16 * MiB, "swap": 16 * MiB,
                                           "disableOOMKiller": True}
    bundle.cmd("awk 'BEGIN{s=\"x\"; for(i=0;i<30;i++) s=s s; print length(s)}'; echo survived")
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    d = cgroup_dir(rt.state_json(cid)["pid"], "memory")
    assert "oom_kill_disable 1" in read(d + "/memory.oom_control")
    assert rt.start(cid).rc == 0
    deadline = time.time() + 20
    while "under_oom 1" not in read(d + "/memory.oom_control") and time.time() < deadline:
        time.sleep(0.05)
    ctl = read(d + "/memory.oom_control")
    assert "under_oom 1" in ctl and "oom_kill 0" in ctl, ctl
    assert rt.status(cid) == "running"
    assert rt.delete(cid, "--force").rc == 0
    ctx.assert_clean(cid)


@pytest.mark.skipif(not has("memory", "memory.kmem.tcp.limit_in_bytes"), reason="no kmem.tcp")
def test_memory_kernel_tcp(rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"kernelTCP": 4 * MiB}
    pid = created(rt, bundle, cid)
    assert int(read(cgroup_dir(pid, "memory") + "/memory.kmem.tcp.limit_in_bytes")) == 4 * MiB
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.husk_only
def test_memory_kernel_ignored_by_kernel_is_warned(rt, bundle, cid):
    """memory.kernel is deprecated; on kernels >= 5.16 the file accepts and
    ignores writes: husk says so (a warning naming the limit), as runc warns."""
    bundle.linux["resources"]["memory"] = {"kernel": 8 * MiB}
    bundle.sleep_forever()
    log = os.path.join(bundle.path, "husk.log")
    r = rt.create(bundle, cid, global_args=["--log", log])
    assert r.rc == 0, r
    f = cgroup_dir(rt.state_json(cid)["pid"], "memory") + "/memory.kmem.limit_in_bytes"
    if not os.path.exists(f) or int(read(f)) != 8 * MiB:
        warned = read(log)
        assert "memory.kernel" in warned and "not enforced" in warned, warned
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.skipif(not has("memory", "memory.use_hierarchy"), reason="no use_hierarchy")
def test_memory_use_hierarchy(ctx, rt, bundle, cid):
    bundle.linux["resources"]["memory"] = {"useHierarchy": True}
    pid = created(rt, bundle, cid)
    assert read(cgroup_dir(pid, "memory") + "/memory.use_hierarchy") == "1"
    assert rt.delete(cid, "--force").rc == 0
    # Linux >= 5.x only accepts 1: asking for a flat hierarchy is an error.
    cid2 = ctx.new_id()
    bundle.linux["resources"]["memory"] = {"useHierarchy": False}
    r = rt.run(bundle, cid2)
    if r.rc != 0:
        assert "memory.useHierarchy" in r.err and "memory.use_hierarchy" in r.err, r
    ctx.assert_clean(cid2)


@pytest.mark.husk_only
def test_memory_check_before_update(rt, bundle, cid, tmp_path):
    """checkBeforeUpdate: a new limit below the current usage is refused and
    the old limit stays; without it the same update goes through."""
    bundle.linux["resources"]["memory"] = {"limit": 256 * MiB}
    bundle.cmd("head -c 33554432 /dev/zero > /dev/shm/fill; echo filled; "
               "trap 'exit 0' TERM; while :; do sleep 1 & wait; done")
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    d = cgroup_dir(rt.state_json(cid)["pid"], "memory")
    assert rt.start(cid).rc == 0
    deadline = time.time() + 20
    while "filled" not in bundle.stdout(cid) and time.time() < deadline:
        time.sleep(0.05)
    usage = int(read(d + "/memory.usage_in_bytes"))
    assert usage >= 32 * MiB, usage
    res = tmp_path / "res.json"
    res.write_text(json.dumps({"memory": {"limit": 8 * MiB, "checkBeforeUpdate": True}}))
    u = rt("update", "--resources", str(res), cid)
    assert u.rc != 0 and "memory.limit" in u.err and "current usage" in u.err, u
    assert int(read(d + "/memory.limit_in_bytes")) == 256 * MiB
    res.write_text(json.dumps({"memory": {"limit": 200 * MiB, "checkBeforeUpdate": True}}))
    assert rt("update", "--resources", str(res), cid).rc == 0
    assert int(read(d + "/memory.limit_in_bytes")) == 200 * MiB
    assert rt.delete(cid, "--force").rc == 0


# ------------------------------------------------------------------ cpu

@pytest.mark.skipif(not has("cpu", "cpu.cfs_burst_us"), reason="no cpu.cfs_burst_us")
def test_cpu_burst(rt, bundle, cid):
    bundle.linux["resources"]["cpu"] = {"quota": 50000, "period": 100000, "burst": 20000}
    pid = created(rt, bundle, cid)
    assert read(cgroup_dir(pid, "cpu") + "/cpu.cfs_burst_us") == "20000"
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.skipif(not has("cpu", "cpu.idle"), reason="no cpu.idle")
def test_cpu_idle(rt, bundle, cid):
    bundle.linux["resources"]["cpu"] = {"idle": 1}
    pid = created(rt, bundle, cid)
    assert read(cgroup_dir(pid, "cpu") + "/cpu.idle") == "1"
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.skipif(not has("cpu", "cpu.rt_runtime_us"), reason="no RT group scheduling")
def test_cpu_realtime_with_parent_budget(ctx, rt, bundle, cid):
    """Real-time runtime needs a budget in every ancestor (the kernel's rule):
    with the parent granted 20 ms, the container gets its 10 ms."""
    parent = os.path.join(CGROUP_ROOT, "cpu", ctx.marker + "-rt")
    os.mkdir(parent)
    try:
        with open(parent + "/cpu.rt_runtime_us", "w") as f:
            f.write("20000")
        bundle.linux["cgroupsPath"] = "/%s-rt/%s" % (ctx.marker, cid)
        bundle.linux["resources"]["cpu"] = {"realtimePeriod": 1000000, "realtimeRuntime": 10000}
        pid = created(rt, bundle, cid)
        d = cgroup_dir(pid, "cpu")
        assert d.startswith(parent), d
        assert read(d + "/cpu.rt_runtime_us") == "10000"
        assert read(d + "/cpu.rt_period_us") == "1000000"
        assert rt.delete(cid, "--force").rc == 0
    finally:
        for c in ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                  "systemd", "unified"):
            try:
                os.rmdir(os.path.join(CGROUP_ROOT, c, ctx.marker + "-rt"))
            except OSError:
                pass


@pytest.mark.husk_only
@pytest.mark.skipif(not has("cpu", "cpu.rt_runtime_us"), reason="no RT group scheduling")
def test_cpu_realtime_without_budget_is_named(ctx, rt, bundle, cid):
    bundle.linux["resources"]["cpu"] = {"realtimeRuntime": 10000}
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "cpu.realtimeRuntime" in r.err, r
    assert "grant real-time runtime to every ancestor" in r.err, r
    ctx.assert_clean(cid)


# ------------------------------------------------------------------ blkio

@pytest.mark.skipif(not has("blkio", "blkio.throttle.read_bps_device"), reason="no throttle")
def test_blkio_throttle(rt, bundle, cid):
    dev = block_device()
    bundle.linux["resources"]["blockIO"] = {
        "throttleReadBpsDevice": [dict(zip(("major", "minor"), map(int, dev.split(":"))),
                                       rate=1048576)],
        "throttleWriteBpsDevice": [dict(zip(("major", "minor"), map(int, dev.split(":"))),
                                        rate=2097152)],
        "throttleReadIOPSDevice": [dict(zip(("major", "minor"), map(int, dev.split(":"))),
                                        rate=300)],
        "throttleWriteIOPSDevice": [dict(zip(("major", "minor"), map(int, dev.split(":"))),
                                         rate=400)],
    }
    pid = created(rt, bundle, cid)
    d = cgroup_dir(pid, "blkio")
    assert read(d + "/blkio.throttle.read_bps_device") == dev + " 1048576"
    assert read(d + "/blkio.throttle.write_bps_device") == dev + " 2097152"
    assert read(d + "/blkio.throttle.read_iops_device") == dev + " 300"
    assert read(d + "/blkio.throttle.write_iops_device") == dev + " 400"
    assert rt.delete(cid, "--force").rc == 0


@pytest.fixture
def bfq_loop(tmp_path):
    """A loop device of our own with the bfq scheduler (per-device weights
    need bfq); its major:minor. The scheduler is reset before detaching."""
    img = tmp_path / "disk.img"
    with open(img, "wb") as f:
        f.truncate(8 * MiB)
    p = subprocess.run(["losetup", "-f", "--show", str(img)], capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip("losetup: " + p.stderr)
    dev = p.stdout.strip()
    sched = "/sys/block/%s/queue/scheduler" % os.path.basename(dev)
    try:
        if "bfq" not in read(sched):
            pytest.skip("no bfq scheduler")
        with open(sched, "w") as f:
            f.write("bfq")
        yield read("/sys/block/%s/dev" % os.path.basename(dev))
    finally:
        try:
            with open(sched, "w") as f:
                f.write("none")
        except OSError:
            pass
        subprocess.run(["losetup", "-d", dev])


def test_blkio_weight(rt, bundle, cid):
    if not (has("blkio", "blkio.weight") or has("blkio", "blkio.bfq.weight")):
        pytest.skip("no blkio weight here (tested as an error below)")
    bundle.linux["resources"]["blockIO"] = {"weight": 300}
    pid = created(rt, bundle, cid)
    d = cgroup_dir(pid, "blkio")
    f = "blkio.weight" if os.path.exists(d + "/blkio.weight") else "blkio.bfq.weight"
    assert read(os.path.join(d, f)).split()[-1] == "300"
    assert rt.delete(cid, "--force").rc == 0


def test_blkio_weight_device(rt, bundle, cid, bfq_loop):
    if not (has("blkio", "blkio.weight_device") or has("blkio", "blkio.bfq.weight_device")):
        pytest.skip("no weight_device here (tested as an error below)")
    ma, mi = map(int, bfq_loop.split(":"))
    bundle.linux["resources"]["blockIO"] = {"weightDevice": [{"major": ma, "minor": mi, "weight": 200}]}
    pid = created(rt, bundle, cid)
    d = cgroup_dir(pid, "blkio")
    f = "blkio.weight_device" if os.path.exists(d + "/blkio.weight_device") else "blkio.bfq.weight_device"
    assert bfq_loop + " 200" in read(os.path.join(d, f)).splitlines()
    assert rt.delete(cid, "--force").rc == 0


# ------------------------------------------------------------------ hugetlb, unified

@pytest.mark.skipif(not (unified_has("hugetlb") or has("hugetlb")), reason="no hugetlb controller")
def test_hugepage_limits(rt, bundle, cid):
    # 1GB pages only where the kernel has them (not every VM does)
    gb = os.path.isdir("/sys/kernel/mm/hugepages/hugepages-1048576kB")
    bundle.linux["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 8 * MiB}] + (
        [{"pageSize": "1GB", "limit": 0}] if gb else [])
    pid = created(rt, bundle, cid)
    if unified_has("hugetlb"):  # hybrid: the unified tree holds hugetlb
        d = cgroup_dir(pid, "")
        assert read(d + "/hugetlb.2MB.max") == str(8 * MiB)
        if gb:
            assert read(d + "/hugetlb.1GB.max") == "0"
    else:
        d = cgroup_dir(pid, "hugetlb")
        assert read(d + "/hugetlb.2MB.limit_in_bytes") == str(8 * MiB)
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.husk_only
@pytest.mark.skipif(not unified_has("hugetlb"), reason="needs hugetlb in the unified tree")
def test_unified_map_on_hybrid(rt, bundle, cid):
    bundle.linux["resources"]["unified"] = {"hugetlb.2MB.max": str(4 * MiB),
                                            "cgroup.max.depth": "2"}
    pid = created(rt, bundle, cid)
    d = cgroup_dir(pid, "")
    assert read(d + "/hugetlb.2MB.max") == str(4 * MiB)
    assert read(d + "/cgroup.max.depth") == "2"
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.husk_only
@pytest.mark.parametrize("key", ["../cgroup.procs", "..", "/etc/passwd", ".x.y",
                                 "hugetlb.2MB.max/../../cgroup.procs", "nodot"])
def test_unified_key_escaping_rejected(ctx, rt, bundle, cid, key):
    bundle.linux["resources"]["unified"] = {key: "1"}
    r = rt.run(bundle, cid)
    assert r.rc != 0 and "linux.resources.unified" in r.err and "`%s`" % key in r.err, r
    ctx.assert_clean(cid)


# ------------------------------------------------- limits this host cannot enforce

def _dev():
    for name in sorted(os.listdir("/sys/block")):
        if name.startswith(("vd", "sd", "nvme", "xvd", "loop")):
            ma, mi = read("/sys/block/%s/dev" % name).split(":")
            return int(ma), int(mi)
    return 7, 0


def _sched():
    for name in sorted(os.listdir("/sys/block")):
        if name.startswith(("vd", "sd", "nvme", "xvd", "loop")):
            return read("/sys/block/%s/queue/scheduler" % name)
    return "[bfq]"


UNENFORCEABLE = [
    ("network.classID", {"network": {"classID": 1048577}}, not has("net_cls")),
    ("network.priorities", {"network": {"priorities": [{"name": "lo", "priority": 3}]}},
     not has("net_prio")),
    ("rdma", {"rdma": {"mlx5_0": {"hcaHandles": 3, "hcaObjects": 100}}}, not has("rdma")),
    ("blockIO.weight", {"blockIO": {"weight": 300}},
     not (has("blkio", "blkio.weight") or has("blkio", "blkio.bfq.weight"))),
    ("blockIO.leafWeight", {"blockIO": {"leafWeight": 300}},
     not has("blkio", "blkio.leaf_weight")),
    # a device whose scheduler has no weights (bfq is not the scheduler here)
    ("blockIO.weightDevice", {"blockIO": {"weightDevice": [
        {"major": _dev()[0], "minor": _dev()[1], "weight": 200}]}},
     "[bfq]" not in _sched()),
    ("memory.useHierarchy", {"memory": {"useHierarchy": False}}, True),
]


@pytest.mark.parametrize("limit,res,applies", UNENFORCEABLE, ids=[u[0] for u in UNENFORCEABLE])
def test_unenforceable_limit_is_named(ctx, rt, bundle, cid, limit, res, applies):
    """A limit the host cannot enforce fails create with an error naming the
    limit and why (controller not mounted, file missing, kernel refusal)."""
    if not applies:
        pytest.skip("this host can enforce " + limit)
    bundle.linux["resources"].update(res)
    r = rt.run(bundle, cid)
    if limit == "memory.useHierarchy" and r.rc == 0:
        pytest.skip("this kernel still accepts use_hierarchy 0")
    assert r.rc != 0, r
    if "husk" in rt.path:
        assert "linux.resources." + limit in r.err, r
        assert any(w in r.err for w in ("not mounted", "missing", "Invalid argument",
                                        "Operation not supported")), r
    ctx.assert_clean(cid)


# ------------------------------------------------------------------ network (v1 only)

def _unbound(ctrl):
    with open("/proc/cgroups") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == ctrl:
                return parts[1] == "0"  # not bound to any v1 hierarchy
    return False


@pytest.mark.skipif(os.environ.get("HUSK_TEST_BIND_V1") != "1",
                    reason="binds net_cls/net_prio to v1 hierarchies machine-wide while it runs "
                           "(other runtimes and CRIU then make cgroups there): only with "
                           "HUSK_TEST_BIND_V1=1, on a machine running nothing else")
@pytest.mark.skipif(has("net_cls") or has("net_prio") or not (_unbound("net_cls") and _unbound("net_prio")),
                    reason="needs net_cls/net_prio compiled in and unmounted (mounted in a private namespace)")
def test_network_class_id_and_priorities(ctx, rt, bundle, cid):
    """This host leaves net_cls/net_prio unmounted: the test mounts them as v1
    hierarchies in a private mount namespace and sees husk write both."""
    from cgtools import extra_v1_shell
    bundle.linux["resources"]["network"] = {"classID": 0x100001,
                                            "priorities": [{"name": "lo", "priority": 3}]}
    bundle.remove_namespace("cgroup")
    bundle.cmd("grep net_ /proc/self/cgroup; trap 'exit 0' TERM; while :; do sleep 1 & wait; done")
    bundle.write()
    script = """
$H create --bundle "{b}" {c} || exit 1
cat {r}/net_cls/husk/{c}/net_cls.classid
grep '^lo ' {r}/net_prio/husk/{c}/net_prio.ifpriomap
cat {r}/net_cls/husk/{c}/cgroup.procs | wc -l
$H delete --force {c}; echo delete-rc=$?
ls {r}/net_cls/husk {r}/net_prio/husk 2>/dev/null | grep -c {c}
# only what this test made: the hierarchy is released once it has no child
rmdir {r}/net_cls/husk/{c} {r}/net_prio/husk/{c} {r}/net_cls/husk {r}/net_prio/husk 2>/dev/null
true
""".format(b=bundle.path, c=cid, r=CGROUP_ROOT)
    rc, out, err = extra_v1_shell(rt, ctx.dir, script, ("net_cls", "net_prio"))
    lines = out.split()
    assert rc == 0, (out, err)
    assert lines[0] == str(0x100001), out  # net_cls.classid
    assert lines[1:3] == ["lo", "3"], out  # net_prio.ifpriomap
    assert lines[3] == "1", out  # the init joined net_cls
    assert "delete-rc=0" in out and lines[-1] == "0", out  # removed from both
    ctx.assert_clean(cid)


# ------------------------------------------------------------------ devices (v1)

@pytest.mark.skipif(not has("devices", "devices.list"), reason="no v1 devices controller")
def test_v1_devices_list_is_the_effective_rule_list(rt, bundle, cid):
    """deny all, the defaults, then the spec's rules in order: an allow adds
    an exception, a later partial deny takes one access away."""
    bundle.linux["resources"]["devices"] += [
        {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"},
        {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "r"}]
    pid = created(rt, bundle, cid)
    lines = read(cgroup_dir(pid, "devices") + "/devices.list").splitlines()
    assert "a *:* rwm" not in lines, lines
    assert "c 10:229 rw" in lines and "c 1:3 wm" in lines and "c 1:5 rwm" in lines, lines
    assert "c *:* m" in lines and "b *:* m" in lines, lines
    assert rt.delete(cid, "--force").rc == 0
