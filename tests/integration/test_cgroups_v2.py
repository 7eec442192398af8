"""cgroup v2 as husk sees it in a private mount namespace with cgroup2 at
/sys/fs/cgroup (machine.md). Only the core interface files and hugetlb work
there (cpu, memory, pids and io are bound to v1 on this host), so: the eBPF
device filter, hugetlb, the `unified` map, freeze/kill, and a clear error for
every limit whose controller is missing."""
import json
import os

import pytest

from cgtools import device_programs, host_v2_dir, read, v2_shell

pytestmark = pytest.mark.husk_only
MiB = 1024 * 1024


def prepare(bundle):
    bundle.remove_namespace("cgroup")  # /proc/self/cgroup shows the host path
    bundle.write()


def v2_run(ctx, rt, bundle, cid, pre=""):
    prepare(bundle)
    return v2_shell(rt, ctx.dir, '%s exec $H run --bundle "%s" %s' % (pre, bundle.path, cid))


def v2_create(ctx, rt, bundle, cid):
    prepare(bundle)
    rc, out, err = v2_shell(rt, ctx.dir, '$H create --bundle "%s" %s' % (bundle.path, cid))
    assert rc == 0, (out, err)
    return host_v2_dir("/husk/" + cid)


def v2_delete(ctx, rt, cid):
    rc, out, err = v2_shell(rt, ctx.dir, "$H delete --force " + cid)
    assert rc == 0, (out, err)
    ctx.assert_clean(cid)


def with_mknod(bundle):
    for k in ("bounding", "effective", "permitted"):
        bundle.process["capabilities"][k].append("CAP_MKNOD")


def deny_null_read():
    return {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "r"}


def test_v2_devices_ebpf_denies_without_memlock(ctx, rt, bundle, cid):
    """The filter loads with RLIMIT_MEMLOCK at 0 (no raise needed), denies
    what the rules deny with EPERM and allows the rest."""
    bundle.linux["resources"]["devices"].append(deny_null_read())
    bundle.cmd("echo x > /dev/null && echo write-ok; cat /dev/null 2>&1; "
               "head -c 4 /dev/zero | wc -c; head -c 1 /dev/urandom | wc -c")
    rc, out, err = v2_run(ctx, rt, bundle, cid, pre="ulimit -l 0 &&")
    assert rc == 0, (out, err)
    assert "write-ok" in out and "cat: can't open '/dev/null': Operation not permitted" in out, out
    assert out.split()[-2:] == ["4", "1"], out
    ctx.assert_clean(cid)


def test_v2_devices_mknod_and_unlisted(ctx, rt, bundle, cid):
    """mknod is allowed (default c *:* m) but opening an unlisted device is not."""
    with_mknod(bundle)
    bundle.cmd("mknod /tmp/fuse c 10 229 && echo mknod-ok; (exec 3</tmp/fuse) && echo open-ok; "
               "mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda; true")
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc == 0, (out, err)
    assert "mknod-ok" in out and "open-ok" not in out, out
    assert "can't open /tmp/fuse: Operation not permitted" in out + err, (out, err)
    assert "head: /tmp/sda: Operation not permitted" in out + err, (out, err)
    ctx.assert_clean(cid)


def test_v2_devices_allow_rule_opens(ctx, rt, bundle, cid):
    """An allow rule opens a device the defaults do not (c 10:229, /dev/fuse)."""
    with_mknod(bundle)
    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"})
    bundle.cmd("mknod /tmp/fuse c 10 229 && exec 3<>/tmp/fuse && echo open-ok")
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc == 0 and "open-ok" in out, (out, err)
    ctx.assert_clean(cid)


