"""Rootless: husk run by an unprivileged user (docs/rootless.md).

The tests make two users (idempotently): USER with 65536 subordinate uids and
gids in /etc/subuid and /etc/subgid, NOSUB with none. They run husk as those
users through setpriv, with XDG_RUNTIME_DIR pointing at a directory of the
user's own (no --root: the default state root is what is tested), and check
the maps, file ownership, the failure messages and that nothing is left.
"""
import json
import os
import shutil
import stat
import subprocess
import time

import pytest

from conftest import CGROUP_ROOT, procs_with_marker, is_husk
from rootless_tools import (  # noqa: F401 (users, asuser, asnosub: fixtures)
    HAVE_V2, NOSUB, RANGE, USER, V2_ROOT, asnosub, asuser, delegate, rootless_bundle, run,
    users, write)
from test_console import ConsoleServer, read_all

pytestmark = pytest.mark.husk_only

def map_lines(text, marker):
    """The lines after `marker` up to the next marker line, split into ints."""
    out, on = [], False
    for line in text.splitlines():
        if line.startswith("=="):
            on = line == marker
            continue
        if on and line.split():
            out.append([int(x) for x in line.split()])
    return out


# ================================================================= maps

MAPS = ("echo ==uid; cat /proc/self/uid_map; echo ==gid; cat /proc/self/gid_map; "
        "echo ==; echo setgroups=$(cat /proc/self/setgroups); echo id=$(id -u):$(id -g)")


def test_single_mapping(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, script=MAPS + "; stat -c owner=%u:%g /bin/busybox")
    uid, gid = asuser.pw.pw_uid, asuser.pw.pw_gid
    assert cfg["linux"]["uidMappings"] == [{"containerID": 0, "hostID": uid, "size": 1}]
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    assert map_lines(r.out, "==uid") == [[0, uid, 1]], r.out
    assert map_lines(r.out, "==gid") == [[0, gid, 1]], r.out
    assert "setgroups=deny" in r.out  # the kernel's rule for an unprivileged gid map
    assert "id=0:0" in r.out
    assert "owner=65534:65534" in r.out  # host root is not mapped: the overflow id
    assert os.path.isdir(asuser.state) and not asuser.leftovers()  # run deletes on exit


def test_full_mapping_and_ownership(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, full=True,
                             script=MAPS + "; stat -c owner=%u:%g /owned; "
                             "touch /tmp/byroot; chown 1000:1001 /tmp/byroot; "
                             "su -s /bin/sh -c 'touch /tmp/by1000' tester 2>/dev/null || "
                             "setuidgid 1000:1000 touch /tmp/by1000 2>/dev/null || true")
    s_uid = cfg["linux"]["uidMappings"][1]["hostID"]
    s_gid = cfg["linux"]["gidMappings"][1]["hostID"]
    owned = os.path.join(d, "rootfs", "owned")
    open(owned, "w").close()
    os.chown(owned, s_uid + 4, s_gid + 6)  # host ids -> container ids 5 and 7
    cfg["root"]["readonly"] = False
    caps = ["CAP_CHOWN", "CAP_SETUID", "CAP_SETGID", "CAP_DAC_OVERRIDE", "CAP_FOWNER"]
    cfg["process"]["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    uid, gid = asuser.pw.pw_uid, asuser.pw.pw_gid
    assert map_lines(r.out, "==uid") == [[0, uid, 1], [1, s_uid, RANGE]], r.out
    assert map_lines(r.out, "==gid") == [[0, gid, 1], [1, s_gid, RANGE]], r.out
    assert "setgroups=allow" in r.out  # newgidmap leaves setgroups usable
    assert "owner=5:7" in r.out, r.out
    st = os.stat(os.path.join(d, "rootfs", "tmp", "byroot"))
    assert (st.st_uid, st.st_gid) == (s_uid + 999, s_gid + 1000), (st.st_uid, st.st_gid)
    assert not asuser.leftovers()


def test_no_subuid_entry(ctx, asnosub):
    d, cfg = rootless_bundle(ctx, asnosub, full=True)
    cid, r = run(asnosub, d, cfg)
    assert r.rc != 0
    pw = asnosub.pw
    assert "linux.uidMappings[1]" in r.err, r
    assert "host ids 100000-165535 are not delegated to user %s (uid %d)" % (NOSUB, pw.pw_uid) in r.err, r
    assert "/etc/subuid has no entry" in r.err and "usermod --add-subuids 100000-165535 " + NOSUB in r.err, r
    assert not asnosub.leftovers() and not procs_with_marker(ctx.marker)


def test_gid_range_not_delegated(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, full=True)
    cfg["linux"]["gidMappings"][1]["hostID"] = 4000000000  # nobody's
    cid, r = run(asuser, d, cfg)
    assert r.rc != 0
    assert "linux.gidMappings[1]" in r.err and "/etc/subgid gives it only" in r.err, r
    assert not asuser.leftovers()


def test_no_user_namespace(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser)
    cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "user"]
    del cfg["linux"]["uidMappings"], cfg["linux"]["gidMappings"]
    cid, r = run(asuser, d, cfg)
    assert r.rc != 0
    assert "husk runs as uid %d, which needs a user namespace" % asuser.pw.pw_uid in r.err, r
    assert not asuser.leftovers() and not procs_with_marker(ctx.marker)


