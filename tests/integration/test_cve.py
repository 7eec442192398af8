"""Regression tests for container-escape CVEs (user-needs.md section 3.3,
items 1-8). The rootfs is hostile; every test checks the host side is intact.
None of them writes to a sensitive host file even when the runtime is
vulnerable: they observe what got mounted or opened instead."""
import hashlib
import os
import shutil
import stat
import subprocess
import time
import threading

import pytest

from conftest import Runtime, is_husk, mounts_under
from test_console import ConsoleServer, read_all


@pytest.fixture(params=["openat2", "fallback-walk"], autouse=True)
def resolver(request, monkeypatch):
    """Every escape test runs twice: with openat2(RESOLVE_IN_ROOT) and with the
    user-space fallback walk husk uses where openat2 is unavailable."""
    if request.param == "fallback-walk":
        if not is_husk():
            pytest.skip("husk's fallback resolver")
        monkeypatch.setenv("HUSK_FAULT", "safepath:no-openat2")
    return request.param


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def host_dir(ctx, name="hostdir"):
    d = os.path.join(ctx.dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "keep"), "w") as f:
        f.write("host")
    return d


def snapshot(d):
    res = []
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            res.append((p, stat.S_IFMT(st.st_mode), st.st_size))
    return sorted(res)


def replace_with_symlink(path, target):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)
    os.symlink(target, path)


def drop_dev_tmpfs(bundle):
    """Without a tmpfs on /dev the image's own /dev is what the runtime works in."""
    bundle.config["mounts"] = [m for m in bundle.config["mounts"] if m["destination"] != "/dev"]


# ---------------------------------------------------------------------------
# 1. CVE-2019-5736: the container execs the runtime binary through
# #!/proc/self/exe with an image-provided ELF interpreter, keeps an fd to it,
# and writes through /proc/self/fd/N once the runtime has exited.

FAKE_LDSO = r"""
static long sys(long n, long a, long b, long c)
{
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
static char *argv[] = {"sh", "-c",
  "for i in $(seq 100); do if echo pwned >> /proc/self/fd/3; then echo WROTE; exit 0; fi 2>/dev/null;"
  " sleep 0.05; done; echo NOWRITE", 0};
static char *envp[] = {"PATH=/bin", 0};
void _start(void)
{
  long fd = sys(2, (long)"/proc/self/exe", 0, 0); /* open(O_RDONLY): whatever we were exec'd as */
  if (fd >= 0 && fd != 3)
    sys(33, fd, 3, 0); /* dup2 */
  sys(59, (long)"/bin/sh", (long)argv, (long)envp);
  sys(60, 1, 0, 0);
}
"""


