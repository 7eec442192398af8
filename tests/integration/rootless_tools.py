"""Running husk as an unprivileged user, for the rootless tests
(test_rootless.py, test_cdi_rootless.py, test_cve_rootless.py; docs/rootless.md).

`users` makes (idempotently) USER with 65536 subordinate uids and gids in
/etc/subuid and /etc/subgid and NOSUB with none. AsUser runs the runtime as one
of them through setpriv, with XDG_RUNTIME_DIR pointing at a directory of the
user's own (no --root: the default state root $XDG_RUNTIME_DIR/husk is used).
UserRuntime gives the same calls the API of conftest's Runtime, so a test
written for `rt` runs unchanged as the user.
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import time

import pytest

from conftest import CGROUP_ROOT, Bundle, Runtime, procs_with_marker

USER, NOSUB = "husk-rl", "husk-rl-nosub"
RANGE = 65536
UNIFIED = os.path.join(CGROUP_ROOT, "unified")
V2_ROOT = UNIFIED if os.path.isdir(UNIFIED) else CGROUP_ROOT
HAVE_V2 = os.path.exists(os.path.join(V2_ROOT, "cgroup.procs"))
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"


# ---------------------------------------------------------------- users

def subid_entries(path, pw):
    """[(start, count)] of pw in a subuid/subgid file (by name or uid)."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[0] in (pw.pw_name, str(pw.pw_uid)):
                    out.append((int(parts[1]), int(parts[2])))
    except FileNotFoundError:
        pass
    return out


def free_start(path):
    end = 100000
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                    end = max(end, int(parts[1]) + int(parts[2]))
    except FileNotFoundError:
        pass
    return end


def ensure_user(name, ranges):
    for path in ("/etc/subuid", "/etc/subgid"):  # usermod refuses to create them
        if not os.path.exists(path):
            with open(path, "a"):
                os.chmod(path, 0o644)
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-M", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K",
                        "SUB_GID_COUNT=0", name], check=True)
        pw = pwd.getpwnam(name)
    for path, flag in (("/etc/subuid", "uids"), ("/etc/subgid", "gids")):
        have = subid_entries(path, pw)
        if ranges and sum(c for _, c in have) < RANGE:
            s = free_start(path)
            subprocess.run(["usermod", "--add-sub" + flag, "%d-%d" % (s, s + RANGE - 1), name],
                           check=True)
        if not ranges:
            for s, c in have:
                subprocess.run(["usermod", "--del-sub" + flag, "%d-%d" % (s, s + c - 1), name],
                               check=True)
    return pw


@pytest.fixture(scope="module")
def users():
    if shutil.which("setpriv") is None or shutil.which("useradd") is None:
        pytest.skip("setpriv/useradd missing")
    return ensure_user(USER, True), ensure_user(NOSUB, False)


# ---------------------------------------------------------------- running as a user

class AsUser:
    """Runs the runtime as pw (setpriv), stdio to files (created containers keep them)."""

    def __init__(self, ctx, pw, runtime, name):
        self.ctx, self.pw, self.runtime = ctx, pw, runtime
        self.xdg = os.path.join(ctx.dir, "xdg-" + name)
        os.makedirs(self.xdg)
        os.chown(self.xdg, pw.pw_uid, pw.pw_gid)
        os.chmod(self.xdg, 0o700)
        self.state = os.path.join(self.xdg, "husk")
        self.ids = []
        self.n = 0
        self.cgroup = None  # a delegated cgroup the runtime is started in

    def env(self, **extra):
        e = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "LANG": "C",
             "XDG_RUNTIME_DIR": self.xdg, "HUSK_TEST_MARKER": self.ctx.marker}
        for k, v in extra.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def argv(self, args, launcher_cgroup, runtime=None):
        argv = [SETPRIV, "--reuid", str(self.pw.pw_uid), "--regid", str(self.pw.pw_gid),
                "--init-groups", "--", runtime or self.runtime] + [str(a) for a in args]
        if launcher_cgroup:  # moved there as root, as a login manager would
            argv = ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', launcher_cgroup] + argv
        return argv

    def __call__(self, *args, env=None, timeout=30, pass_fds=(), cwd=None):
        self.n += 1
        op = os.path.join(self.ctx.dir, "u-out.%d" % self.n)
        ep = os.path.join(self.ctx.dir, "u-err.%d" % self.n)
        with open(op, "wb") as o, open(ep, "wb") as e:
            p = subprocess.run(self.argv(args, self.cgroup and self.cgroup["launch"]),
                               stdin=subprocess.DEVNULL, stdout=o, stderr=e, timeout=timeout,
                               env=env or self.env(), pass_fds=pass_fds, cwd=cwd or "/")
        with open(op) as o, open(ep) as e:
            return Res(p.returncode, o.read(), e.read())

    def new_id(self):
        cid = self.ctx.new_id()
        self.ids.append(cid)
        return cid

    def leftovers(self):
        try:
            return [d for d in os.listdir(self.state) if self.ctx.marker in d]
        except FileNotFoundError:
            return []


class Res:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return "Res(rc=%r, out=%r, err=%r)" % (self.rc, self.out, self.err)


