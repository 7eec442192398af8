"""exec --cgroup with runc's semantics: `PATH` (every hierarchy) or
`CTRL[,CTRL]:PATH` (repeatable, per controller), an existing sub-cgroup of
the container's cgroup; the sub-cgroups are removed with the container."""
import os

import pytest

from cgtools import host_v2_dir, husk_cgroup_dirs, read, v2_shell
from conftest import CGROUP_ROOT, proc_cgroups

pytestmark = pytest.mark.husk_only


@pytest.fixture
def running(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.run(bundle, cid, "-d").rc == 0
    return cid


def hierarchies_of(pid):
    """{hierarchy dir name: host directory} of the container's cgroup."""
    res = {}
    for ctrl, path in proc_cgroups(pid).items():
        name = "unified" if ctrl == "" else ctrl
        d = os.path.join(CGROUP_ROOT, name)
        if os.path.isdir(d + path):
            res[name] = d + path
    return res


def make_sub(rt, cid, name, only=None):
    pid = rt.state_json(cid)["pid"]
    for h, d in hierarchies_of(pid).items():
        if only and h not in only:
            continue
        os.mkdir(os.path.join(d, name))
        if h == "cpuset":
            for f in ("cpuset.cpus", "cpuset.mems"):
                with open(os.path.join(d, name, f), "w") as fh:
                    fh.write(read(os.path.join(d, f)))


def exec_cgroups(rt, cid, *flags):
    args = []
    for f in flags:
        args += ["--cgroup", f]
    r = rt("exec", *args, cid, "cat", "/proc/self/cgroup")
    lines = {}
    for line in r.out.splitlines():
        _, ctrls, path = line.split(":", 2)
        for c in (ctrls.split(",") if ctrls else ["unified"]):
            lines[c.replace("name=", "")] = path
    return r, lines


def test_exec_cgroup_path_every_hierarchy(ctx, rt, running):
    make_sub(rt, running, "sub")
    mine = hierarchies_of(rt.state_json(running)["pid"])
    r, cg = exec_cgroups(rt, running, "sub")
    assert r.rc == 0, r
    # the container has a cgroup namespace: its own cgroup is "/"
    assert len(mine) > 1 and all(cg[h] == "/sub" for h in mine), (mine, cg)
    assert rt.delete(running, "--force").rc == 0
    assert husk_cgroup_dirs(ctx.marker) == []


def test_exec_cgroup_per_controller(ctx, rt, running):
    make_sub(rt, running, "a", only=("memory", "pids", "cpu"))
    make_sub(rt, running, "b", only=("freezer",))
    r, cg = exec_cgroups(rt, running, "memory:a", "pids,cpu:/a", "freezer:b")
    assert r.rc == 0, r
    assert cg["memory"] == "/a" and cg["pids"] == "/a" and cg["cpu"] == "/a", cg
    assert cg["freezer"] == "/b", cg
    assert cg["devices"] == "/" and cg["blkio"] == "/", cg  # the container's own
    assert rt.delete(running, "--force").rc == 0
    assert husk_cgroup_dirs(ctx.marker) == []


@pytest.mark.parametrize("flags,msg", [
    (["nosuch"], "does not exist"),
    (["memory:nosuch"], "does not exist"),
    (["bogus:sub"], "unknown controller `bogus`"),
    (["../../x"], "no `..`"),
    (["memory:a/../../x"], "no `..`"),
    (["sub", "memory:sub"], "must be the only --cgroup"),
    (["memory:a", "memory:b"], "more than once"),
    ([":sub"], "empty controller"),
    (["memory:"], "empty sub-cgroup path"),
    (["a:b:c"], "expected [CONTROLLER"),
], ids=["missing", "missing-ctrl", "unknown-ctrl", "escape", "escape-ctrl", "plain-and-ctrl",
        "twice", "empty-ctrl", "empty-path", "two-colons"])
def test_exec_cgroup_errors(rt, running, flags, msg):
    make_sub(rt, running, "sub")
    args = []
    for f in flags:
        args += ["--cgroup", f]
    r = rt("exec", *args, running, "true")
    assert r.rc == 255 and msg in r.err, r
    assert rt.delete(running, "--force").rc == 0


def test_exec_cgroup_v2_view(ctx, rt, bundle, cid):
    bundle.remove_namespace("cgroup")
    bundle.sleep_forever()
    bundle.write()
    rc, out, err = v2_shell(rt, ctx.dir, '$H run -d --bundle "%s" %s' % (bundle.path, cid))
    assert rc == 0, (out, err)
    os.mkdir(host_v2_dir("/husk/%s/sub" % cid))
    os.mkdir(host_v2_dir("/husk/%s/other" % cid))
    script = ("$H exec --cgroup sub {c} cat /proc/self/cgroup; "
              "$H exec --cgroup hugetlb:sub {c} cat /proc/self/cgroup; "
              "$H exec --cgroup hugetlb:sub --cgroup pids:other {c} true; echo rc=$?; "
              "$H delete --force {c}").format(c=cid)
    rc, out, err = v2_shell(rt, ctx.dir, script)
    assert out.count("0::/husk/%s/sub" % cid) == 2, (out, err)
    assert "rc=255" in out and "single hierarchy" in err, (out, err)
    assert husk_cgroup_dirs(ctx.marker) == []
    ctx.assert_clean(cid)