def test_single_mapping_without_entries(ctx, asnosub):
    """A user without subordinate ids still runs the single mapping of itself."""
    d, cfg = rootless_bundle(ctx, asnosub, script=MAPS)
    cid, r = run(asnosub, d, cfg)
    assert r.rc == 0, r
    assert map_lines(r.out, "==uid") == [[0, asnosub.pw.pw_uid, 1]]
    assert not asnosub.leftovers()


def test_newuidmap_not_in_path(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, full=True)
    empty = os.path.join(ctx.dir, "emptybin")
    os.makedirs(empty)
    write(d, cfg)
    cid = asuser.new_id()
    r = asuser("run", "--bundle", d, cid, env=asuser.env(PATH=empty))
    assert r.rc != 0
    assert "newuidmap not found in PATH (%s)" % empty in r.err, r
    assert "apt install uidmap" in r.err and "HUSK_NEWUIDMAP" in r.err, r
    assert not asuser.leftovers() and not procs_with_marker(ctx.marker)


def test_newuidmap_named_by_variable(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, full=True, script="cat /proc/self/uid_map")
    write(d, cfg)
    cid = asuser.new_id()
    r = asuser("run", "--bundle", d, cid, env=asuser.env(HUSK_NEWUIDMAP="/nonexistent/newuidmap"))
    assert r.rc != 0 and "HUSK_NEWUIDMAP=/nonexistent/newuidmap: not an executable file" in r.err, r
    # a helper that fails: its output is in the error, nothing is left
    fake = os.path.join(ctx.dir, "fake-newgidmap")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho \"fake newgidmap: refusing $*\" >&2\nexit 3\n")
    os.chmod(fake, 0o755)
    cid = asuser.new_id()
    r = asuser("run", "--bundle", d, cid, env=asuser.env(HUSK_NEWGIDMAP=fake))
    assert r.rc != 0
    assert "linux.gidMappings" in r.err and "exit status 3" in r.err, r
    assert "fake newgidmap: refusing" in r.err, r
    assert not asuser.leftovers() and not procs_with_marker(ctx.marker)
    # and the real one named explicitly works
    cid = asuser.new_id()
    r = asuser("run", "--bundle", d, cid, env=asuser.env(HUSK_NEWUIDMAP=shutil.which("newuidmap")))
    assert r.rc == 0 and str(cfg["linux"]["uidMappings"][1]["hostID"]) in r.out, r
    assert not asuser.leftovers()


# ================================================================= state root

