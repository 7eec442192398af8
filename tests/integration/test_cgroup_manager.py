"""The cgroup manager chosen at create (cgroupfs, systemd, disabled) is
recorded in the state and later commands follow the record, not their flags.
This host has no systemd (PID 1 is not systemd, no system bus): the systemd
driver must fail cleanly here, before the container runs. The driver itself
is tested against a real systemd in the qemu guest
(tests/stages/20-qemu-v2-systemd.sh)."""
import json
import os

import pytest

from conftest import proc_cgroups

pytestmark = pytest.mark.husk_only


def state_record(rt, cid):
    with open(os.path.join(rt.root, cid, "state.json")) as f:
        return json.load(f)


def have_systemd_here():
    return os.path.exists("/run/systemd/private") or os.path.exists("/run/dbus/system_bus_socket")


@pytest.mark.skipif(have_systemd_here(), reason="this host runs systemd")
def test_systemd_without_a_manager_fails_before_the_container_runs(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid, global_args=["--systemd-cgroup"])
    assert r.rc != 0, r
    assert "no system bus" in r.err and "/run/systemd/private" in r.err, r
    assert rt.status(cid) is None
    ctx.assert_clean(cid)


@pytest.mark.skipif(have_systemd_here(), reason="this host runs systemd")
def test_systemd_private_socket_is_the_fallback(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/bus")
    r = rt.create(bundle, cid, global_args=["--cgroup-manager", "systemd"], env=env)
    assert r.rc != 0, r
    assert "/run/systemd/private" in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.parametrize("path,why", [
    ("/plain/path", "slice:prefix:name"),
    ("a.slice:b:c:d", "slice:prefix:name"),
    ("bad:pfx:name", "slice name"),
    ("a--b.slice:pfx:name", "--"),
    ("system.slice:pfx:", "name part"),
    ("system.slice:pfx:x/y", "unit name"),
    ("system.slice:pfx:c.slice", "not supported"),
])
def test_systemd_cgroups_path_checked_first(ctx, rt, bundle, cid, path, why):
    bundle.linux["cgroupsPath"] = path
    r = rt.create(bundle, cid, global_args=["--systemd-cgroup"])
    assert r.rc != 0, r
    assert "linux.cgroupsPath" in r.err and why in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.parametrize("key,value,why", [
    ("org.systemd.property.Foo", "12", "cannot read the value"),
    ("org.systemd.property.PIDs", "@u 1", "husk sets PIDs itself"),
    ("org.systemd.property.bad-name", "true", "not a systemd property name"),
])
def test_systemd_annotations_checked_first(ctx, rt, bundle, cid, key, value, why):
    bundle.config.setdefault("annotations", {})[key] = value
    r = rt.create(bundle, cid, global_args=["--systemd-cgroup"])
    assert r.rc != 0, r
    assert key in r.err and why in r.err, r
    ctx.assert_clean(cid)


def test_disabled_is_recorded_and_means_no_cgroup(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid, global_args=["--cgroup-manager", "disabled"])
    assert r.rc == 0, r
    rec = state_record(rt, cid)
    assert rec["cgroupManager"] == "disabled"
    assert "cgroupPath" not in rec
    pid = rt.state_json(cid)["pid"]
    # the init stays in the caller's cgroups: nothing was made or joined
    assert proc_cgroups(pid) == proc_cgroups(os.getpid())
    # later commands follow the record, whatever flags they get
    r = rt("update", "--pids-limit", "10", cid)
    assert r.rc != 0 and "disabled" in r.err, r
    assert rt.start(cid).rc == 0
    r = rt("pause", cid, global_args=["--cgroup-manager", "cgroupfs"])
    assert r.rc != 0 and "disabled" in r.err, r
    assert rt.delete(cid, "--force", global_args=["--cgroup-manager", "cgroupfs"]).rc == 0
    ctx.assert_clean(cid)


def test_cgroupfs_record_wins_over_later_flags(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    bundle.linux["resources"]["pids"] = {"limit": 20}
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    assert state_record(rt, cid)["cgroupManager"] == "cgroupfs"
    assert rt.start(cid).rc == 0
    # a later --systemd-cgroup (no systemd here) must not matter
    assert rt("update", "--pids-limit", "30", cid, global_args=["--systemd-cgroup"]).rc == 0
    pid = rt.state_json(cid)["pid"]
    with open("/sys/fs/cgroup/pids%s/pids.max" % proc_cgroups(pid)["pids"]) as f:
        assert f.read().strip() == "30"
    assert rt("pause", cid, global_args=["--systemd-cgroup"]).rc == 0
    assert rt.status(cid) == "paused"
    assert rt("resume", cid, global_args=["--systemd-cgroup"]).rc == 0
    assert rt.delete(cid, "--force", global_args=["--systemd-cgroup"]).rc == 0
    ctx.assert_clean(cid)
