"""podman (Debian 12's 4.3, with conmon) driving the runtime under test.

Everything podman makes lives under a private directory: storage (graphroot/runroot),
tmp_dir, the events log, and a private cgroup parent. The image is imported offline from
the busybox rootfs of tests/rootfs.sh. Two ways of naming the runtime are exercised:
`podman --runtime /path/to/husk` ("flag") and containers.conf `runtime = "husk"` with
`[engine.runtimes] husk = [...]` plus `runtime_supports_json` ("conf"; podman then passes
`--log-format=json --log FILE` and reads the error from that file).

After each test: the test's containers are removed, and nothing may be left in the
runtime's state root, in the cgroup parent, among the processes (marker in environ) or
among the mounts of the storage.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

import engines
from rootless_tools import free_start
from conftest import procs_with_marker, runtime_name, runtime_path

pytestmark = pytest.mark.skipif(not engines.have("podman"), reason="podman is not installed (tests/deps/engines.list)")

IMAGE = "localhost/husk-busybox:latest"
# This machine's hard limits (no CAP_SYS_RESOURCE): podman's defaults ask for more.
ULIMITS = ["nofile=20000:20000", "nproc=32768:32768"]


def default_state_root():
    # podman gives root an empty XDG_RUNTIME_DIR: the runtime's default root applies
    return "/run/" + ("husk" if runtime_name().startswith("husk") else runtime_name())


def documented_engine_keys():
    """The [engine] settings docs/podman.md tells users to write, with the runtime under
    test as husk's path: the conf form runs exactly what the guide says."""
    import tomllib
    doc = tomllib.loads(engines.doc_block("podman.md", "podman-conf"))["engine"]
    assert doc["runtime"] == "husk" and "husk" in doc["runtime_supports_json"], doc
    assert all(p.startswith("/") for p in doc["runtimes"]["husk"]), doc
    return """runtime = "%s"
runtime_supports_json = [%s]
[engine.runtimes]
husk = ["%s"]
""" % (doc["runtime"], ", ".join('"%s"' % n for n in doc["runtime_supports_json"]), runtime_path())