def test_state_root_fallback_and_error(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser)
    write(d, cfg)
    run_user = "/run/user/%d" % asuser.pw.pw_uid
    made = not os.path.exists(run_user)
    if made:  # no login session here: /run/user/UID is missing, which is the error case
        cid = asuser.new_id()
        r = asuser("run", "--bundle", d, cid, env=asuser.env(XDG_RUNTIME_DIR=None))
        assert r.rc != 0
        assert ("XDG_RUNTIME_DIR is not set and %s does not exist" % run_user) in r.err, r
        assert "--root DIR" in r.err
        cid = asuser.new_id()
        r = asuser("run", "--bundle", d, cid, env=asuser.env(XDG_RUNTIME_DIR=""))
        assert r.rc != 0 and "XDG_RUNTIME_DIR is not set" in r.err, r  # empty counts as unset
        os.makedirs(run_user, mode=0o700)
        os.chown(run_user, asuser.pw.pw_uid, asuser.pw.pw_gid)
    try:
        cid = asuser.new_id()
        r = asuser("create", "--bundle", d, cid, env=asuser.env(XDG_RUNTIME_DIR=None))
        assert r.rc == 0, r
        assert os.path.isdir(os.path.join(run_user, "husk", cid))
        r = asuser("list", "-q", env=asuser.env(XDG_RUNTIME_DIR=None))
        assert cid in r.out.split(), r
        assert asuser("delete", "--force", cid, env=asuser.env(XDG_RUNTIME_DIR=None)).rc == 0
        assert not os.path.exists(os.path.join(run_user, "husk", cid))
    finally:
        if made:
            shutil.rmtree(run_user, ignore_errors=True)
    # an XDG_RUNTIME_DIR the user cannot write
    cid = asuser.new_id()
    r = asuser("run", "--bundle", d, cid, env=asuser.env(XDG_RUNTIME_DIR="/"))
    assert r.rc != 0 and "cannot create it under XDG_RUNTIME_DIR=/" in r.err, r


# ================================================================= every command

def lifecycle(ctx, u, d, cfg, can_pause):
    cfg["process"]["args"] = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait; done",
                              ctx.marker]
    write(d, cfg)
    cid = u.new_id()
    assert u("create", "--bundle", d, cid).rc == 0
    st = json.loads(u("state", cid).out)
    assert st["status"] == "created" and st["pid"] > 0
    assert u("start", cid).rc == 0
    r = u("list", "--format", "json")
    assert r.rc == 0 and cid in [c["id"] for c in json.loads(r.out)], r
    r = u("exec", cid, "sh", "-c", "echo exec-ok $(id -u)")
    assert r.rc == 0 and "exec-ok 0" in r.out, r
    r = u("exec", "-d", cid, "sleep", "300")
    assert r.rc == 0, r
    r = u("ps", "--format", "json", cid)
    assert r.rc == 0, r
    pids = json.loads(r.out)
    assert st["pid"] in pids and len(pids) >= 2, (pids, st)
    r = u("ps", cid)
    assert r.rc == 0 and "sleep 300" in r.out, r
    if can_pause:
        assert u("pause", cid).rc == 0
        assert json.loads(u("state", cid).out)["status"] == "paused"
        assert u("resume", cid).rc == 0
        assert json.loads(u("state", cid).out)["status"] == "running"
        with open(os.path.join(V2_ROOT, "cgroup.subtree_control")) as f:
            handed = f.read().split()
        # events --stats reads the delegated v2 cgroup (cpu.stat is in every one)
        r = u("events", "--stats", cid)
        assert r.rc == 0, r
        data = json.loads(r.out)["data"]
        assert data["cpu"]["usage"]["total"] > 0, data
        if "pids" in handed:
            assert data["pids"]["current"] >= 2, data
        if "memory" in handed:
            assert data["memory"]["usage"]["usage"] > 0, data
        # update: what the delegated cgroup hands down, an error naming the rest
        upd = os.path.join(ctx.dir, "update.json")
        with open(upd, "w") as f:
            json.dump({"pids": {"limit": 20}}, f)
        r = u("update", "-r", upd, cid)
        if "pids" in handed:
            assert r.rc == 0, r
        else:
            assert r.rc != 0 and "update: cannot enforce linux.resources.pids.limit (pids)" in r.err, r
        if "hugetlb" in handed:
            with open(upd, "w") as f:
                json.dump({"hugepageLimits": [{"pageSize": "2MB", "limit": 6 << 21}]}, f)
            r = u("update", "-r", upd, cid)
            assert r.rc == 0, r
            with open(os.path.join(asuser_cgroup_dir(u, cfg), "hugetlb.2MB.max")) as f:
                assert int(f.read()) == 6 << 21
    else:
        r = u("pause", cid)
        assert r.rc != 0 and "pause/resume needs a cgroup and the container has none" in r.err, r
        r = u("update", "--pids-limit", "20", cid)
        assert r.rc != 0 and "update: the container has no cgroup (rootless" in r.err, r
    # kill --all reaches the exec'd sleep too (cgroup or pid namespace)
    assert u("kill", "--all", cid, "KILL").rc == 0
    deadline = time.time() + 10
    while json.loads(u("state", cid).out)["status"] != "stopped" and time.time() < deadline:
        time.sleep(0.05)
    assert json.loads(u("state", cid).out)["status"] == "stopped"
    assert u("delete", cid).rc == 0
    assert u("state", cid).rc != 0
    return cid


