"""Fixtures for husk's black-box integration tests.

The runtime under test is $HUSK (default: <repo>/husk). Point it at runc to
validate the suite itself:  HUSK=$(command -v runc) /usr/bin/python3 -m pytest tests/integration

Every runtime call gets a per-session `--root` (a private tmp dir), so the tests
never touch /run/runc or /run/husk. Every test gets a unique marker; container
ids, bundle paths and the default process args/env carry it, so leaked
processes, state dirs, cgroups and mounts can be found after the test.
"""
import copy
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE_CONFIG = os.path.join(REPO, "config.json.example")
ROOTFS_SH = os.path.join(REPO, "tests", "rootfs.sh")
CALL_TIMEOUT = float(os.environ.get("HUSK_TEST_TIMEOUT", "30"))


def runtime_path():
    return os.path.abspath(os.environ.get("HUSK") or os.path.join(REPO, "husk"))


def runtime_name():
    return os.path.basename(runtime_path())


def is_husk():
    return runtime_name().startswith("husk")


def pytest_configure(config):
    config.addinivalue_line("markers", "husk_only: husk-specific behaviour; skipped for other runtimes")
    config.addinivalue_line("markers", "runc_differs: runc is known to behave differently; xfail under runc")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="husk-specific (runtime is %s)" % runtime_name())
    for item in items:
        if "husk_only" in item.keywords and not is_husk():
            item.add_marker(skip)
        m = item.get_closest_marker("runc_differs")
        if m is not None and runtime_name() == "runc":
            item.add_marker(pytest.mark.xfail(reason="runc differs: " + (m.args[0] if m.args else ""), strict=False))


# ----------------------------------------------------------------------------
# results and the runtime wrapper


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    @property
    def output(self):
        return self.out + self.err

    def __iter__(self):  # rc, out, err = rt.run(...)
        return iter((self.rc, self.out, self.err))

    def __repr__(self):
        return "Result(argv=%r, rc=%r,\n out=%r,\n err=%r)" % (self.argv, self.rc, self.out, self.err)


class Runtime:
    """Runs the runtime binary with the session's --root. stdio goes to files,
    not pipes, because a created container inherits the runtime's stdio and
    would otherwise keep a pipe open until it exits."""

    def __init__(self, path, root, workdir):
        self.path = path
        self.root = root
        self.workdir = workdir

    def __call__(self, *args, root=True, timeout=CALL_TIMEOUT, stdin=None, cwd=None, pass_fds=(),
                 env=None, out_path=None, err_path=None, check=None, global_args=(), wrap=()):
        argv = list(wrap) + self.argv(args, root, global_args)  # wrap: e.g. a valgrind command line
        fd, op = tempfile.mkstemp(dir=self.workdir, prefix="out.") if out_path is None else (None, out_path)
        if fd is not None:
            os.close(fd)
        fd, ep = tempfile.mkstemp(dir=self.workdir, prefix="err.") if err_path is None else (None, err_path)
        if fd is not None:
            os.close(fd)
        with open(op, "ab") as o, open(ep, "ab") as e:
            start_o, start_e = o.tell(), e.tell()
            stdin_f = subprocess.DEVNULL if stdin is None else stdin
            try:
                p = subprocess.run(argv, stdin=stdin_f, stdout=o, stderr=e, timeout=timeout, cwd=cwd,
                                   pass_fds=pass_fds, env=env)
                rc = p.returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        with open(op, "rb") as o:
            o.seek(start_o)
            out = o.read().decode(errors="replace")
        with open(ep, "rb") as e:
            e.seek(start_e)
            err = e.read().decode(errors="replace")
        res = Result(argv, rc, out, err)
        if rc == "timeout":
            raise AssertionError("runtime call timed out after %ss: %r" % (timeout, res))
        if check is True:
            assert rc == 0, res
        return res

    def argv(self, args, root, global_args):
        argv = [self.path]
        if root:
            argv += ["--root", self.root]
        return argv + list(global_args) + [str(a) for a in args]

    # convenience wrappers -------------------------------------------------
    def create(self, bundle, cid, *opts, write=True, **kw):
        if write:
            bundle.write()
        kw.setdefault("out_path", bundle.stdout_path(cid))
        kw.setdefault("err_path", bundle.stderr_path(cid))
        return self("create", "--bundle", bundle.path, *opts, cid, **kw)

    def run(self, bundle, cid, *opts, write=True, **kw):
        if write:
            bundle.write()
        kw.setdefault("out_path", bundle.stdout_path(cid))
        kw.setdefault("err_path", bundle.stderr_path(cid))
        return self("run", "--bundle", bundle.path, *opts, cid, **kw)

    def start(self, cid, **kw):
        return self("start", cid, **kw)

    def state(self, cid, **kw):
        return self("state", cid, **kw)

    def state_json(self, cid):
        r = self.state(cid)
        assert r.rc == 0, r
        return json.loads(r.out)

    def status(self, cid):
        r = self.state(cid)
        if r.rc != 0:
            return None
        return json.loads(r.out)["status"]

    def kill(self, cid, *sig, **kw):
        return self("kill", cid, *sig, **kw)

    def delete(self, cid, *opts, **kw):
        return self("delete", *opts, cid, **kw)

    def wait_status(self, cid, want, timeout=10.0):
        deadline = time.time() + timeout
        st = None
        while time.time() < deadline:
            st = self.status(cid)
            if st == want:
                return st
            time.sleep(0.02)
        raise AssertionError("container %s: status %r, wanted %r after %ss" % (cid, st, want, timeout))


