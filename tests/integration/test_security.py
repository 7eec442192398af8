"""Confinement: capabilities, seccomp (every action, argument rules, flags,
NOTIFY with an agent on listenerPath) and LSM options, observed from inside."""
import array
import ctypes
import errno
import json
import os
import re
import signal
import socket
import struct
import threading
import time

import pytest

from conftest import is_husk

ALL_SETS = ("bounding", "effective", "permitted", "inheritable", "ambient")
FIELDS = {"bounding": "CapBnd", "effective": "CapEff", "permitted": "CapPrm",
          "inheritable": "CapInh", "ambient": "CapAmb"}
CAP = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_KILL": 5, "CAP_SETGID": 6,
       "CAP_SETUID": 7, "CAP_SETPCAP": 8, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13,
       "CAP_SYS_ADMIN": 21, "CAP_AUDIT_WRITE": 29}


def mask(*names):
    m = 0
    for n in names:
        m |= 1 << CAP[n]
    return m


def run_out(rt, bundle, cid, script):
    bundle.cmd(script)
    r = rt.run(bundle, cid)
    assert r.rc == 0, r
    return r.out


def capfields(out):
    res = {}
    for f in FIELDS.values():
        m = re.search(r"^%s:\s*([0-9a-f]+)$" % f, out, re.M)
        assert m, (f, out)
        res[f] = int(m.group(1), 16)
    return res


# ----------------------------------------------------------------------------
# capabilities


def test_caps_root_each_set(rt, bundle, cid):
    bnd = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID", "CAP_AUDIT_WRITE"]
    bundle.process["capabilities"] = {"bounding": bnd, "effective": ["CAP_KILL"],
                                      "permitted": ["CAP_KILL", "CAP_CHOWN"],
                                      "inheritable": ["CAP_NET_RAW"], "ambient": ["CAP_KILL"]}
    got = capfields(run_out(rt, bundle, cid, "cat /proc/self/status"))
    assert got["CapBnd"] == mask(*bnd)
    assert got["CapInh"] == mask("CAP_NET_RAW")
    # ambient needs the capability in inheritable: CAP_KILL cannot be raised
    assert got["CapAmb"] == 0
    # uid 0 under no_new_privs (the example's default): execve cannot widen
    # permitted, and root's effective becomes all of it
    assert got["CapPrm"] == got["CapEff"] == mask("CAP_KILL", "CAP_CHOWN")


def test_caps_inheritable_empty_when_unset(rt, bundle, cid):
    # CVE-2022-29162 / CVE-2022-27650: never hand out inheritable capabilities unasked
    bundle.process["capabilities"] = {k: ["CAP_CHOWN", "CAP_KILL"] for k in ("bounding", "effective", "permitted")}
    got = capfields(run_out(rt, bundle, cid, "cat /proc/self/status"))
    assert got["CapInh"] == 0 and got["CapAmb"] == 0
    assert got["CapBnd"] == mask("CAP_CHOWN", "CAP_KILL")


def test_caps_absent_means_none(rt, bundle, cid):
    bundle.process.pop("capabilities", None)
    got = capfields(run_out(rt, bundle, cid, "cat /proc/self/status"))
    assert got == {f: 0 for f in FIELDS.values()}


def test_caps_non_root_with_ambient(rt, bundle, cid):
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    caps = ["CAP_NET_RAW", "CAP_CHOWN", "CAP_NET_BIND_SERVICE"]
    bundle.process["capabilities"] = {"bounding": caps + ["CAP_KILL"], "effective": caps,
                                      "permitted": caps, "inheritable": caps,
                                      "ambient": ["CAP_NET_RAW", "CAP_CHOWN"]}
    got = capfields(run_out(rt, bundle, cid, "id -u; cat /proc/self/status"))
    amb = mask("CAP_NET_RAW", "CAP_CHOWN")
    assert got["CapBnd"] == mask(*caps, "CAP_KILL")
    assert got["CapInh"] == mask(*caps)
    assert got["CapAmb"] == amb
    # a non-root execve of a file without file capabilities keeps just the ambient set
    assert got["CapPrm"] == amb and got["CapEff"] == amb