def asuser_cgroup_dir(u, cfg):
    return V2_ROOT + cfg["linux"]["cgroupsPath"]


def test_every_command_without_cgroup(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser)
    lifecycle(ctx, asuser, d, cfg, can_pause=False)


@pytest.mark.skipif(not HAVE_V2, reason="no cgroup v2 tree to delegate")
def test_every_command_with_delegated_cgroup(ctx, asuser):
    asuser.cgroup = delegate(ctx, asuser.pw)
    d, cfg = rootless_bundle(ctx, asuser, full=True)
    cfg["linux"]["resources"] = {"pids": {"limit": 64}}
    cfg["linux"]["cgroupsPath"] = asuser.cgroup["rel"] + "/c"
    cid = lifecycle(ctx, asuser, d, cfg, can_pause=True)
    assert not os.path.exists(os.path.join(asuser.cgroup["top"], "c"))


# ================================================================= cgroups

def test_limits_without_delegation_warn(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser)
    cfg["linux"]["resources"] = {"memory": {"limit": 64 << 20}, "pids": {"limit": 30}}
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    assert "rootless: not enforced: linux.resources.memory.limit (memory), linux.resources.pids.limit (pids)" in r.err, r
    assert "io.github.husk.cgroups=strict" in r.err
    assert not asuser.leftovers()
    # strict: the same limits are an error, and nothing is left
    cfg["annotations"] = {"io.github.husk.cgroups": "strict"}
    cid, r = run(asuser, d, cfg)
    assert r.rc != 0 and "rootless: cannot enforce linux.resources.memory.limit (memory)" in r.err, r
    assert not asuser.leftovers()


def test_no_limits_no_warning(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser)
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0 and r.err == "", r
    assert not asuser.leftovers()


@pytest.mark.skipif(not HAVE_V2, reason="no cgroup v2 tree to delegate")
def test_delegated_cgroup_enforces_what_it_can(ctx, asuser):
    asuser.cgroup = delegate(ctx, asuser.pw)
    with open(os.path.join(V2_ROOT, "cgroup.subtree_control")) as f:
        handed = f.read().split()
    d, cfg = rootless_bundle(ctx, asuser, script="cat /proc/self/cgroup")
    cfg["linux"]["resources"] = {"memory": {"limit": 64 << 20}}
    if "hugetlb" in handed:
        cfg["linux"]["resources"]["hugepageLimits"] = [{"pageSize": "2MB", "limit": 4 << 21}]
    cfg["linux"]["cgroupsPath"] = asuser.cgroup["rel"] + "/c"
    cfg["process"]["args"][2] = "sleep 300"
    write(d, cfg)
    cid = asuser.new_id()
    r = asuser("create", "--bundle", d, cid)
    assert r.rc == 0, r
    cg = os.path.join(asuser.cgroup["top"], "c")
    pid = json.loads(asuser("state", cid).out)["pid"]
    with open(os.path.join(cg, "cgroup.procs")) as f:
        assert str(pid) in f.read().split()
    if "memory" not in handed:
        assert "not enforced: linux.resources.memory.limit (memory)" in r.err, r
    if "hugetlb" in handed:
        with open(os.path.join(cg, "hugetlb.2MB.max")) as f:
            assert int(f.read()) == 4 << 21
        assert "hugepageLimits" not in r.err
        r = asuser("update", "--memory", "32M", cid) if "memory" not in handed else None
        if r is not None:
            assert r.rc != 0 and "update: cannot enforce linux.resources.memory.limit (memory)" in r.err, r
    # the default path: below the runtime's own (delegated) cgroup
    assert asuser("delete", "--force", cid).rc == 0
    assert not os.path.exists(cg)
    del cfg["linux"]["cgroupsPath"]
    cfg["process"]["args"][2] = "cat /proc/self/cgroup"
    cfg["linux"]["resources"] = {}
    cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "cgroup"]
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    assert "0::%s/launch/husk-%s" % (asuser.cgroup["rel"], cid) in r.out.splitlines(), r


