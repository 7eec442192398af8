"""--cgroup-manager=disabled (crun's): no cgroup work at all. The container
stays in the caller's cgroups, no directory is made, the choice is recorded
in the state, and later commands follow the record, not their own flags."""
import json
import os

import pytest

from cgtools import husk_cgroup_dirs
from conftest import proc_cgroups

pytestmark = pytest.mark.husk_only
DISABLED = ["--cgroup-manager", "disabled"]
MiB = 1024 * 1024


def recorded(rt, cid):
    with open(os.path.join(rt.root, cid, "state.json")) as f:
        return json.load(f)


def test_disabled_no_cgroup_work(ctx, rt, bundle, cid):
    bundle.remove_namespace("cgroup")
    bundle.linux["resources"]["memory"] = {"limit": 64 * MiB}  # not applied: no cgroup
    bundle.sleep_forever()
    r = rt.create(bundle, cid, global_args=DISABLED)
    assert r.rc == 0, r
    st = recorded(rt, cid)
    assert st.get("cgroupManager") == "disabled" and "cgroupPath" not in st, st
    assert husk_cgroup_dirs(ctx.marker) == []
    pid = rt.state_json(cid)["pid"]
    # the container's init is where its caller (this test) is, in every hierarchy
    assert proc_cgroups(pid) == proc_cgroups(os.getpid())
    assert rt.start(cid).rc == 0
    ps = rt("ps", "--format", "json", cid)
    # no cgroup: the members of the container's pid namespace, the init first among them
    assert ps.rc == 0 and pid in json.loads(ps.out), ps
    # later commands have no flag: they follow the recorded manager
    p = rt("pause", cid)
    assert p.rc != 0 and "disabled" in p.err, p
    u = rt("update", "--memory", "100000000", cid)
    assert u.rc != 0 and "disabled" in u.err, u
    assert rt.kill(cid, "KILL").rc == 0
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)


def test_disabled_run_exit_code(ctx, rt, bundle, cid):
    bundle.cmd("exit 3")
    r = rt.run(bundle, cid, global_args=DISABLED)
    assert r.rc == 3, r
    ctx.assert_clean(cid)


def test_recorded_cgroupfs_wins_over_later_flag(ctx, rt, bundle, cid):
    """Created with cgroupfs: a delete that says `disabled` still removes the
    cgroup (the record decides)."""
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert recorded(rt, cid)["cgroupManager"] == "cgroupfs"
    assert husk_cgroup_dirs(ctx.marker)
    assert rt.delete(cid, "--force", global_args=DISABLED).rc == 0
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)


def test_bad_manager_name(rt, bundle, cid):
    r = rt.run(bundle, cid, global_args=["--cgroup-manager", "nope"])
    assert r.rc != 0 and "cgroupfs, systemd or disabled" in r.err, r