def test_caps_non_root_without_ambient_has_none(rt, bundle, cid):
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    caps = ["CAP_CHOWN", "CAP_KILL"]
    bundle.process["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
    got = capfields(run_out(rt, bundle, cid, "cat /proc/self/status"))
    assert got["CapBnd"] == mask(*caps)
    assert got["CapPrm"] == got["CapEff"] == got["CapInh"] == got["CapAmb"] == 0


def test_caps_non_root_can_use_ambient_cap(rt, bundle, cid):
    # CAP_CHOWN in ambient: uid 1000 may chown a root-owned file
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    caps = ["CAP_CHOWN"]
    bundle.process["capabilities"] = {k: caps for k in ALL_SETS}
    with open(bundle.rootfs_file("/tmp/f"), "w") as f:
        f.write("x")
    out = run_out(rt, bundle, cid, "chown 1000:1000 /tmp/f && stat -c %u /tmp/f; chown 0 /etc/passwd; echo rc=$?")
    assert out.splitlines()[0] == "1000"
    assert "rc=0" in out  # CAP_CHOWN lets it chown anything
    os.chown(bundle.rootfs_file("/etc/passwd"), 0, 0)


@pytest.mark.parametrize("field", ALL_SETS)
def test_caps_unknown_name_fails_cleanly(ctx, rt, bundle, cid, field):
    bundle.process["capabilities"][field] = ["CAP_KILL", "CAP_FOO"]
    r = rt.create(bundle, cid)
    assert r.rc != 0
    if is_husk():
        assert 'process.capabilities.%s: unknown capability "CAP_FOO"' % field in r.err, r
    assert rt.status(cid) is None
    ctx.assert_clean()


# ----------------------------------------------------------------------------
# seccomp


def seccomp(bundle, default="SCMP_ACT_ALLOW", syscalls=(), **extra):
    s = {"defaultAction": default, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
         "syscalls": list(syscalls)}
    s.update(extra)
    bundle.linux["seccomp"] = s
    return s


MKDIRS = ["mkdir", "mkdirat"]


def test_seccomp_errno_custom(rt, bundle, cid):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?; grep Seccomp: /proc/self/status")
    assert "Function not implemented" in out, out
    assert "rc=1" in out
    assert re.search(r"Seccomp:\s+2", out)


def test_seccomp_errno_defaults_to_eperm(rt, bundle, cid):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_ERRNO"}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?")
    assert "Operation not permitted" in out, out


def test_seccomp_default_errno_ret(rt, bundle, cid):
    # default: ENOSYS for everything not listed; mkdir stays allowed through a rule
    s = seccomp(bundle, default="SCMP_ACT_ERRNO", defaultErrnoRet=errno.ENOSYS,
                syscalls=[{"names": PODMAN_LIKE_ALLOW, "action": "SCMP_ACT_ALLOW"}])
    s["syscalls"][0]["names"] = [n for n in PODMAN_LIKE_ALLOW if n not in ("chmod", "fchmodat", "fchmodat2")]
    out = run_out(rt, bundle, cid, "touch /tmp/f; chmod 600 /tmp/f 2>&1; echo rc=$?")
    assert "Function not implemented" in out, out


@pytest.mark.parametrize("action", ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"])
def test_seccomp_kill_and_trap_give_sigsys(rt, bundle, cid, action):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": action}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d; echo rc=$?; test -d /tmp/d || echo absent")
    assert "rc=159" in out, out  # 128 + SIGSYS
    assert "absent" in out


def test_seccomp_log_allows(rt, bundle, cid):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_LOG"}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d; echo rc=$?; test -d /tmp/d && echo made")
    assert "rc=0" in out and "made" in out, out


def test_seccomp_masked_eq_argument(rt, bundle, cid):
    # refuse making anything world-writable: (mode & 0o002) == 0o002
    def rule(name, idx):
        return {"names": [name], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EACCES,
                "args": [{"index": idx, "value": 0o002, "valueTwo": 0o002, "op": "SCMP_CMP_MASKED_EQ"}]}
    seccomp(bundle, syscalls=[rule("chmod", 1), rule("fchmodat", 2), rule("fchmodat2", 2)])
    out = run_out(rt, bundle, cid, "touch /tmp/f; chmod 644 /tmp/f; echo a=$?; chmod 646 /tmp/f 2>&1; echo b=$?; stat -c %a /tmp/f")
    assert "a=0" in out and "b=1" in out, out
    assert "Permission denied" in out
    assert out.strip().splitlines()[-1] == "644"


def test_seccomp_arg_ops(rt, bundle, cid):
    # umask(2) argument comparisons: EQ blocks exactly 0o077, GT blocks > 0o700
    seccomp(bundle, syscalls=[
        {"names": ["umask"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0o077, "op": "SCMP_CMP_EQ"}]},
        {"names": ["umask"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0o700, "op": "SCMP_CMP_GT"}]},
    ])
    # umask(2) cannot fail; ERRNO makes it return -1 so busybox's next umask read shows no change
    out = run_out(rt, bundle, cid, "umask 022; umask 077; umask; umask 027; umask")
    lines = out.split()
    assert lines == ["0022", "0027"], out