@pytest.mark.parametrize("cgroupns", [True, False], ids=["cgroupns", "no-cgroupns"])
def test_cgroup_mount_rootless(ctx, asuser, cgroupns):
    """The spec's /sys/fs/cgroup mount (type cgroup) in a user namespace: fresh
    mounts in a cgroup namespace, binds of the cgroups the init is in otherwise."""
    d, cfg = rootless_bundle(ctx, asuser, script="ls /sys/fs/cgroup | tr '\\n' ' '; echo; "
                             "awk '$5 ~ \"^/sys/fs/cgroup\" {print $5, $6, $(NF-2)}' /proc/self/mountinfo")
    assert any(m["destination"] == "/sys/fs/cgroup" and m["type"] == "cgroup" for m in cfg["mounts"])
    if not cgroupns:
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != "cgroup"]
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    host = sorted(e for e in os.listdir(CGROUP_ROOT) if os.path.isdir(os.path.join(CGROUP_ROOT, e)))
    if os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.procs")):  # pure v2
        assert any(l.startswith("/sys/fs/cgroup ") and l.endswith(" cgroup2") for l in lines), r.out
    else:
        assert sorted(lines[0].split()) == host, r.out
        # the last mount on a path is the visible one (the host's, bound with /sys, lie below)
        for h in [""] + ["/" + h for h in host]:
            mine = [l for l in lines[1:] if l.split()[0] == "/sys/fs/cgroup" + h][-1].split()
            assert mine[2] == ("tmpfs" if not h else "cgroup2" if h == "/unified" else "cgroup"), (h, r.out)
            assert mine[1].startswith("ro,"), (h, r.out)
    assert not asuser.leftovers()


# ================================================================= fallbacks

def test_devices_are_bind_mounts(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, script="grep -E ' /dev/(null|full) ' /proc/self/mountinfo "
                             "| awk '{print $5}'; head -c 3 /dev/full | od -An -tx1; echo x > /dev/null && echo null-ok")
    cfg["linux"]["devices"] = [{"path": "/dev/full", "type": "c", "major": 1, "minor": 7,
                                "fileMode": 0o666, "uid": 0, "gid": 0}]
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    assert "/dev/null" in r.out.split() and "/dev/full" in r.out.split(), r.out
    assert "00 00 00" in r.out and "null-ok" in r.out
    assert not asuser.leftovers()


@pytest.mark.parametrize("netns", [False, True], ids=["host-netns", "own-netns"])
def test_sysfs(ctx, asuser, netns):
    d, cfg = rootless_bundle(ctx, asuser, script="awk '$5 == \"/sys\" "
                             "{print \"root=\" $4, \"type=\" $(NF-2)}' /proc/self/mountinfo; ls /sys/class/net | tr '\\n' ' '")
    sysm = [m for m in cfg["mounts"] if m["destination"] == "/sys"][0]
    sysm.update({"type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]})
    if netns:
        cfg["linux"]["namespaces"].append({"type": "network"})
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0, r
    assert "type=sysfs" in r.out, r.out
    nets = r.out.split("\n", 1)[1].split()
    if netns:  # a real sysfs of the user's own network namespace: only lo
        assert nets == ["lo"], r.out
    else:      # the host's /sys, bound (sysfs needs the owner of the netns)
        assert len(nets) >= 2, r.out
    assert not asuser.leftovers()


def test_rlimits_within_and_above_hard(ctx, asuser):
    import resource
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    d, cfg = rootless_bundle(ctx, asuser, script="ulimit -n")
    cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1000}]
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0 and r.out.split() == ["512"], r
    assert not asuser.leftovers()
    if hard != resource.RLIM_INFINITY:
        cfg["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": hard + 1}]
        cid, r = run(asuser, d, cfg)
        assert r.rc != 0
        assert "cannot raise RLIMIT_NOFILE hard limit to %d" % (hard + 1) in r.err, r
        assert "the current hard limit is %d" % hard in r.err, r
        assert not asuser.leftovers()