class PodmanSession:
    """Private podman configuration and storage; with `user`, podman runs as that
    unprivileged user (rootless) through setpriv, with its own HOME and XDG_RUNTIME_DIR."""

    def __init__(self, user=None):
        self.user = user
        self.dir = tempfile.mkdtemp(prefix="husk-pm.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.cgroup_parent = None if user else "/" + os.path.basename(self.dir).replace(".", "-")
        for d in ("store", "run", "tmp", "home", "xdg"):
            os.makedirs(os.path.join(self.dir, d), mode=0o700)
        self.storage_conf = self._write("storage.conf", """[storage]
driver = "overlay"
graphroot = "%(d)s/store"
runroot = "%(d)s/run"
""" % {"d": self.dir})
        common = """[containers]
netns = "none"
default_ulimits = [%(ul)s]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "%(d)s/tmp/events.log"
tmp_dir = "%(d)s/tmp"
""" % {"d": self.dir, "ul": ", ".join('"%s"' % u for u in ULIMITS)}
        self.conf = {
            "flag": self._write("containers-flag.conf", common),
            "conf": self._write("containers-conf.conf", common + documented_engine_keys()),
        }
        if user:
            for dirpath, dirnames, filenames in os.walk(self.dir):
                for n in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
                    os.chown(n, user.pw_uid, user.pw_gid)

    def _write(self, name, text):
        p = os.path.join(self.dir, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    @property
    def state_root(self):
        # podman gives root an empty XDG_RUNTIME_DIR (the runtime's default root applies)
        return os.path.join(self.dir, "xdg", "husk") if self.user else default_state_root()

    def env(self, form):
        if self.user:
            env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOME": os.path.join(self.dir, "home"), "USER": self.user.pw_name,
                   "LOGNAME": self.user.pw_name, "XDG_RUNTIME_DIR": os.path.join(self.dir, "xdg")}
        else:
            env = {k: v for k, v in os.environ.items() if not k.startswith("CONTAINERS_")}
        env.update(CONTAINERS_CONF=self.conf[form], CONTAINERS_STORAGE_CONF=self.storage_conf)
        return env

    def argv(self, form):
        prefix = ["setpriv", "--reuid", str(self.user.pw_uid), "--regid", str(self.user.pw_gid),
                  "--init-groups"] if self.user else []
        return prefix + ["podman"] + (["--runtime", runtime_path()] if form == "flag" else [])

    def podman(self, *args, form="flag", **kw):
        return engines.run(self.argv(form) + list(args), env=self.env(form), **kw)

    def import_image(self):
        rootfs = engines.build_rootfs(os.path.join(self.dir, "rootfs"))
        p = subprocess.run(self.argv("flag") + ["import", "-", IMAGE], input=engines.rootfs_tar(rootfs),
                           env=self.env("flag"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        assert p.returncode == 0, p.stderr
        shutil.rmtree(rootfs)

    def close(self):
        self.podman("rm", "-af", "-t", "0", timeout=120)
        self.podman("rmi", "-af", timeout=120)
        if self.user:  # rootless podman keeps a "pause" process holding its user namespace
            try:
                with open(os.path.join(self.dir, "tmp", "pause.pid")) as f:
                    os.kill(int(f.read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        engines.umount_all_under(self.dir)
        if self.cgroup_parent:
            engines.rmdir_cgroup_tree(self.cgroup_parent)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def pm_session():
    s = PodmanSession()
    try:
        s.import_image()
        yield s
    finally:
        s.close()


class Podman:
    """One test's view: podman in one form, containers labelled with the test's marker."""

    def __init__(self, session, form):
        self.s, self.form = session, form
        self.marker = "hp" + uuid.uuid4().hex[:10]
        self.n = 0

    def __call__(self, *args, **kw):
        return self.s.podman(*[str(a) for a in args], form=self.form, **kw)

    def ok(self, *args, **kw):
        return self(*args, check=True, **kw)

    def name(self):
        self.n += 1
        return "%s-%d" % (self.marker, self.n)

    def tagged(self, verb, *args):
        """`podman run|create` with the test's label, env marker and cgroup parent."""
        parent = ["--cgroup-parent", self.s.cgroup_parent] if self.s.cgroup_parent else []
        return [verb, "--label", "husk-test=" + self.marker, "-e", "HUSK_TEST_MARKER=" + self.marker] + \
            parent + list(args)

    def run(self, *args, **kw):
        return self(*self.tagged("run", *args), **kw)

    def inspect(self, name, fmt):
        return self.ok("inspect", "--format", fmt, name).stdout.strip()

    def full_id(self, name):
        return self.inspect(name, "{{.Id}}")

    def in_pty(self, *args, timeout=60):
        return engines.pty_run(self.s.argv(self.form) + [str(a) for a in args], self.s.env(self.form), timeout)

    def my_containers(self):
        r = self("ps", "-a", "-q", "--no-trunc", "--filter", "label=husk-test=" + self.marker)
        return r.stdout.split()

    def cleanup_and_check(self, state_before):
        left = self.my_containers()
        if left:
            self("rm", "-f", "-t", "0", *left, timeout=120)
        deadline = time.time() + 5
        while True:
            state = engines.husk_state_entries(self.s.state_root) - state_before
            procs = procs_with_marker(self.marker)
            cgs = [d for d in engines.cgroup_dirs_named("libpod-")
                   if self.s.cgroup_parent and self.s.cgroup_parent in d]
            mnts = [m for m in engines.mounts_under(self.s.dir) if "/merged" in m or "/userdata" in m]
            if not (state or procs or cgs or mnts) or time.time() > deadline:
                break
            time.sleep(0.1)
        assert not state, "leftover runtime state: %r" % state
        assert not procs, "leftover processes: %r" % procs
        assert not cgs, "leftover cgroups: %r" % cgs
        assert not mnts, "leftover mounts: %r" % mnts


@pytest.fixture(params=["flag"])
def podman(request, pm_session):
    pm = Podman(pm_session, request.param)
    before = engines.husk_state_entries(pm_session.state_root)
    yield pm
    pm.cleanup_and_check(before)


both_forms = pytest.mark.parametrize("podman", ["flag", "conf"], indirect=True)

SLEEPER = "echo started; trap 'echo got-term; exit 0' TERM; while :; do sleep 1 & wait; done"


def cgroup_v1(ctrl):
    return os.path.isdir("/sys/fs/cgroup/" + ctrl) and not os.path.exists("/sys/fs/cgroup/cgroup.controllers")


# --------------------------------------------------------------------------------------
# run, exit codes


@both_forms
def test_run_rm_prints_and_leaves_nothing(podman):
    r = podman.run("--rm", IMAGE, "sh", "-c", "echo hello-$((6*7)); cat /proc/1/cmdline | tr '\\0' ' '")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "hello-42"
    assert "sh -c echo hello" in r.stdout
    assert podman.my_containers() == []


@both_forms
def test_exit_code_of_the_container(podman):
    r = podman.run("--rm", IMAGE, "sh", "-c", "exit 3")
    assert r.returncode == 3, r.stderr


@both_forms
def test_missing_command_is_127(podman):
    r = podman.run("--rm", IMAGE, "no-such-command")
    assert r.returncode == 127, r
    assert "no-such-command" in r.stderr and "not found" in r.stderr, r.stderr
    if podman.form == "conf":  # the error came through --log-format json --log
        assert "husk: husk:" not in r.stderr, r.stderr


@both_forms
def test_not_executable_is_126(podman):
    r = podman.run("--rm", IMAGE, "/etc/passwd")
    assert r.returncode == 126, r
    assert "/etc/passwd" in r.stderr and "ermission denied" in r.stderr, r.stderr


def test_stdin_is_passed(podman):
    r = podman.run("--rm", "-i", IMAGE, "sh", "-c", "tr a-z A-Z", input="piped text\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "PIPED TEXT\n"


def test_run_with_tty(podman):
    rc, out = podman.in_pty(*podman.tagged("run", "--rm", "-it", IMAGE, "sh", "-c", "tty; stty size; exit 4"))
    assert rc == 4, out
    assert "/dev/pts/0" in out, out


# --------------------------------------------------------------------------------------
# detached containers: logs, exec, stop, kill, pause, restart, rm -f, top


@both_forms
def test_detached_logs_exec_stop(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    engines.wait_for(lambda: "started" in podman("logs", n).stdout, what="container output")
    r = podman("exec", n, "sh", "-c", "echo exec-out $HUSK_TEST_MARKER; exit 5")
    assert r.returncode == 5, r.stderr
    assert r.stdout == "exec-out %s\n" % podman.marker
    podman.ok("stop", "-t", "20", n)
    assert podman.inspect(n, "{{.State.Status}} {{.State.ExitCode}}") == "exited 0"
    assert "got-term" in podman("logs", n).stdout  # SIGTERM reached the container first
    podman.ok("rm", n)


def test_stop_escalates_to_sigkill(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c",
                             "trap '' TERM; echo started; while :; do sleep 1; done"))
    engines.wait_for(lambda: "started" in podman("logs", n).stdout, what="container output")
    podman.ok("stop", "-t", "1", n)
    assert podman.inspect(n, "{{.State.Status}} {{.State.ExitCode}}") == "exited 137"
    podman.ok("rm", n)


def test_exec_with_and_without_tty(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    r = podman("exec", n, "tty")
    assert r.returncode == 1 and "not a tty" in r.stdout, r
    rc, out = podman.in_pty("exec", "-it", n, "sh", "-c", "tty; echo uid=$(id -u); exit 7")
    assert rc == 7, out
    assert "/dev/pts/" in out and "uid=0" in out, out
    r = podman("exec", "--user", "1000", "-w", "/tmp", n, "sh", "-c", "id -u; pwd")
    assert r.stdout.split() == ["1000", "/tmp"], r
    podman.ok("rm", "-f", "-t", "0", n)


def test_kill_signals(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c",
                             "trap 'echo got-usr1' USR1; echo started; while :; do sleep 1 & wait; done"))
    engines.wait_for(lambda: "started" in podman("logs", n).stdout, what="container output")
    podman.ok("kill", "-s", "USR1", n)
    engines.wait_for(lambda: "got-usr1" in podman("logs", n).stdout, what="USR1 handled")
    assert podman.inspect(n, "{{.State.Status}}") == "running"
    podman.ok("kill", n)  # SIGKILL by default
    engines.wait_for(lambda: podman.inspect(n, "{{.State.Status}}") == "exited", what="exit")
    assert podman.inspect(n, "{{.State.ExitCode}}") == "137"
    podman.ok("rm", n)


def test_pause_unpause(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    cid = podman.full_id(n)
    podman.ok("pause", n)
    assert podman.inspect(n, "{{.State.Status}}") == "paused"
    if cgroup_v1("freezer"):
        path = "/sys/fs/cgroup/freezer%s/libpod-%s/freezer.state" % (podman.s.cgroup_parent, cid)
        assert open(path).read().strip() == "FROZEN"
    podman.ok("unpause", n)
    assert podman.inspect(n, "{{.State.Status}}") == "running"
    assert podman("exec", n, "echo", "thawed").stdout == "thawed\n"
    podman.ok("rm", "-f", "-t", "0", n)


def test_restart(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", "echo boot; " + SLEEPER))
    pid1 = podman.inspect(n, "{{.State.Pid}}")
    podman.ok("restart", "-t", "10", n)
    assert podman.inspect(n, "{{.State.Status}}") == "running"
    assert podman.inspect(n, "{{.State.Pid}}") != pid1
    engines.wait_for(lambda: podman("logs", n).stdout.count("boot") == 2, what="second boot")
    podman.ok("rm", "-f", "-t", "0", n)


def test_rm_force_running(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    cid = podman.full_id(n)
    pid = int(podman.inspect(n, "{{.State.Pid}}"))
    podman.ok("rm", "-f", "-t", "0", n)
    assert podman.my_containers() == []
    assert not os.path.exists("/proc/%d/cmdline" % pid) or podman.marker.encode() not in open(
        "/proc/%d/environ" % pid, "rb").read()
    assert cid not in engines.husk_state_entries(podman.s.state_root)


def test_top(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    r = podman.ok("top", n, "pid", "args")
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["PID", "COMMAND"], r.stdout
    assert any(l.split()[0] == "1" and "sh -c echo started" in l for l in lines[1:]), r.stdout
    podman.ok("rm", "-f", "-t", "0", n)


# --------------------------------------------------------------------------------------
# resources and confinement


@pytest.mark.skipif(not (cgroup_v1("memory") and cgroup_v1("pids")), reason="needs v1 memory and pids hierarchies")
def test_memory_and_pids_limits(podman):
    n = podman.name()
    podman.ok(*podman.tagged("run", "-d", "--name", n, "--memory", "64m", "--pids-limit", "50", IMAGE,
                             "sh", "-c", SLEEPER))
    cid = podman.full_id(n)
    inside = podman("exec", n, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                    "/sys/fs/cgroup/pids/pids.max").stdout.split()
    assert inside == ["67108864", "50"]
    host = "/sys/fs/cgroup/%s" + podman.s.cgroup_parent + "/libpod-" + cid + "/%s"
    assert open(host % ("memory", "memory.limit_in_bytes")).read().strip() == "67108864"
    assert open(host % ("pids", "pids.max")).read().strip() == "50"
    podman.ok("rm", "-f", "-t", "0", n)


def test_user(podman):
    r = podman.run("--rm", "--user", "1000:100", IMAGE, "id")
    assert r.stdout.strip().startswith("uid=1000(tester) gid=100(users)"), r
    r = podman.run("--rm", "--user", "tester", IMAGE, "sh", "-c", "id -u; id -g; echo $HOME")
    assert r.stdout.split() == ["1000", "1000", "/home/tester"], r


def cap_eff(out):
    return int([l for l in out.splitlines() if l.startswith("CapEff:")][0].split()[1], 16)


def test_cap_add_drop(podman):
    r = podman.run("--rm", "--cap-drop", "all", "--cap-add", "NET_RAW", IMAGE, "grep", "Cap", "/proc/self/status")
    assert cap_eff(r.stdout) == 1 << 13, r
    r = podman.run("--rm", "--cap-drop", "CHOWN", IMAGE, "sh", "-c", "grep CapEff /proc/self/status; chown 1 /tmp")
    assert cap_eff(r.stdout) & 1 == 0 and r.returncode != 0, r
    r = podman.run("--rm", "--cap-add", "SYS_ADMIN", IMAGE, "grep", "CapEff", "/proc/self/status")
    assert cap_eff(r.stdout) & (1 << 21), r


def test_read_only_and_tmpfs(podman):
    r = podman.run("--rm", "--read-only", "--tmpfs", "/scratch:size=1m,mode=0770", IMAGE, "sh", "-c",
                   "touch /x 2>/dev/null && echo root-writable; touch /scratch/f && echo scratch-ok; "
                   "grep ' /scratch ' /proc/mounts; touch /tmp/f && echo tmp-ok")
    assert r.returncode == 0, r
    assert "root-writable" not in r.stdout
    assert "scratch-ok" in r.stdout and "tmp-ok" in r.stdout, r.stdout
    line = [l for l in r.stdout.splitlines() if " /scratch " in l][0]
    assert line.split()[2] == "tmpfs" and "size=1024k" in line and "mode=770" in line, line


def test_bind_volumes(podman, tmp_path):
    d = tmp_path / "vol"
    d.mkdir()
    (d / "in").write_text("from-host\n")
    r = podman.run("--rm", "-v", "%s:/data" % d, "-v", "%s:/ro:ro" % d, IMAGE, "sh", "-c",
                   "cat /data/in; echo from-ctr > /data/out; touch /ro/x 2>/dev/null || echo ro-refused")
    assert r.returncode == 0, r
    assert r.stdout.split() == ["from-host", "ro-refused"]
    assert (d / "out").read_text() == "from-ctr\n"


def test_device(podman):
    r = podman.run("--rm", "--device", "/dev/null:/dev/mynull", "--device", "/dev/zero", IMAGE, "sh", "-c",
                   "stat -c '%t,%T %F' /dev/mynull; echo x > /dev/mynull && echo write-ok; "
                   "head -c 4 /dev/zero | od -An -tx1")
    assert r.returncode == 0, r
    out = r.stdout.splitlines()
    assert out[0] == "1,3 character special file", r.stdout
    assert out[1] == "write-ok" and out[2].split() == ["00"] * 4, r.stdout


def test_seccomp_profile(podman, tmp_path):
    prof = tmp_path / "seccomp.json"
    prof.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW",
                                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                                              "errnoRet": 13}]}))
    r = podman.run("--rm", "--security-opt", "seccomp=%s" % prof, IMAGE, "sh", "-c",
                   "mkdir /tmp/d; echo rc=$?; grep '^Seccomp:' /proc/self/status")
    assert "Permission denied" in r.stderr, r
    assert "rc=1" in r.stdout and "Seccomp:\t2" in r.stdout, r.stdout
    r = podman.run("--rm", "--security-opt", "seccomp=unconfined", IMAGE, "grep", "^Seccomp:", "/proc/self/status")
    assert r.stdout.split() == ["Seccomp:", "0"], r


# --------------------------------------------------------------------------------------
# runtime identity, checkpoint


def test_info_shows_the_runtime(podman):
    for form, name in (("flag", runtime_path()), ("conf", "husk")):
        podman.form = form
        info = json.loads(podman.ok("info", "--format", "{{json .Host.OCIRuntime}}").stdout)
        assert info["path"] == runtime_path() and info["name"] == name, info
        if runtime_name().startswith("husk"):
            assert info["version"].startswith("husk version "), info


# podman container checkpoint/restore (with --export/--import): test_checkpoint_podman.py,
# which provides a CRIU that works on this kernel.


# --------------------------------------------------------------------------------------
# rootless: podman as an unprivileged user with subordinate ids runs the runtime inside
# its user namespace (uid 0 there), with XDG_RUNTIME_DIR set


ROOTLESS_USER = "husk-pm"


def rootless_missing():
    for tool in ("setpriv", "useradd", "newuidmap"):
        if not engines.have(tool):
            return "%s is not installed" % tool
    if runtime_name().startswith("husk") and engines.run([runtime_path(), "check", "--help"]).returncode != 0:
        return "husk was built without its rootless support (`husk check` is missing)"
    return None


def subid_free_start():
    return max(free_start("/etc/subuid"), free_start("/etc/subgid"))


def ensure_rootless_user():
    """An unprivileged user with 65536 subordinate uids and gids (made once, kept)."""
    import pwd
    try:
        pw = pwd.getpwnam(ROOTLESS_USER)
    except KeyError:
        engines.run(["useradd", "-M", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0",
                     ROOTLESS_USER], check=True)
        pw = pwd.getpwnam(ROOTLESS_USER)
    for path in ("/etc/subuid", "/etc/subgid"):
        have = os.path.exists(path) and any(l.split(":")[0] in (pw.pw_name, str(pw.pw_uid))
                                            for l in open(path))
        if not have:
            start = subid_free_start()
            with open(path, "a") as f:
                f.write("%s:%d:65536\n" % (pw.pw_name, start))
    return pw


@pytest.fixture(scope="module")
def pm_rootless_session():
    why = rootless_missing()
    if why:
        pytest.skip(why)
    s = PodmanSession(user=ensure_rootless_user())
    try:
        s.import_image()
        yield s
    finally:
        s.close()


@pytest.fixture
def podman_rootless(pm_rootless_session):
    pm = Podman(pm_rootless_session, "flag")
    before = engines.husk_state_entries(pm_rootless_session.state_root)
    yield pm
    pm.cleanup_and_check(before)


def test_rootless_run_maps_the_user_and_exit_codes(podman_rootless):
    pm = podman_rootless
    uid = pm.s.user.pw_uid
    r = pm.run("--rm", IMAGE, "sh", "-c", "id -u; cat /proc/self/uid_map; exit 3")
    assert r.returncode == 3, r
    lines = r.stdout.split("\n")
    assert lines[0] == "0"
    maps = [l.split() for l in lines[1:] if l.strip()]
    assert maps[0] == ["0", str(uid), "1"], maps  # container root is the user
    assert len(maps) == 2 and maps[1][0] == "1" and maps[1][2] == "65536", maps  # + the subuid range
    assert pm.run("--rm", IMAGE, "no-such-command").returncode == 127
    assert pm.run("--rm", IMAGE, "/etc/passwd").returncode == 126
    assert pm.my_containers() == []


def test_rootless_detached_logs_exec_stop(podman_rootless):
    pm = podman_rootless
    n = pm.name()
    pm.ok(*pm.tagged("run", "-d", "--name", n, IMAGE, "sh", "-c", SLEEPER))
    engines.wait_for(lambda: "started" in pm("logs", n).stdout, what="container output")
    assert pm("exec", n, "sh", "-c", "echo in-exec; exit 5").returncode == 5
    rc, out = pm.in_pty("exec", "-it", n, "sh", "-c", "tty; exit 6")
    assert rc == 6 and "/dev/pts/" in out, out
    pm.ok("stop", "-t", "20", n)
    assert pm.inspect(n, "{{.State.Status}} {{.State.ExitCode}}") == "exited 0"
    assert "got-term" in pm("logs", n).stdout
    pm.ok("restart", "-t", "5", n)
    assert pm.inspect(n, "{{.State.Status}}") == "running"
    pm.ok("kill", n)
    engines.wait_for(lambda: pm.inspect(n, "{{.State.Status}}") == "exited", what="exit after kill")
    pm.ok("rm", "-f", "-t", "0", n)


def user_dir(pm):
    """A directory the rootless user can reach (pytest's tmp_path is root-only)."""
    import pathlib
    d = pathlib.Path(tempfile.mkdtemp(prefix=pm.marker, dir=pm.s.dir))
    os.chmod(d, 0o755)
    return d


def test_rootless_user_readonly_tmpfs_volume(podman_rootless):
    pm = podman_rootless
    vol = user_dir(pm) / "vol"
    vol.mkdir()
    os.chown(vol, pm.s.user.pw_uid, pm.s.user.pw_gid)  # container root = the user
    r = pm.run("--rm", "--read-only", "--tmpfs", "/scratch", "-v", "%s:/data" % vol, IMAGE, "sh", "-c",
               "touch /x 2>/dev/null || echo ro; touch /scratch/f && echo tmpfs-ok; echo hi > /data/f && cat /data/f")
    assert r.stdout.split() == ["ro", "tmpfs-ok", "hi"], r
    assert (vol / "f").stat().st_uid == pm.s.user.pw_uid
    r = pm.run("--rm", "--user", "1000:1000", IMAGE, "id", "-u")
    assert r.stdout.strip() == "1000", r


def test_rootless_caps_and_seccomp(podman_rootless):
    pm = podman_rootless
    r = pm.run("--rm", "--cap-drop", "all", "--cap-add", "NET_RAW", IMAGE, "grep", "CapEff", "/proc/self/status")
    assert cap_eff(r.stdout) == 1 << 13, r
    prof = user_dir(pm) / "seccomp.json"
    prof.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW",
                                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}))
    r = pm.run("--rm", "--security-opt", "seccomp=%s" % prof, IMAGE, "sh", "-c", "mkdir /tmp/d || echo refused")
    assert "refused" in r.stdout, r