def test_seccomp_unknown_syscall_names_ignored(rt, bundle, cid):
    seccomp(bundle, syscalls=[{"names": ["no_such_syscall_husk", "socketcall", "_llseek"] + MKDIRS,
                               "action": "SCMP_ACT_ERRNO"}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?")
    assert "rc=1" in out


@pytest.mark.parametrize("flag", ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"])
def test_seccomp_flags(rt, bundle, cid, flag):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_ERRNO"}], flags=[flag])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?")
    assert "rc=1" in out


@pytest.mark.husk_only
@pytest.mark.parametrize("mutate, msg", [
    (lambda s: s.update(defaultAction="SCMP_ACT_BOGUS"), 'linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_BOGUS"'),
    (lambda s: s["syscalls"].append({"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}), 'linux.seccomp.syscalls[0].action: unknown seccomp action'),
    (lambda s: s.update(architectures=["SCMP_ARCH_VAX"]), 'unknown architecture "SCMP_ARCH_VAX"'),
    (lambda s: s.update(flags=["SECCOMP_FILTER_FLAG_BOGUS"]), 'unknown flag "SECCOMP_FILTER_FLAG_BOGUS"'),
    (lambda s: s["syscalls"].append({"names": ["mkdir"], "action": "SCMP_ACT_KILL", "errnoRet": 1}), "errnoRet: only valid with"),
    (lambda s: s["syscalls"].append({"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ALMOST"}]}), 'unknown seccomp operator "SCMP_CMP_ALMOST"'),
    (lambda s: s["syscalls"].append({"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}), "listenerPath"),
])
def test_seccomp_bad_profile_fails_at_create(ctx, rt, bundle, cid, mutate, msg):
    mutate(seccomp(bundle))
    r = rt.create(bundle, cid)
    assert r.rc != 0 and msg in r.err, r
    ctx.assert_clean()


# A representative podman/moby-style default profile: ERRNO by default, a long
# allow list, names that do not exist on x86_64 (they must be ignored), and
# argument-conditional rules.
PODMAN_LIKE_ALLOW = """
_llseek _newselect accept accept4 access adjtimex alarm arch_prctl bind brk capget capset chdir
chmod chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime
clock_gettime64 clock_nanosleep clock_nanosleep_time64 clone clone3 close close_range connect
copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old
epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod
fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock
fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
ftruncate64 futex futex_time64 futex_waitv futimesat get_robust_list get_thread_area getcpu
getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups
getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom
getresgid getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname getsockopt
gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init inotify_init1
inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents io_setup io_submit ioctl
ioprio_get ioprio_set ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self
lchown lchown32 lgetxattr link linkat listen listxattr llistxattr lremovexattr lseek lsetxattr
lstat lstat64 madvise membarrier memfd_create mincore mkdir mkdirat mknod mknodat mlock mlock2
mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedsend
mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at
nanosleep newfstatat open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 poll
ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 pselect6 pselect6_time64 pwrite64
pwritev pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmsg
remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction
rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity
sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval sched_setaffinity
sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop
semtimedop send sendfile sendfile64 sendmmsg sendmsg sendto set_robust_list set_thread_area
set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32
setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid setresuid32
setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr shmat shmctl shmdt
shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socket socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range
syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
timer_settime timerfd_create timerfd_gettime timerfd_settime times tkill truncate truncate64
ugetrlimit umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice
wait4 waitid waitpid write writev arm_fadvise64_64 arm_sync_file_range sync_file_range2
breakpoint cacheflush set_tls riscv_flush_icache s390_pci_mmio_read
""".split()


def podman_like_profile():
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": errno.EPERM,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": PODMAN_LIKE_ALLOW, "action": "SCMP_ACT_ALLOW"},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
            {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ", "valueTwo": 0}]},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS},
            {"names": ["bpf", "mount", "umount2", "unshare", "setns", "pivot_root", "kexec_load",
                       "open_by_handle_at", "reboot", "swapon", "swapoff"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM},
        ],
    }


@pytest.mark.parametrize("nnp", [False, True])
def test_seccomp_podman_like_profile(rt, bundle, cid, nnp):
    bundle.linux["seccomp"] = podman_like_profile()
    bundle.process["noNewPrivileges"] = nnp
    out = run_out(rt, bundle, cid, "ls / >/dev/null && echo ls-ok; mkdir /tmp/a && echo mkdir-ok; "
                                   "(sleep 0; echo child-ok) ; grep Seccomp: /proc/self/status; "
                                   "unshare -n true 2>&1 || echo unshare-denied; "
                                   "mount -t tmpfs t /mnt 2>&1 || echo mount-denied")
    for w in ("ls-ok", "mkdir-ok", "child-ok", "unshare-denied", "mount-denied"):
        assert w in out, out
    assert re.search(r"Seccomp:\s+2", out)


def test_seccomp_non_root_without_nnp(rt, bundle, cid):
    # loading needs CAP_SYS_ADMIN without no_new_privs: it must happen before the drop
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    bundle.process["noNewPrivileges"] = False
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS}])
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?; grep -E 'Seccomp:|NoNewPrivs:|CapEff:' /proc/self/status")
    assert "Function not implemented" in out, out
    assert re.search(r"NoNewPrivs:\s+0", out)


# ----------------------------------------------------------------------------
# SCMP_ACT_NOTIFY and listenerPath

SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1


class Agent:
    """A seccomp agent on a unix socket: takes the listener fd, records the
    payload, and answers notifications (errno, CONTINUE, or not at all)."""

    def __init__(self, path, answer):
        self.path = path
        self.answer = answer  # callable(nr) -> (error, flags) or None for "never answer"
        self.payload = None
        self.fd = None
        self.seen = []
        self.sent = []  # per answer: did SECCOMP_IOCTL_NOTIF_SEND succeed
        self.got = threading.Event()
        self.stop = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(20)
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        fds = array.array("i")
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_LEN(4 * fds.itemsize))
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
        self.payload = json.loads(msg.decode())
        self.fd = fds[0] if fds else None
        conn.close()
        self.got.set()
        if self.fd is not None and self.answer is not None:
            self._serve()

    def _serve(self):
        import fcntl
        import select
        p = select.poll()
        p.register(self.fd, select.POLLIN)
        while not self.stop:
            ev = p.poll(200)
            if not ev:
                continue
            if ev[0][1] & (select.POLLHUP | select.POLLERR):
                return
            buf = bytearray(80)
            try:
                fcntl.ioctl(self.fd, SECCOMP_IOCTL_NOTIF_RECV, buf, True)
            except OSError as ex:
                if ex.errno in (errno.ENOENT, errno.EINTR):
                    continue
                return
            nid, _pid, _flags, nr = struct.unpack_from("<QIIi", buf)
            self.seen.append(nr)
            ans = self.answer(nr)
            if ans is None:
                continue
            err, flags = ans
            resp = bytearray(struct.pack("<QqiI", nid, 0, -err if err else 0, flags))
            try:
                fcntl.ioctl(self.fd, SECCOMP_IOCTL_NOTIF_SEND, resp, True)
                self.sent.append(True)
            except OSError:
                self.sent.append(False)  # the notification was cancelled

    def close(self):
        self.stop = True
        self.sock.close()
        self.thread.join(5)
        if self.fd is not None:
            os.close(self.fd)


@pytest.fixture
def agent(ctx):
    made = []

    def make(answer):
        a = Agent(os.path.join(ctx.dir, "agent%d.sock" % len(made)), answer)
        made.append(a)
        return a
    yield make
    for a in made:
        a.close()


def test_seccomp_notify_agent_gets_fd_and_metadata(rt, bundle, cid, agent):
    a = agent(lambda nr: (errno.ENOMEDIUM, 0))
    bundle.config["annotations"] = {"org.example.who": "husk-test"}
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=a.path, listenerMetadata="meta=42")
    out = run_out(rt, bundle, cid, "mkdir /tmp/d 2>&1; echo rc=$?; echo done")
    assert a.got.wait(5)
    assert "No medium found" in out, out  # the agent's answer
    assert "done" in out
    p = a.payload
    assert p["fds"] == ["seccompFd"] and a.fd is not None
    assert p["metadata"] == "meta=42"
    assert p["pid"] > 0 and p["state"]["pid"] == p["pid"]
    assert p["state"]["id"] == cid
    assert p["state"]["annotations"]["org.example.who"] == "husk-test"
    assert os.path.realpath(p["state"]["bundle"]) == os.path.realpath(bundle.path)
    assert "ociVersion" in p and p["state"]["status"] in ("creating", "created")


