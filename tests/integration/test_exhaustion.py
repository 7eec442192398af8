"""Resource exhaustion: full pids and memory limits, limits too small for the
runtime's own setup, a container that fits in 512 KiB, rlimits above the hard
limit, a rootfs and a state root on a full filesystem, a runtime short of file
descriptors, 10,000 mounts, an argument list past ARG_MAX. Each must end in a
clear error or a working container, never a hang, and leave nothing behind."""
import json
import os
import re
import resource
import subprocess
import time

import pytest

from conftest import CGROUP_ROOT, cgroup_dir, mounts_under

MiB = 1 << 20
SLOW = 300


def clear_failure(ctx, rt, r, cid, pattern):
    assert r.rc not in (0, "timeout"), r
    assert re.search(pattern, r.err, re.I), "message %r does not match %r" % (r.err, pattern)
    assert len(r.err.strip().splitlines()) == 1, r  # one line, not a cascade
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)


def wait_for(cond, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out waiting for " + what
        time.sleep(0.05)


# ---------------------------------------------------------------------------
# cgroup limits

def test_full_pids_limit_container_stays_manageable(ctx, rt, bundle, cid):
    bundle.linux["resources"]["pids"] = {"limit": 8}
    # the shell and 7 sleeps fill the limit; `wait` is a builtin (no fork)
    bundle.cmd("for i in 1 2 3 4 5 6 7; do sleep 1000 & done; wait")
    r = rt.run(bundle, cid, "-d")
    assert r.rc == 0, r
    pid = rt.state_json(cid)["pid"]
    pids_dir = cgroup_dir(pid, "pids")
    wait_for(lambda: open(os.path.join(pids_dir, "pids.current")).read().strip() == "8",
             what="pids.current to reach 8")
    assert rt.status(cid) == "running"
    r = rt("ps", "--format", "json", cid)
    assert r.rc == 0 and len(json.loads(r.out)) == 8, r
    # an exec joins the full cgroup (attach is not a fork) but cannot fork in it
    r = rt("exec", cid, "sh", "-c", "echo in; sleep 1 & wait", timeout=SLOW)
    assert r.rc != 0 and r.out == "in\n" and "can't fork" in r.err, r
    r = rt("exec", cid, "sh", "-c", "echo in", timeout=SLOW)
    assert r.rc == 0 and r.out == "in\n", r
    assert rt("kill", "--all", cid, "KILL").rc == 0
    assert rt.delete(cid, "--force", timeout=SLOW).rc == 0
    ctx.assert_clean(cid)


def test_pids_limit_of_one(ctx, rt, bundle, cid):
    """Room for the init only: it runs (no setup step may need a second task
    in the cgroup), and its first fork fails."""
    bundle.linux["resources"]["pids"] = {"limit": 1}
    bundle.cmd("echo init-ran; sleep 1; echo after-fork")
    r = rt.run(bundle, cid)
    assert r.rc != 0 and r.out == "init-ran\n" and "can't fork" in r.err, r
    ctx.assert_clean(cid)


@pytest.mark.husk_only
def test_runs_under_a_512k_memory_limit(ctx, rt, bundle, cid):
    """user-needs 1.10: a container starts under --memory 512k (runc needs
    about 4 MB: its memfd copy). What husk's init is charged before its exec
    must leave room for the program. The program's own pages are charged to
    whoever reads them first: read here first, as a warm page cache would
    have them (cold, the exec of busybox alone passes 512 KiB)."""
    mem = {"limit": 512 * 1024}
    if os.path.exists(os.path.join(CGROUP_ROOT, "memory", "memory.memsw.limit_in_bytes")):
        mem["swap"] = mem["limit"]
    bundle.linux["resources"]["memory"] = mem
    bundle.config["process"]["args"] = ["/bin/echo", "RAN-UNDER-512K"]
    for f in ("/bin/busybox", "/bin/echo", "/bin/sh"):
        if os.path.isfile(bundle.rootfs_file(f)):
            with open(bundle.rootfs_file(f), "rb") as fh:
                fh.read()
    # Measured here: 100 of 100 runs pass at 512 KiB, 9 of 10 at 400 KiB,
    # 1 of 10 at 300 KiB. One OOM kill in five is let through (the kernel's
    # own charges vary); a runtime that copies itself into the container's
    # memory (runc: about 4 MB) fails all five.
    ran = 0
    for i in range(5):
        r = rt.run(bundle, "%s-%d" % (cid, i), timeout=SLOW)
        if r.rc == 0:
            assert r.out == "RAN-UNDER-512K\n", (i, r)
            ran += 1
        else:
            assert r.rc == 137, (i, r)  # the OOM killer, reported as the container's exit
        ctx.assert_clean("%s-%d" % (cid, i))
    assert ran >= 4, "only %d of 5 runs fitted in 512 KiB" % ran


def test_memory_limit_too_small_for_setup(ctx, rt, bundle, cid):
    mem = {"limit": 256 * 1024}
    if os.path.exists(os.path.join(CGROUP_ROOT, "memory", "memory.memsw.limit_in_bytes")):
        mem["swap"] = mem["limit"]
    bundle.linux["resources"]["memory"] = mem
    bundle.cmd("echo PROGRAM-RAN")
    r = rt.run(bundle, cid, timeout=SLOW)
    if r.rc == 0:  # the kernel let it through: then it really ran
        assert "PROGRAM-RAN" in r.out
        ctx.assert_clean(cid)
    else:
        # the init is OOM-killed during setup or before its exec
        clear_failure(ctx, rt, r, cid, r"container init exited (during setup|before its program)")


@pytest.mark.skipif(os.environ.get("HUSK_SANITIZED") == "1",
                    reason="an ASan+UBSan runtime's own memory is charged to the container until its "
                           "exec and does not fit a 16 MiB limit (stage 70-sanitizers)")
def test_memory_limit_filled_then_deleted(ctx, rt, bundle, cid):
    mem = {"limit": 16 * MiB}
    if os.path.exists(os.path.join(CGROUP_ROOT, "memory", "memory.memsw.limit_in_bytes")):
        mem["swap"] = mem["limit"]
    bundle.linux["resources"]["memory"] = mem
    # keep allocating (tail buffers an endless line) while the OOM killer works
    bundle.cmd("while :; do head -c 67108864 /dev/zero | tail; done")
    assert rt.run(bundle, cid, "-d").rc == 0
    d = cgroup_dir(rt.state_json(cid)["pid"], "memory")

    def oom_kills():
        for line in open(os.path.join(d, "memory.oom_control")):
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return int(open(os.path.join(d, "memory.failcnt")).read())  # older kernels

    wait_for(lambda: oom_kills() > 0, what="the OOM killer in the container")
    assert rt.delete(cid, "--force", timeout=SLOW).rc == 0
    ctx.assert_clean(cid)


# ---------------------------------------------------------------------------
# rlimits

def test_rlimit_above_hard_limit_names_the_limit(ctx, rt, bundle, cid):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": hard + 1, "hard": hard + 1}]
    r = rt.run(bundle, cid)
    clear_failure(ctx, rt, r, cid, r"process\.rlimits\[0\].*RLIMIT_NOFILE.*%d" % hard)


def test_rlimit_above_hard_limit_in_exec(ctx, rt, bundle, cid):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    bundle.sleep_forever()
    assert rt.run(bundle, cid, "-d").rc == 0
    proc = dict(bundle.process, args=["true"],
                rlimits=[{"type": "RLIMIT_NOFILE", "soft": hard + 1, "hard": hard + 1}])
    pf = os.path.join(ctx.dir, "process.json")
    with open(pf, "w") as f:
        json.dump(proc, f)
    r = rt("exec", "--process", pf, cid)
    assert r.rc == 255 and "RLIMIT_NOFILE" in r.err, r
    assert rt.status(cid) == "running"
    assert rt.delete(cid, "--force").rc == 0
    ctx.assert_clean(cid)


@pytest.mark.parametrize("nofile", [4, 16])
def test_tiny_nofile_rlimit_for_the_container(ctx, rt, bundle, cid, nofile):
    """The init applies rlimits before it waits for start: it must still be
    able to accept `start` and exec with so few descriptors."""
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": nofile, "hard": nofile}]
    bundle.cmd("ulimit -n; echo ran")
    r = rt.run(bundle, cid)
    assert r.rc == 0 and r.out.split() == [str(nofile), "ran"], r
    ctx.assert_clean(cid)


@pytest.mark.parametrize("nofile", [5, 8, 12])
def test_runtime_short_of_file_descriptors(ctx, rt, bundle, cid, nofile):
    """husk itself under a tiny RLIMIT_NOFILE: a clear error (EMFILE) or success."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    bundle.process.pop("rlimits", None)  # the example's RLIMIT_NOFILE 1024 fails first
    bundle.cmd("echo ran")
    bundle.write()
    argv = [rt.path, "--root", rt.root, "run", "--bundle", bundle.path, cid]
    p = subprocess.run(argv, preexec_fn=limit, capture_output=True, text=True, timeout=SLOW)
    if p.returncode == 0:
        assert p.stdout == "ran\n"
    else:
        assert "too many open files" in p.stderr.lower(), p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    ctx.assert_clean(cid)


# ---------------------------------------------------------------------------
# full filesystems

class SmallFs:
    """A tmpfs of `size` next to the test's directory (ctx.assert_clean looks
    for mounts inside it), unmounted at exit."""

    def __init__(self, ctx, name, size, inodes=None):
        self.path = path = ctx.dir + "-" + name
        self.inodes = inodes
        os.makedirs(path, exist_ok=True)
        opts = "size=%d" % size + (",nr_inodes=%d" % inodes if inodes else "")
        subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "husk-test-full", path], check=True)

    def fill(self):
        subprocess.run(["dd", "if=/dev/zero", "of=" + os.path.join(self.path, ".filler"), "bs=64k"],
                       stderr=subprocess.DEVNULL)
        i = 0
        while self.inodes:  # and every inode
            try:
                open(os.path.join(self.path, ".i%d" % i), "w").close()
            except OSError:
                break
            i += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", self.path])
        os.rmdir(self.path)


def test_rootfs_on_full_filesystem(ctx, rt, bundle, cid):
    with SmallFs(ctx, "full", 16 * MiB, inodes=4096) as fs:
        rootfs = os.path.join(fs.path, "rootfs")
        subprocess.run(["cp", "-a", bundle.rootfs, rootfs], check=True)
        bundle.config["root"]["path"] = rootfs
        # a mount point that does not exist yet: husk must create it
        bundle.add_mount("/new/mount/point", "tmpfs", "tmpfs", ["size=1m"])
        fs.fill()
        r = rt.create(bundle, cid)
        clear_failure(ctx, rt, r, cid, r"/new.*no space left on device")
        # the same rootfs works once there is room again
        os.unlink(os.path.join(fs.path, ".filler"))
        subprocess.run("rm -f %s/.i*" % fs.path, shell=True, check=True)
        bundle.cmd("test -d /new/mount/point && echo ok")
        r = rt.run(bundle, cid)
        assert r.rc == 0 and r.out == "ok\n", r
        ctx.assert_clean(cid)


def test_state_root_on_full_filesystem(ctx, rt, bundle, cid):
    with SmallFs(ctx, "fullroot", 1 * MiB) as fs:
        root = os.path.join(fs.path, "root")
        os.makedirs(root)
        fs.fill()
        bundle.sleep_forever()
        r = rt.create(bundle, cid, root=False, global_args=("--root", root))
        assert r.rc == 1, r
        assert "no space left on device" in r.err.lower() and root in r.err, r
        assert os.listdir(root) == [], os.listdir(root)
        ctx.assert_clean(cid)


def test_pid_file_on_full_filesystem(ctx, rt, bundle, cid):
    with SmallFs(ctx, "fullpid", 1 * MiB) as fs:
        fs.fill()
        bundle.sleep_forever()
        r = rt.create(bundle, cid, "--pid-file", os.path.join(fs.path, "pid"))
        clear_failure(ctx, rt, r, cid, r"pid.*no space left on device")


# ---------------------------------------------------------------------------
# sheer size

def test_10000_mounts(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "src")
    os.makedirs(src)
    for i in range(10000):
        bundle.add_mount("/m/%d" % i, "bind", src, ["bind", "ro"])
    bundle.cmd("grep -c ' /m/' /proc/self/mountinfo")
    r = rt.run(bundle, cid, timeout=SLOW)
    assert r.rc == 0 and r.out.strip() == "10000", r
    ctx.assert_clean(cid)
    assert not mounts_under(bundle.rootfs)


def test_10000_mounts_last_one_bad(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "src")
    os.makedirs(src)
    for i in range(9999):
        bundle.add_mount("/m/%d" % i, "bind", src, ["bind", "ro"])
    bundle.add_mount("/m/bad", "bind", os.path.join(ctx.dir, "no-such-source"), ["bind"])
    last = len(bundle.config["mounts"]) - 1
    r = rt.create(bundle, cid, timeout=SLOW)
    clear_failure(ctx, rt, r, cid, r"mounts\[%d\].*no-such-source" % last)


def test_argument_list_too_long(ctx, rt, bundle, cid):
    arg_max = os.sysconf("SC_ARG_MAX")
    bundle.config["process"]["args"] = ["true"] + ["x" * 4096] * (arg_max // 4096 + 16)
    r = rt.run(bundle, cid, timeout=SLOW)
    clear_failure(ctx, rt, r, cid, r"argument list too long")