# ----------------------------------------------------------------------------
# bundles

_rootfs_cache = None


def _cached_rootfs(tmp_root):
    """Build (once per session) a pristine rootfs via tests/rootfs.sh."""
    global _rootfs_cache
    if _rootfs_cache is None:
        d = os.path.join(tmp_root, "rootfs-master")
        subprocess.run([ROOTFS_SH, d], check=True)
        _rootfs_cache = d
    return _rootfs_cache


class Bundle:
    def __init__(self, path, marker, base_config):
        self.path = path
        self.marker = marker
        self.rootfs = os.path.join(path, "rootfs")
        self.config = copy.deepcopy(base_config)
        self.config["process"]["env"].append("HUSK_TEST_MARKER=" + marker)
        self.cmd("echo hello from " + marker)

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config.setdefault("linux", {})

    def cmd(self, script):
        """Run `sh -c script` with the test marker as $0 (so it shows in cmdline)."""
        self.config["process"]["args"] = ["sh", "-c", script, self.marker]
        return self

    def sleep_forever(self):
        return self.cmd("trap 'exit 0' TERM; while :; do sleep 1 & wait; done")

    def add_mount(self, destination, type_=None, source=None, options=None, **extra):
        m = {"destination": destination}
        if type_ is not None:
            m["type"] = type_
        if source is not None:
            m["source"] = source
        if options is not None:
            m["options"] = list(options)
        m.update(extra)
        self.config.setdefault("mounts", []).append(m)
        return m

    def set_namespaces(self, *types):
        self.linux["namespaces"] = [{"type": t} for t in types]

    def remove_namespace(self, typ):
        self.linux["namespaces"] = [n for n in self.linux.get("namespaces", []) if n["type"] != typ]

    def add_namespace(self, typ, path=None):
        self.remove_namespace(typ)
        ns = {"type": typ}
        if path:
            ns["path"] = path
        self.linux["namespaces"].append(ns)

    def write(self, raw=None):
        with open(os.path.join(self.path, "config.json"), "w") as f:
            if raw is not None:
                f.write(raw)
            else:
                json.dump(self.config, f, indent=1)

    def stdout_path(self, cid):
        return os.path.join(self.path, "stdout-%s.log" % cid)

    def stderr_path(self, cid):
        return os.path.join(self.path, "stderr-%s.log" % cid)

    def stdout(self, cid):
        with open(self.stdout_path(cid)) as f:
            return f.read()

    def rootfs_file(self, rel):
        return os.path.join(self.rootfs, rel.lstrip("/"))


# ----------------------------------------------------------------------------
# leak checks


def _proc_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def procs_with_marker(marker):
    me = os.getpid()
    found = []
    for pid in _proc_pids():
        if pid == me:
            continue
        for f in ("cmdline", "environ"):
            try:
                with open("/proc/%d/%s" % (pid, f), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            if marker.encode() in data:
                try:
                    with open("/proc/%d/stat" % pid) as fh:
                        st = fh.read().rsplit(")", 1)[1].split()[0]
                except OSError:
                    st = "?"
                if st in ("Z", "X"):  # zombies waiting for (our) reaping are not leaks
                    continue
                found.append((pid, data.replace(b"\0", b" ").decode(errors="replace")[:200]))
                break
    return found


def mounts_under(path):
    path = os.path.realpath(path)
    res = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path + "/"):
                res.append(mp)
    return res


CGROUP_ROOT = "/sys/fs/cgroup"


def cgroup_dirs_with(marker, depth=3):
    res = []
    if not os.path.isdir(CGROUP_ROOT):
        return res
    base_depth = CGROUP_ROOT.count("/")
    for dirpath, dirnames, _ in os.walk(CGROUP_ROOT):
        d = dirpath.count("/") - base_depth
        if marker in os.path.basename(dirpath):
            res.append(dirpath)
        if d >= depth:
            dirnames[:] = []
    return res


