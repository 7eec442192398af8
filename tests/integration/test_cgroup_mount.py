"""mounts[] of type "cgroup": the container's /sys/fs/cgroup on this hybrid host
(v1 controllers + a cgroup2 "unified" tree) and in a pure v2 view, with and
without a cgroup namespace (rootless runs are in test_rootless.py)."""
import os
import subprocess

import pytest

from conftest import CGROUP_ROOT

MiB = 1024 * 1024

HOST_HIERARCHIES = sorted(e for e in os.listdir(CGROUP_ROOT)
                          if os.path.isdir(os.path.join(CGROUP_ROOT, e)))
IS_V2 = not HOST_HIERARCHIES or os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.controllers"))

SHOW = ("ls /sys/fs/cgroup | tr '\\n' ' '; echo; "
        "grep ' /sys/fs/cgroup' /proc/self/mountinfo | awk '{print \"MNT\", $5, $6, $(NF-2)}'; "
        "for h in memory unified; do "
        "  [ -e /sys/fs/cgroup/$h/cgroup.procs ] && echo PROCS-$h $(cat /sys/fs/cgroup/$h/cgroup.procs | tr '\\n' ' '); "
        "done; "
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null | sed 's/^/LIMIT /'; "
        "mkdir /sys/fs/cgroup/memory/probe 2>/dev/null && echo WRITABLE || echo READONLY; "
        "touch /sys/fs/cgroup/newfile 2>/dev/null && echo TMPFS-WRITABLE || echo TMPFS-READONLY")


def cgroup_mount(bundle, ro=True):
    opts = ["nosuid", "noexec", "nodev", "relatime"] + (["ro"] if ro else [])
    bundle.add_mount("/sys/fs/cgroup", "cgroup", "cgroup", opts)


def lines_with(out, prefix):
    return [l.split(None, 1)[1] if " " in l else "" for l in out.splitlines() if l.startswith(prefix)]


@pytest.mark.skipif(IS_V2, reason="host is pure cgroup v2")
@pytest.mark.parametrize("cgroupns", [True, False], ids=["cgroupns", "no-cgroupns"])
def test_v1_hybrid_tree(rt, bundle, cid, cgroupns):
    cgroup_mount(bundle)
    bundle.linux["resources"]["memory"] = {"limit": 96 * MiB}
    if not cgroupns:
        bundle.remove_namespace("cgroup")
    bundle.cmd(SHOW)
    r = rt.run(bundle, cid)
    assert r.rc == 0, r
    out = bundle.stdout(cid)
    first = out.splitlines()[0].split()
    assert sorted(first) == HOST_HIERARCHIES, out
    mnts = lines_with(out, "MNT ")
    assert any(m.startswith("/sys/fs/cgroup ") and " tmpfs" in " " + m for m in mnts), mnts
    # every hierarchy is a mount of its own, cgroup v1 or the unified cgroup2
    for h in HOST_HIERARCHIES:
        mine = [m for m in mnts if m.split()[0] == "/sys/fs/cgroup/" + h]
        assert mine, (h, mnts)
        assert ("cgroup2" if h == "unified" else "cgroup") in mine[0].split(), mine
        assert mine[0].split()[1].startswith("ro"), mine
    # rooted at the container's own cgroup: it lists only the container's processes
    assert "1" in lines_with(out, "PROCS-memory")[0].split(), out
    assert lines_with(out, "LIMIT") == [str(96 * MiB)], out
    assert "READONLY" in out and "TMPFS-READONLY" in out, out


@pytest.mark.skipif(IS_V2, reason="host is pure cgroup v2")
def test_v1_hybrid_tree_rw_tmpfs(rt, bundle, cid):
    """Without "ro" the hierarchies keep nosuid/nodev/noexec and may be written by root."""
    cgroup_mount(bundle, ro=False)
    bundle.process["capabilities"] = {k: ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE"] for k in
                                      ("bounding", "effective", "permitted")}
    bundle.cmd(SHOW + "; rmdir /sys/fs/cgroup/memory/probe")
    r = rt.run(bundle, cid)
    assert r.rc == 0, r
    out = bundle.stdout(cid)
    assert "WRITABLE" in out.split() and "TMPFS-WRITABLE" in out, out
    mnts = lines_with(out, "MNT ")
    assert all("nosuid" in m and "nodev" in m and "noexec" in m for m in mnts), mnts


def run_in_v2_view(rt, bundle, cid):
    bundle.write()
    script = 'umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"'
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
            rt.path, "--root", rt.root, "run", "--bundle", bundle.path, cid]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.mark.husk_only
@pytest.mark.parametrize("cgroupns", [True, False], ids=["cgroupns", "no-cgroupns"])
def test_v2_view(ctx, rt, bundle, cid, cgroupns):
    cgroup_mount(bundle)
    if not cgroupns:
        bundle.remove_namespace("cgroup")
    bundle.cmd("grep ' /sys/fs/cgroup' /proc/self/mountinfo | awk '{print \"MNT\", $5, $6, $(NF-2)}'; "
               "echo PROCS $(cat /sys/fs/cgroup/cgroup.procs | tr '\\n' ' '); "
               "mkdir /sys/fs/cgroup/probe 2>/dev/null && echo WRITABLE || echo READONLY")
    rc, out, err = run_in_v2_view(rt, bundle, cid)
    assert rc == 0, (out, err)
    mnts = lines_with(out, "MNT ")
    assert len(mnts) == 1 and mnts[0].split()[0] == "/sys/fs/cgroup", mnts
    assert mnts[0].split()[2] == "cgroup2" and mnts[0].split()[1].startswith("ro"), mnts
    assert "1" in lines_with(out, "PROCS")[0].split(), out
    assert "READONLY" in out, out
    ctx.assert_clean(cid)