def test_oom_score_adj(ctx, asuser):
    d, cfg = rootless_bundle(ctx, asuser, script="cat /proc/self/oom_score_adj")
    cfg["process"]["oomScoreAdj"] = 100  # raising is allowed
    cid, r = run(asuser, d, cfg)
    assert r.rc == 0 and r.out.split() == ["100"], r
    cfg["process"]["oomScoreAdj"] = -100  # lowering needs CAP_SYS_RESOURCE
    cid, r = run(asuser, d, cfg)
    assert r.rc != 0 and "process.oomScoreAdj" in r.err and "Permission denied" in r.err, r
    assert not asuser.leftovers()


# ================================================================= spec --rootless, unchanged

def test_spec_rootless_runs_unchanged_as_user(ctx, asuser):
    d = os.path.join(ctx.dir, "unchanged")
    os.makedirs(d)
    os.chmod(d, 0o777)
    assert asuser("spec", "--rootless", "--bundle", d).rc == 0
    os.chmod(d, 0o755)
    subprocess.run(["cp", "-a", ctx.rootfs_master, os.path.join(d, "rootfs")], check=True)
    sdir = os.path.join(ctx.dir, "sock")
    os.makedirs(sdir)
    sock = os.path.join(sdir, "c.sock")
    srv = ConsoleServer(sock)
    os.chmod(sdir, 0o777)
    os.chmod(sock, 0o777)
    try:
        cid = asuser.new_id()
        r = asuser("create", "--bundle", d, "--console-socket", sock, cid)
        assert r.rc == 0, r
        _, master = srv.receive()
        try:
            assert asuser("start", cid).rc == 0
            os.write(master, b"echo rootless-$((40+2)) $(id -u); cat /proc/self/uid_map; exit\n")
            out = read_all(master, timeout=10)
        finally:
            os.close(master)
    finally:
        srv.close()
    assert "rootless-42 0" in out, out
    assert "0 %d 1" % asuser.pw.pw_uid in " ".join(out.split()), out
    deadline = time.time() + 10
    while json.loads(asuser("state", cid).out)["status"] != "stopped" and time.time() < deadline:
        time.sleep(0.05)
    assert asuser("delete", cid).rc == 0


# ================================================================= husk check

STATUSES = {"ok", "warning", "problem", "skipped"}


def check_json(u, *args, env=None):
    r = u("check", "--json", *args, env=env)
    doc = json.loads(r.out)
    assert set(doc) == {"user", "uid", "rootless", "ok", "checks"}, doc
    items = {c["id"]: c for c in doc["checks"]}
    for c in doc["checks"]:
        assert set(c) == {"id", "status", "summary", "fix"} and c["status"] in STATUSES, c
        assert (c["fix"] is None) == (c["status"] in ("ok", "skipped")), c
    assert doc["ok"] == (not any(c["status"] == "problem" for c in doc["checks"]))
    assert r.rc == (0 if doc["ok"] else 1), r
    return r, doc, items


def test_check_as_root(ctx, rt):
    r = rt("check", root=False)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0] == "husk check: user root (uid 0)"
    assert any(l.split()[:2] == ["ok", "userns.max"] for l in lines), r.out
    assert any(l.split()[:2] == ["skipped", "subuid"] for l in lines), r.out
    assert "problem" not in [l.split()[0] for l in lines if l.split()]
    r = rt("check", "--json", root=False)
    doc = json.loads(r.out)
    items = {c["id"]: c for c in doc["checks"]}
    assert doc["uid"] == 0 and doc["rootless"] is False and doc["ok"] is True
    assert items["userns.create"]["status"] == "ok"
    assert items["newuidmap"]["status"] == "ok" and "setuid root" in items["newuidmap"]["summary"]
    assert items["cgroups"]["status"] == "ok" and "root manages cgroups" in items["cgroups"]["summary"]
    assert items["xdg"]["status"] == "skipped" and "/run/husk" in items["xdg"]["summary"]


def test_check_root_for_a_user(ctx, rt, users):
    r = rt("check", "--rootless", "--json", "--user", USER, root=False)
    doc = json.loads(r.out)
    items = {c["id"]: c for c in doc["checks"]}
    assert doc["user"] == USER and doc["rootless"] is True
    assert items["subuid"]["status"] == "ok" and items["subgid"]["status"] == "ok"
    assert "userns.create" not in items  # the probe runs only as the user itself
    assert items["cgroups.delegation"]["status"] == "skipped"
    r = rt("check", "--user", "no-such-user-here", root=False)
    assert r.rc != 0 and "no user `no-such-user-here`" in r.err, r