RUNTIME_SYSCALLS = ["write", "writev", "sendmsg", "sendto", "close", "execve", "read", "recvfrom",
                    "recvmsg", "fcntl", "openat", "setresuid", "capset", "prctl", "umask", "mkdir"]


@pytest.mark.parametrize("nnp", [True, False])
def test_seccomp_notify_runtime_syscalls_continue(rt, bundle, cid, agent, nnp):
    # everything the runtime may still do after the load is a notify target;
    # an agent that lets each one continue must get a normally running container
    a = agent(lambda nr: (0, SECCOMP_USER_NOTIF_FLAG_CONTINUE))
    bundle.process["noNewPrivileges"] = nnp
    seccomp(bundle, syscalls=[{"names": RUNTIME_SYSCALLS, "action": "SCMP_ACT_NOTIFY"}], listenerPath=a.path)
    out = run_out(rt, bundle, cid, "echo hello; mkdir /tmp/x && echo made")
    assert "hello" in out and "made" in out, out
    assert a.seen


@pytest.mark.parametrize("nnp", [True, False])
def test_seccomp_notify_silent_agent_does_not_hang_runtime(ctx, rt, bundle, cid, agent, nnp):
    # the agent takes the fd and never answers: the container may block, but
    # create and start must return
    a = agent(None)
    bundle.process["noNewPrivileges"] = nnp
    seccomp(bundle, syscalls=[{"names": RUNTIME_SYSCALLS, "action": "SCMP_ACT_NOTIFY"}], listenerPath=a.path)
    bundle.cmd("echo never")
    t0 = time.time()
    r = rt.create(bundle, cid, timeout=15)
    assert r.rc == 0, r
    r = rt.start(cid, timeout=15)
    assert r.rc == 0, r
    assert time.time() - t0 < 12
    assert a.got.wait(5) and a.fd is not None
    r = rt.delete(cid, "--force", timeout=15)
    assert r.rc == 0, r