def plant_evil(ctx, bundle):
    """/evil is `#!/proc/self/exe`; the ELF interpreter the runtime's binary
    asks for is ours: it keeps /proc/self/exe open as fd 3 and writes to it."""
    src = os.path.join(ctx.dir, "ldso.c")
    with open(src, "w") as f:
        f.write(FAKE_LDSO)
    os.makedirs(bundle.rootfs_file("/lib64"), exist_ok=True)
    subprocess.run(["gcc", "-O1", "-static", "-no-pie", "-nostdlib", "-fno-stack-protector",
                    "-o", bundle.rootfs_file("/lib64/ld-linux-x86-64.so.2"), src], check=True)
    with open(bundle.rootfs_file("/evil"), "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(bundle.rootfs_file("/evil"), 0o755)


@pytest.mark.skipif(shutil.which("gcc") is None or os.uname().machine != "x86_64", reason="needs gcc on x86_64")
@pytest.mark.parametrize("via", ["run", "exec"])
def test_cve_2019_5736_proc_self_exe(ctx, runtime, bundle, cid, via):
    # a private copy of the runtime: a vulnerable one must not damage the real one
    exe = os.path.join(ctx.dir, "runtime-copy")
    shutil.copy2(runtime, exe)
    before = sha256(exe)
    rt = Runtime(exe, ctx.rt.root, ctx.rt.workdir)
    plant_evil(ctx, bundle)
    out = ""
    if via == "run":
        bundle.process["args"] = ["/evil", bundle.marker]
        r = rt.create(bundle, cid)
        if r.rc == 0:
            assert rt.start(cid).rc == 0
            rt.wait_status(cid, "stopped", timeout=15)
        out = bundle.stdout(cid)
    else:
        bundle.sleep_forever()
        assert rt.create(bundle, cid).rc == 0
        assert rt.start(cid).rc == 0
        # detached: the exec'd process outlives the runtime, whose binary is
        # then no longer busy (ETXTBSY would hide the bug otherwise)
        outp = os.path.join(ctx.dir, "exec.out")
        assert rt("exec", "-d", cid, "/evil", bundle.marker, out_path=outp, err_path=outp).rc == 0
        deadline = time.time() + 20
        while time.time() < deadline and "WROTE" not in out and "NOWRITE" not in out:
            time.sleep(0.1)
            with open(outp) as f:
                out = f.read()
    rt.delete(cid, "--force")
    assert sha256(exe) == before, "the runtime binary was overwritten from the container: %s" % out
    assert "WROTE" not in out
    assert "NOWRITE" in out, out  # the attack ran and failed (not: never started)


# ---------------------------------------------------------------------------
# 2. CVE-2024-21626: process.cwd = /proc/self/fd/N with host directory fds
# open in the caller.

@pytest.mark.parametrize("n", [3, 4, 5, 7, 8, 12, 20, 40])
def test_cve_2024_21626_cwd_leaked_fd(ctx, rt, bundle, cid, n):
    d = host_dir(ctx)
    with open(os.path.join(d, "HOST_SECRET_%s" % bundle.marker), "w") as f:
        f.write("x")
    fds = [os.open(d, os.O_RDONLY | os.O_DIRECTORY) for _ in range(40)]
    fds += [os.open("/", os.O_PATH) for _ in range(4)]
    try:
        bundle.process["cwd"] = "/proc/self/fd/%d" % n
        bundle.cmd("pwd; ls; ls ..")
        r = rt.run(bundle, cid, pass_fds=fds)
    finally:
        for fd in fds:
            os.close(fd)
    assert "HOST_SECRET" not in r.out, r
    assert "keep" not in r.out.split(), r


def test_cve_2024_21626_no_host_fd_reaches_container(ctx, rt, bundle, cid):
    d = host_dir(ctx)
    fds = [os.open(d, os.O_RDONLY | os.O_DIRECTORY) for _ in range(30)]
    try:
        bundle.cmd("for f in /proc/self/fd/*; do readlink $f; done; true")
        r = rt.run(bundle, cid, pass_fds=fds)
    finally:
        for fd in fds:
            os.close(fd)
    assert r.rc == 0, r
    assert d not in r.out, r


# ---------------------------------------------------------------------------
# 3. CVE-2025-31133: /dev/null in the image is a symlink to a procfs file;
# maskedPaths must still be masked by a real /dev/null (or setup fails).

@pytest.mark.parametrize("target", ["/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/etc/passwd"])
def test_cve_2025_31133_devnull_symlink(ctx, rt, bundle, cid, target):
    drop_dev_tmpfs(bundle)
    os.makedirs(bundle.rootfs_file("/dev"), exist_ok=True)
    replace_with_symlink(bundle.rootfs_file("/dev/null"), target)
    bundle.linux["maskedPaths"] = ["/proc/timer_list", "/proc/kcore"]
    bundle.cmd("stat -Lc '%F %t:%T' /proc/timer_list; wc -c < /proc/timer_list")
    r = rt.run(bundle, cid)
    if r.rc != 0:  # failing closed is fine
        return
    lines = r.out.strip().splitlines()
    assert lines[0] == "character special file 1:3", r
    assert lines[1].strip() == "0", r


# ---------------------------------------------------------------------------
# 4. CVE-2025-52565: /dev/console and /dev/pts/ptmx (and /dev/ptmx) planted as
# symlinks in the image; with a terminal, /dev/console must be the real pty.

def test_cve_2025_52565_console_and_ptmx_symlinks(ctx, rt, bundle, cid):
    drop_dev_tmpfs(bundle)
    core = "/proc/sys/kernel/core_pattern"
    with open(core) as f:
        core_before = f.read()
    os.makedirs(bundle.rootfs_file("/dev/pts"), exist_ok=True)
    for p in ("/dev/console", "/dev/ptmx", "/dev/pts/ptmx"):
        replace_with_symlink(bundle.rootfs_file(p), core)
    bundle.process["terminal"] = True
    bundle.cmd("stat -c '%F %t' /dev/console; tty; readlink /dev/ptmx; cat /dev/console </dev/null | head -c 0; echo done")
    sock = os.path.join(ctx.dir, "c.sock")
    srv = ConsoleServer(sock)
    got = {}

    def recv():
        try:
            got["name"], got["fd"] = srv.receive()
        except Exception as ex:  # noqa: BLE001 - reported below
            got["err"] = ex
    t = threading.Thread(target=recv)
    t.start()
    try:
        r = rt.create(bundle, cid, "--console-socket", sock)
        t.join(15)
        if r.rc != 0:
            return  # failing closed is fine
        assert "fd" in got, got
        assert rt.start(cid).rc == 0
        out = read_all(got["fd"])
        os.close(got["fd"])
    finally:
        srv.close()
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    assert lines[0] == "character special file 88", out  # 136: a pty slave
    assert lines[1].startswith("/dev/pts/"), out
    with open(core) as f:
        assert f.read() == core_before


# ---------------------------------------------------------------------------
# 6. CVE-2026-41579 / CVE-2026-47766: /dev in the image is a symlink to a host
# directory, absolute or relative; nothing may be created there.

@pytest.mark.parametrize("kind", ["absolute", "relative"])
@pytest.mark.parametrize("with_tmpfs", [True, False])
def test_cve_2026_41579_dev_symlink(ctx, rt, bundle, cid, kind, with_tmpfs):
    d = host_dir(ctx)
    before = snapshot(d)
    target = d if kind == "absolute" else "../" * 12 + d.lstrip("/")
    replace_with_symlink(bundle.rootfs_file("/dev"), target)
    if not with_tmpfs:
        drop_dev_tmpfs(bundle)
    bundle.config.setdefault("linux", {})["devices"] = [
        {"path": "/dev/husk-fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}]
    bundle.cmd("ls /dev")
    r = rt.run(bundle, cid)
    rt.delete(cid, "--force")
    assert snapshot(d) == before, r
    assert not mounts_under(d)


# ---------------------------------------------------------------------------
# 7. CVE-2021-30465 / CVE-2024-45310: mount destinations through symlinks
# that point outside the rootfs, and destinations with "..".

@pytest.mark.parametrize("how", ["abs-symlink", "rel-symlink", "dotdot", "symlink-parent"])
def test_cve_2021_30465_mount_destination_escape(ctx, rt, bundle, cid, how):
    d = host_dir(ctx)
    before = snapshot(d)
    if how == "abs-symlink":
        os.symlink(d, bundle.rootfs_file("/mnt/escape"))
        dest = "/mnt/escape"
    elif how == "rel-symlink":
        os.symlink("../" * 12 + d.lstrip("/"), bundle.rootfs_file("/mnt/escape"))
        dest = "/mnt/escape/sub"
    elif how == "dotdot":
        dest = "/../../../.." + d + "/made"
    else:
        os.symlink(os.path.dirname(d), bundle.rootfs_file("/mnt/up"))
        dest = "/mnt/up/" + os.path.basename(d) + "/newdir"
    bundle.add_mount(dest, "tmpfs", "tmpfs", ["size=1m"])
    bundle.cmd("touch %s/inside-file 2>/dev/null; echo ok" % dest)
    r = rt.run(bundle, cid)
    rt.delete(cid, "--force")
    assert not mounts_under(d), r
    assert snapshot(d) == before, r


# ---------------------------------------------------------------------------
# 8. CVE-2019-16884 / CVE-2019-19921: /proc in the image is a symlink or a
# regular file; the proc mount must land on a real directory in the rootfs
# (or fail), and masking must still apply.

@pytest.mark.parametrize("kind", ["symlink-host", "symlink-inside", "file"])
def test_cve_2019_16884_proc_not_a_directory(ctx, rt, bundle, cid, kind):
    d = host_dir(ctx)
    before = snapshot(d)
    p = bundle.rootfs_file("/proc")
    if kind == "symlink-host":
        replace_with_symlink(p, d)
    elif kind == "symlink-inside":
        os.makedirs(bundle.rootfs_file("/fakeproc/sys/kernel"), exist_ok=True)
        replace_with_symlink(p, "/fakeproc")
    else:
        os.rmdir(p)
        with open(p, "w") as f:
            f.write("not a dir")
    bundle.linux["maskedPaths"] = ["/proc/timer_list"]
    bundle.cmd("stat -fc %T /proc; stat -c '%t:%T' /proc/timer_list; readlink /proc; true")
    r = rt.run(bundle, cid)
    rt.delete(cid, "--force")
    assert not mounts_under(d), r
    assert snapshot(d) == before, r
    if r.rc != 0:  # failing closed is right (runc refuses too)
        if is_husk():
            assert "must be mounted on an ordinary directory" in r.err or "Not a directory" in r.err, r
        return
    lines = r.out.split()
    assert lines == ["proc", "1:3"], r  # a real /proc, not followed through the image's link


# ---------------------------------------------------------------------------
# 5. CVE-2025-52881: procfs writes (sysctl, oom_score_adj, LSM attributes)
# redirected by mounts the config or the image controls. husk writes through a
# private procfs instance, so the write reaches the kernel, never the file or
# tmpfs mounted over /proc in the container.

def host_file(ctx, name, content):
    p = os.path.join(ctx.dir, name)
    with open(p, "w") as f:
        f.write(content)
    return p


def ns_read(pid, ns, path):
    return subprocess.run(["nsenter", "-t", str(pid), "--" + ns, "cat", path],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("cover", ["bind-file", "tmpfs-dir"])
def test_cve_2025_52881_sysctl_not_redirected(ctx, rt, bundle, cid, cover):
    target = host_file(ctx, "decoy", "0\n")
    if cover == "bind-file":
        bundle.add_mount("/proc/sys/kernel/shm_rmid_forced", "bind", target, ["bind", "rw"])
    else:
        bundle.add_mount("/proc/sys", "tmpfs", "tmpfs", ["size=1m"])
    bundle.linux["sysctl"] = {"kernel.shm_rmid_forced": "1"}
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    pid = rt.state_json(cid)["pid"]
    try:
        assert ns_read(pid, "ipc", "/proc/sys/kernel/shm_rmid_forced") == "1"
        with open(target) as f:
            assert f.read() == "0\n", "the sysctl write went to the file mounted over /proc/sys"
    finally:
        rt.delete(cid, "--force")


def test_cve_2025_52881_oom_score_adj_not_redirected(ctx, rt, bundle, cid):
    target = host_file(ctx, "decoy", "0\n")
    bundle.add_mount("/proc/self/oom_score_adj", "bind", target, ["bind", "rw"])
    bundle.process["oomScoreAdj"] = 123
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    if r.rc != 0:  # failing closed is acceptable; writing the decoy is not
        with open(target) as f:
            assert f.read() == "0\n", r
        return
    pid = rt.state_json(cid)["pid"]
    try:
        with open("/proc/%d/oom_score_adj" % pid) as f:
            assert f.read().strip() == "123"
        with open(target) as f:
            assert f.read() == "0\n", "oom_score_adj went to the file mounted over /proc"
    finally:
        rt.delete(cid, "--force")