def cleanup(u):
    for cid in u.ids:
        u("delete", "--force", cid)
    deadline = time.time() + 5
    while procs_with_marker(u.ctx.marker) and time.time() < deadline:
        time.sleep(0.05)
    left, procs = u.leftovers(), procs_with_marker(u.ctx.marker)
    for pid, _ in procs:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if u.cgroup:
        undelegate(u.cgroup)
    assert not left, "leftover state under %s: %r" % (u.state, left)
    assert not procs, "leftover processes: %r" % procs


@pytest.fixture
def asuser(ctx, users, runtime):
    u = AsUser(ctx, users[0], runtime, "u")
    yield u
    cleanup(u)


@pytest.fixture
def asnosub(ctx, users, runtime):
    u = AsUser(ctx, users[1], runtime, "n")
    yield u
    cleanup(u)


# ---------------------------------------------------------------- delegation

def delegate(ctx, pw):
    """A cgroup v2 subtree owned by pw, as systemd's Delegate=yes makes one:
    <marker>-deleg/ (no processes) with launch/ for the runtime itself."""
    top = os.path.join(V2_ROOT, ctx.marker + "-deleg")
    launch = os.path.join(top, "launch")
    os.mkdir(top)
    os.mkdir(launch)
    for d in (top, launch):
        os.chown(d, pw.pw_uid, pw.pw_gid)
        for f in ("cgroup.procs", "cgroup.subtree_control", "cgroup.threads"):
            os.chown(os.path.join(d, f), pw.pw_uid, pw.pw_gid)
    return {"top": top, "launch": launch, "rel": top[len(V2_ROOT):]}


def undelegate(cg):
    for d in (cg["launch"], cg["top"]):
        for _ in range(100):
            try:
                for sub in os.listdir(d):
                    p = os.path.join(d, sub)
                    if os.path.isdir(p):
                        os.rmdir(p)
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)


# ---------------------------------------------------------------- bundles

def rootless_bundle(ctx, u, full=False, script="id", spec_args=("--rootless",), name=None):
    """`husk spec --rootless` written by the user itself, made non-interactive."""
    d = os.path.join(ctx.dir, name or "rb%d" % (len(u.ids) + u.n))
    os.makedirs(d)
    os.chmod(d, 0o777)  # the user writes config.json here
    r = u("spec", "--bundle", d, *spec_args)
    assert r.rc == 0, r
    os.chmod(d, 0o755)
    subprocess.run(["cp", "-a", ctx.rootfs_master, os.path.join(d, "rootfs")], check=True)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["sh", "-c", script, ctx.marker]
    cfg["process"]["env"].append("HUSK_TEST_MARKER=" + ctx.marker)
    if full:
        pw = u.pw
        s_uid = subid_entries("/etc/subuid", pw)[0][0] if subid_entries("/etc/subuid", pw) else 100000
        s_gid = subid_entries("/etc/subgid", pw)[0][0] if subid_entries("/etc/subgid", pw) else 100000
        cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": pw.pw_uid, "size": 1},
                                       {"containerID": 1, "hostID": s_uid, "size": RANGE}]
        cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": pw.pw_gid, "size": 1},
                                       {"containerID": 1, "hostID": s_gid, "size": RANGE}]
    return d, cfg


def write(d, cfg):
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def run(u, d, cfg, *extra):
    write(d, cfg)
    cid = u.new_id()
    return cid, u("run", "--bundle", d, *extra, cid)


# ---------------------------------------------------------------- the conftest API, as a user

class UserRuntime(Runtime):
    """conftest's Runtime (create/run/start/state/delete/wait_status, stdio to
    files) run as u's user, state under u's XDG_RUNTIME_DIR; `path` is another
    binary than u's. Environment variables named in `passenv` (e.g. HUSK_FAULT)
    are taken from os.environ at each call, so monkeypatch.setenv reaches the
    user's runtime too."""

    def __init__(self, u, path=None, passenv=("HUSK_FAULT",)):
        super().__init__(path or u.runtime, u.state, u.ctx.dir)
        self.u, self.passenv = u, passenv

    def argv(self, args, root, global_args):
        return self.u.argv(list(global_args) + [str(a) for a in args], None, runtime=self.path)

    def __call__(self, *args, env=None, cwd="/", **kw):
        if env is None:
            env = self.u.env(**{k: os.environ.get(k) for k in self.passenv})
        return super().__call__(*args, env=env, cwd=cwd, **kw)


def user_bundle(ctx, u, full=False):
    """A conftest Bundle holding `husk spec --rootless` (written by the user; the
    full subordinate mapping when `full`) and a rootfs owned by the user, as an
    image unpacked by the user (or by podman in its user namespace) is."""
    d, cfg = rootless_bundle(ctx, u, full=full)
    cfg["process"]["env"].remove("HUSK_TEST_MARKER=" + ctx.marker)  # Bundle adds it
    b = Bundle(d, ctx.marker, cfg)
    subprocess.run(["chown", "-R", "-h", "%d:%d" % (u.pw.pw_uid, u.pw.pw_gid), b.rootfs],
                   check=True)
    return b