def test_seccomp_notify_agent_missing_fails_cleanly(ctx, rt, bundle, cid):
    seccomp(bundle, syscalls=[{"names": MKDIRS, "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=os.path.join(ctx.dir, "nobody-listens.sock"))
    r = rt.run(bundle, cid, timeout=15)
    assert r.rc != 0, r
    if is_husk():
        assert "listenerPath" in r.err, r
    rt.delete(cid, "--force")
    ctx.assert_clean()


# ----------------------------------------------------------------------------
# LSM


def _apparmor_enabled():
    try:
        with open("/sys/module/apparmor/parameters/enabled") as f:
            return f.read().strip() == "Y"
    except OSError:
        return False


@pytest.mark.skipif(_apparmor_enabled(), reason="AppArmor is enabled here")
def test_apparmor_profile_without_apparmor_fails(ctx, rt, bundle, cid):
    bundle.process["apparmorProfile"] = "husk-test-profile"
    r = rt.create(bundle, cid)
    assert r.rc != 0
    if is_husk():
        assert "apparmor profile husk-test-profile specified but AppArmor is disabled" in r.err, r
    ctx.assert_clean()


def _selinux_enabled():
    return os.path.exists("/sys/fs/selinux/enforce")


@pytest.mark.skipif(_selinux_enabled(), reason="SELinux is enabled here")
def test_selinux_label_ignored_when_disabled(rt, bundle, cid):
    bundle.process["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"
    out = run_out(rt, bundle, cid, "echo ok")
    assert "ok" in out


@pytest.mark.parametrize("killable", [True, False])
def test_seccomp_wait_killable_recv(rt, bundle, cid, agent, killable):
    # Once the agent has received a notification, a non-fatal signal must not
    # cancel it with WAIT_KILLABLE_RECV (the agent's answer is delivered); without
    # the flag the signal cancels it and the agent's answer fails.
    received = threading.Event()

    def answer(nr):
        received.set()
        time.sleep(1.0)
        return (0, SECCOMP_USER_NOTIF_FLAG_CONTINUE)
    a = agent(answer)
    flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] if killable else []
    seccomp(bundle, syscalls=[{"names": ["umask"], "action": "SCMP_ACT_NOTIFY"}],
            listenerPath=a.path, flags=flags)
    bundle.cmd("trap 'echo sig' USR1; umask 022; echo done")
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    assert rt.start(cid).rc == 0
    assert received.wait(10)
    os.kill(pid, signal.SIGUSR1)
    rt.wait_status(cid, "stopped", timeout=15)
    rt.delete(cid)
    assert "done" in bundle.stdout(cid)
    if killable:
        assert a.sent[0] is True, a.sent
    else:
        assert a.sent[0] is False, a.sent