def test_v2_devices_update_replaces_program(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    d = v2_create(ctx, rt, bundle, cid)
    first = device_programs(d)
    assert len(first) == 1, first
    res = os.path.join(ctx.dir, "res.json")
    with open(res, "w") as f:
        json.dump({"devices": bundle.linux["resources"]["devices"] + [deny_null_read()]}, f)
    script = ("$H start {c} && $H exec {c} cat /dev/null && echo before-ok && "
              "$H update --resources {r} {c} && echo updated && "
              "$H exec {c} cat /dev/null; echo after-rc=$?").format(c=cid, r=res)
    rc, out, err = v2_shell(rt, ctx.dir, script)
    assert "before-ok" in out and "updated" in out, (out, err)
    assert "after-rc=1" in out and "Operation not permitted" in err, (out, err)
    second = device_programs(d)
    assert len(second) == 1 and second != first, (first, second)
    v2_delete(ctx, rt, cid)


def test_v2_devices_bad_rule_named(ctx, rt, bundle, cid):
    bundle.linux["resources"]["devices"].append(
        {"allow": True, "type": "c", "major": 1 << 40, "minor": 3, "access": "r"})
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc != 0 and "linux.resources.devices[1]" in err, (out, err)
    ctx.assert_clean(cid)


def test_v2_hugetlb_limit(ctx, rt, bundle, cid):
    bundle.linux["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 * MiB}]
    bundle.sleep_forever()
    d = v2_create(ctx, rt, bundle, cid)
    assert read(d + "/hugetlb.2MB.max") == str(4 * MiB)
    v2_delete(ctx, rt, cid)


def test_v2_unified_map_written(ctx, rt, bundle, cid):
    bundle.linux["resources"]["unified"] = {"cgroup.max.descendants": "3",
                                            "hugetlb.2MB.max": str(2 * MiB)}
    bundle.sleep_forever()
    d = v2_create(ctx, rt, bundle, cid)
    assert read(d + "/cgroup.max.descendants") == "3"
    assert read(d + "/hugetlb.2MB.max") == str(2 * MiB)
    v2_delete(ctx, rt, cid)


@pytest.mark.parametrize("key", ["../cgroup.procs", "..", "/etc/passwd", ".hidden.x",
                                 "a/../../cgroup.procs", ""])
def test_v2_unified_key_escaping_rejected(ctx, rt, bundle, cid, key):
    bundle.linux["resources"]["unified"] = {key: "1"}
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc != 0 and "linux.resources.unified" in err and "`%s`" % key in err, (out, err)
    ctx.assert_clean(cid)


UNAVAILABLE = [
    ("memory", {"memory": {"limit": 64 * MiB}}, "memory.limit"),
    ("pids", {"pids": {"limit": 10}}, "pids.limit"),
    ("cpu", {"cpu": {"quota": 10000, "period": 100000}}, "cpu.quota"),
    ("cpuset", {"cpu": {"cpus": "0"}}, "cpu.cpus"),
    ("io", {"blockIO": {"weight": 100}}, "blockIO"),
    ("rdma", {"rdma": {"mlx5_0": {"hcaHandles": 3}}}, "rdma"),
    ("memory", {"unified": {"memory.high": "1000000"}}, 'unified["memory.high"]'),
]


@pytest.mark.parametrize("ctrl,res,limit", UNAVAILABLE, ids=[u[2] for u in UNAVAILABLE])
def test_v2_missing_controller_named(ctx, rt, bundle, cid, ctrl, res, limit):
    bundle.linux["resources"].update(res)
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc != 0, (out, err)
    assert "linux.resources." + limit in err, err
    assert "the %s controller is not available" % ctrl in err, err
    ctx.assert_clean(cid)


@pytest.mark.parametrize("res,limit", [
    ({"network": {"classID": 1048577}}, "network"),
    ({"network": {"priorities": [{"name": "lo", "priority": 1}]}}, "network"),
    ({"memory": {"swappiness": 10}}, "memory.swappiness"),
    ({"memory": {"disableOOMKiller": True}}, "memory.disableOOMKiller"),
    ({"cpu": {"realtimeRuntime": 1000}}, "cpu.realtime"),
], ids=["classID", "priorities", "swappiness", "disableOOMKiller", "realtime"])
def test_v2_v1_only_limits_named(ctx, rt, bundle, cid, res, limit):
    bundle.linux["resources"].update(res)
    rc, out, err = v2_run(ctx, rt, bundle, cid)
    assert rc != 0 and "linux.resources." + limit in err and "not supported on cgroup v2" in err, err
    ctx.assert_clean(cid)


def test_v2_freeze_and_kill(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    d = v2_create(ctx, rt, bundle, cid)
    rc, out, err = v2_shell(rt, ctx.dir, "$H start {c} && $H pause {c} && $H state {c}".format(c=cid))
    assert rc == 0 and json.loads(out)["status"] == "paused", (out, err)
    assert read(d + "/cgroup.freeze") == "1" and "frozen 1" in read(d + "/cgroup.events")
    rc, out, err = v2_shell(rt, ctx.dir, "$H resume {c} && $H kill {c} KILL".format(c=cid))
    assert rc == 0, (out, err)
    assert read(d + "/cgroup.freeze") == "0"
    v2_delete(ctx, rt, cid)