def proc_cgroups(pid):
    """{controller-or-'': path} from /proc/PID/cgroup ('' is the unified hierarchy)."""
    res = {}
    with open("/proc/%d/cgroup" % pid) as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            for c in (ctrls.split(",") if ctrls else [""]):
                res[c.replace("name=", "")] = path
    return res


def cgroup_dir(pid, controller):
    """Host directory of PID's cgroup for a v1 controller ('' = unified)."""
    path = proc_cgroups(pid)[controller]
    if controller == "":
        base = os.path.join(CGROUP_ROOT, "unified")
        if not os.path.isdir(base):
            base = CGROUP_ROOT
    else:
        base = os.path.join(CGROUP_ROOT, controller)
    return base + path


# ----------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def runtime():
    p = runtime_path()
    if not (os.path.isfile(p) and os.access(p, os.X_OK)):
        pytest.fail("runtime %s not found or not executable (set HUSK=/path/to/runtime)" % p)
    return p


@pytest.fixture(scope="session")
def session_dir():
    # short path: unix socket paths are limited to 108 bytes
    d = tempfile.mkdtemp(prefix="husk-it.", dir="/tmp")
    os.chmod(d, 0o755)  # mapped (user namespace) or non-root users must reach the rootfs
    yield d
    if not mounts_under(d):
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def state_root(session_dir):
    d = os.path.join(session_dir, "root")
    os.makedirs(d, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def base_config():
    with open(EXAMPLE_CONFIG) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def rootfs_master(session_dir):
    return _cached_rootfs(session_dir)


class TestCtx:
    def __init__(self, rt, session_dir, marker, base_config, rootfs_master):
        self.rt = rt
        self.marker = marker
        self.dir = os.path.join(session_dir, marker)
        os.makedirs(self.dir)
        self.base_config = base_config
        self.rootfs_master = rootfs_master
        self.ids = []
        self.n = 0

    def new_id(self, suffix=None):
        self.n += 1
        cid = "%s-%d" % (self.marker, self.n) if suffix is None else "%s-%s" % (self.marker, suffix)
        self.ids.append(cid)
        return cid

    def new_bundle(self, name=None):
        self.n += 1
        p = os.path.join(self.dir, name or "bundle%d" % self.n)
        os.makedirs(p)
        subprocess.run(["cp", "-a", self.rootfs_master, os.path.join(p, "rootfs")], check=True)
        return Bundle(p, self.marker, self.base_config)

    def state_dirs(self):
        try:
            return [e for e in os.listdir(self.rt.root) if self.marker in e]
        except FileNotFoundError:
            return []

    def assert_clean(self, cid=None, wait=3.0):
        """No state dir, process, mount or cgroup left for this test (or for one id)."""
        key = cid or self.marker
        deadline = time.time() + wait
        while True:
            st = [e for e in self.state_dirs() if key in e]
            procs = procs_with_marker(key) if cid is None else procs_with_marker(self.marker)
            mnts = mounts_under(self.dir)
            cgs = cgroup_dirs_with(key)
            if not (st or procs or mnts or cgs) or time.time() > deadline:
                break
            time.sleep(0.05)
        assert not st, "leftover state under --root: %r" % st
        assert not procs, "leftover processes: %r" % procs
        assert not mnts, "leftover mounts: %r" % mnts
        assert not cgs, "leftover cgroups: %r" % cgs


@pytest.fixture
def ctx(runtime, state_root, session_dir, base_config, rootfs_master):
    marker = "ht" + uuid.uuid4().hex[:10]
    c = TestCtx(Runtime(runtime, state_root, session_dir), session_dir, marker, base_config, rootfs_master)
    yield c
    # finalizer: force-delete everything the test may have left
    for cid in c.ids:
        try:
            c.rt.delete(cid, "--force", timeout=20)
        except AssertionError:
            pass
    # reap any zombie children of ours (e.g. `run -d` containers we parented)
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    leftovers = procs_with_marker(c.marker)
    try:
        c.assert_clean()
    finally:
        for pid, _ in leftovers:  # do not let a leak poison later tests
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05) if leftovers else None
        for d in sorted(cgroup_dirs_with(c.marker), key=len, reverse=True):
            try:
                os.rmdir(d)  # only ever our own, marker-named, cgroups
            except OSError:
                pass
        if not mounts_under(c.dir):
            shutil.rmtree(c.dir, ignore_errors=True)


@pytest.fixture
def rt(ctx):
    return ctx.rt


@pytest.fixture
def bundle(ctx):
    """A fresh bundle (rootfs copy + config from config.json.example); call
    bundle.write() or let rt.create/rt.run write it."""
    return ctx.new_bundle()


@pytest.fixture
def cid(ctx):
    return ctx.new_id()


def host_ns(typ):
    return os.readlink("/proc/self/ns/" + typ)