def test_check_user_with_ranges(ctx, asuser):
    r, doc, items = check_json(asuser)
    assert doc["user"] == USER and doc["uid"] == asuser.pw.pw_uid and doc["rootless"] is True
    assert doc["ok"] is True and r.rc == 0, r
    assert items["userns.create"]["status"] == "ok"
    assert items["subuid"]["status"] == "ok" and "gives %s 65536 ids" % USER in items["subuid"]["summary"]
    assert items["subgid"]["status"] == "ok"
    assert items["xdg"]["status"] == "ok" and asuser.xdg in items["xdg"]["summary"]
    assert items["newuidmap"]["status"] == "ok"
    if HAVE_V2:  # the user's cgroup is root's here: not delegated, a warning with the fixes
        d = items["cgroups.delegation"]
        assert d["status"] == "warning" and "Delegate=yes" in d["fix"], d
    # text form: one line per item, fix lines under warnings
    r = asuser("check")
    assert r.rc == 0
    assert r.out.splitlines()[0] == "husk check --rootless: user %s (uid %d)" % (USER, asuser.pw.pw_uid)
    assert "fix: " in r.out and r.out.splitlines()[-1].startswith("%d ok, 0 problem(s)" % sum(
        1 for c in doc["checks"] if c["status"] == "ok"))


@pytest.mark.skipif(not HAVE_V2, reason="no cgroup v2 tree to delegate")
def test_check_user_in_delegated_cgroup(ctx, asuser):
    asuser.cgroup = delegate(ctx, asuser.pw)
    r, doc, items = check_json(asuser)
    assert items["cgroups.delegation"]["status"] == "ok", items["cgroups.delegation"]
    assert asuser.cgroup["rel"] + "/launch" in items["cgroups.delegation"]["summary"]
    c = items["cgroups.controllers"]
    with open(os.path.join(V2_ROOT, "cgroup.subtree_control")) as f:
        handed = f.read().split()
    if not set("cpu cpuset io memory pids".split()) <= set(handed):
        assert c["status"] == "warning" and "missing" in c["summary"], c
    else:
        assert c["status"] == "ok", c


def test_check_user_without_ranges_and_its_fix(ctx, asnosub):
    r, doc, items = check_json(asnosub)
    assert r.rc == 1 and doc["ok"] is False
    for kind, flag in (("subuid", "uids"), ("subgid", "gids")):
        it = items[kind]
        assert it["status"] == "problem", it
        assert "/etc/%s has no entry for %s (uid %d)" % (kind, NOSUB, asnosub.pw.pw_uid) in it["summary"]
        assert it["fix"].startswith("usermod --add-sub%s " % flag) and it["fix"].endswith(" " + NOSUB), it
    # the printed command is exact: run it (as root) and the problems are gone
    fixes = [items["subuid"]["fix"], items["subgid"]["fix"]]
    try:
        for f in fixes:
            subprocess.run(f, shell=True, check=True)
        r, doc, items = check_json(asnosub)
        assert items["subuid"]["status"] == "ok" and items["subgid"]["status"] == "ok", items
        assert doc["ok"] is True and r.rc == 0
    finally:
        for f in fixes:
            subprocess.run(f.replace("--add-sub", "--del-sub"), shell=True, check=True)
    r, doc, items = check_json(asnosub)
    assert items["subuid"]["status"] == "problem"


def test_check_xdg_problems(ctx, asuser):
    os.chmod(asuser.xdg, 0o755)
    r, doc, items = check_json(asuser)
    x = items["xdg"]
    assert x["status"] == "problem" and "mode 0755" in x["summary"] and x["fix"] == "chmod 0700 " + asuser.xdg, x
    asuser_env = asuser.env(XDG_RUNTIME_DIR=None)
    r, doc, items = check_json(asuser, env=asuser_env)
    x = items["xdg"]
    run_user = "/run/user/%d" % asuser.pw.pw_uid
    if not os.path.exists(run_user):
        assert x["status"] == "problem" and "XDG_RUNTIME_DIR is not set and %s does not exist" % run_user in x["summary"], x
        assert "install -d -m 0700 -o %s" % USER in x["fix"] and "export XDG_RUNTIME_DIR=" + run_user in x["fix"], x
