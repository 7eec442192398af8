"""No cgroup directory is left behind: after 100 create/delete cycles with
limits, and after a failure (or a SIGKILL of the runtime, then
`delete --force`) injected at each step of cgroup setup. The listing walks
every hierarchy (each v1 controller and the unified tree) at any depth."""
import os

import pytest

from cgtools import UNIFIED, husk_cgroup_dirs, v2_shell
from conftest import CGROUP_ROOT

pytestmark = pytest.mark.husk_only
MiB = 1024 * 1024


def limits(bundle):
    res = bundle.linux["resources"]
    res["memory"] = {"limit": 64 * MiB, "reservation": 32 * MiB, "swappiness": 10}
    res["cpu"] = {"shares": 256, "quota": 20000, "period": 100000, "cpus": "0"}
    res["pids"] = {"limit": 50}
    res["devices"].append({"allow": False, "type": "c", "major": 1, "minor": 3, "access": "r"})
    if os.path.exists(os.path.join(UNIFIED, "cgroup.controllers")):
        res["hugepageLimits"] = [{"pageSize": "2MB", "limit": 2 * MiB}]


def test_100_cycles_with_limits_leave_no_cgroup(ctx, rt, bundle):
    limits(bundle)
    bundle.sleep_forever()
    bundle.write()
    for i in range(100):
        cid = ctx.new_id()
        r = rt.create(bundle, cid, write=False)
        assert r.rc == 0, r
        if i % 2:  # half of them run before being deleted
            assert rt.start(cid).rc == 0
        assert rt.delete(cid, "--force").rc == 0
    assert husk_cgroup_dirs(ctx.marker) == []


def mounted_hierarchies():
    names = [n for n in sorted(os.listdir(CGROUP_ROOT))
             if os.path.isdir(os.path.join(CGROUP_ROOT, n))
             and not os.path.islink(os.path.join(CGROUP_ROOT, n)) and n != "unified"]
    if os.path.exists(os.path.join(UNIFIED, "cgroup.controllers")):
        names.append("unified")
    return names


def hybrid_points():
    if os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers")):
        return []  # a pure v2 host: the v2 view tests below cover it
    pts = ["cgroup:mkdir-" + h for h in mounted_hierarchies()]
    pts += ["cgroup:wrote-" + c for c in ("memory", "cpu", "pids", "blkio", "network", "rdma",
                                          "devices")]
    if "unified" in mounted_hierarchies():
        pts += ["cgroup:wrote-hugetlb", "cgroup:wrote-unified"]
    return pts + ["cgroup:joined"]


def fault_env(point, action):
    return dict(os.environ, HUSK_FAULT="%s=%s" % (point, action))


@pytest.mark.parametrize("point", hybrid_points())
def test_fault_in_cgroup_setup_leaves_nothing(ctx, rt, bundle, cid, point):
    limits(bundle)
    bundle.sleep_forever()
    r = rt.create(bundle, cid, env=fault_env(point, "fail"))
    assert r.rc != 0 and "injected fault at " + point in r.err, r
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)


@pytest.mark.parametrize("point", hybrid_points())
def test_kill_in_cgroup_setup_then_delete_force(ctx, rt, bundle, cid, point):
    limits(bundle)
    bundle.sleep_forever()
    r = rt.create(bundle, cid, env=fault_env(point, "kill"))
    assert r.rc == -9, r  # the runtime died at the point
    d = rt.delete(cid, "--force")
    assert d.rc == 0, d
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)


V2_POINTS = ["cgroup:mkdir-unified", "cgroup:wrote-v2", "cgroup:wrote-hugetlb",
             "cgroup:wrote-unified", "cgroup:wrote-devices", "cgroup:joined"]


@pytest.mark.parametrize("action", ["fail", "kill"])
@pytest.mark.parametrize("point", V2_POINTS)
def test_v2_fault_in_cgroup_setup_leaves_nothing(ctx, rt, bundle, cid, point, action):
    bundle.linux["resources"]["devices"].append(
        {"allow": False, "type": "c", "major": 1, "minor": 3, "access": "r"})
    bundle.linux["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 2 * MiB}]
    bundle.remove_namespace("cgroup")
    bundle.sleep_forever()
    bundle.write()
    script = ('HUSK_FAULT=%s=%s $H create --bundle "%s" %s; echo create-rc=$?; '
              '$H delete --force %s; echo delete-rc=$?') % (point, action, bundle.path, cid, cid)
    rc, out, err = v2_shell(rt, ctx.dir, script)
    want = "create-rc=137" if action == "kill" else "create-rc=1"
    assert want in out and "delete-rc=0" in out, (out, err)
    if action == "fail":
        assert "injected fault at " + point in err, err
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)
