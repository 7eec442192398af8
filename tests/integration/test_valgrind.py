"""The CLI paths under valgrind (memcheck): no invalid access, no use of
uninitialised memory, no definite or indirect leak, on success and on the
error paths. The cloned container init runs under valgrind too until it
execs, so its setup is checked as well (it logs to the same descriptor).

valgrind 3.19 lacks pidfd_open, fsopen and openat2: husk takes its fallbacks
there (the /proc walk instead of a pidfd, RESOLVE_IN_ROOT emulation). It also
cannot execveat(fd, ""), which husk uses to re-execute itself from a read-only
copy before it enters a container (CVE-2019-5736, util/exe_guard.c): the
binary under test sits on a read-only bind mount, where husk needs no copy.

memcheck needs a dynamic binary (it replaces malloc through the dynamic
linker). The default build is static, so these tests skip against it; the
stage tests/stages/75-valgrind.sh builds husk with --disable-static-binary
and runs this file against that."""
import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import Runtime, runtime_path

SUPP = os.path.join(os.path.dirname(__file__), "valgrind.supp")
SLOW = 120


def ldd(path):
    try:
        p = subprocess.run(["ldd", path], capture_output=True, text=True)
        return p.stdout + p.stderr
    except OSError:
        return ""


def sanitized(path):
    """ASan and valgrind do not mix."""
    out = ldd(path)
    return "libasan" in out or "libubsan" in out


def static(path):
    out = ldd(path)
    return "statically linked" in out or "not a dynamic executable" in out


pytestmark = [
    pytest.mark.husk_only,
    pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed"),
    pytest.mark.skipif(sanitized(runtime_path()), reason="runtime built with sanitizers"),
    pytest.mark.skipif(static(runtime_path()),
                       reason="a static husk (memcheck needs a dynamic one): "
                              "stage 75-valgrind runs these against --disable-static-binary"),
]


@pytest.fixture(scope="module")
def readonly_husk(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("husk-ro"))
    path = os.path.join(d, "husk")
    open(path, "w").close()
    subprocess.run(["mount", "--bind", runtime_path(), path], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", path], check=True)
        yield path
    finally:
        subprocess.run(["umount", path])


class Valgrind:
    def __init__(self, ctx, rt, husk):
        self.rt = Runtime(husk, rt.root, rt.workdir)
        self.logs = os.path.join(ctx.dir, "valgrind")
        os.makedirs(self.logs)
        self.n = 0

    def __call__(self, *args, rc=0, **kw):
        self.n += 1
        # a descriptor, not a file name: after joining the container's mount
        # namespace (exec, the init) a path would name the container's file
        fd = os.open(os.path.join(self.logs, "%03d" % self.n), os.O_WRONLY | os.O_CREAT, 0o644)
        wrapper = ["valgrind", "-q", "--log-fd=%d" % fd, "--suppressions=" + SUPP,
                   "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                   "--error-exitcode=99", "--trace-children=no"]
        try:
            r = self.rt(*args, timeout=SLOW, wrap=wrapper, pass_fds=(fd,), **kw)
        finally:
            os.close(fd)
        assert r.rc == rc, r
        return r

    def reports(self):
        """Every valgrind error line ("==PID== ..."); "--PID--" lines are its
        own warnings (the syscalls it lacks)."""
        found = []
        for f in sorted(glob.glob(os.path.join(self.logs, "*"))):
            with open(f, errors="replace") as fh:
                lines = [ln.rstrip() for ln in fh if re.match(r"==\d+== ", ln)]
            if lines:
                found.append("%s:\n%s" % (os.path.basename(f), "\n".join(lines[:40])))
        return found


@pytest.fixture
def vg(ctx, rt, readonly_husk):
    v = Valgrind(ctx, rt, readonly_husk)
    yield v
    assert not v.reports(), "\n\n".join(v.reports())


def no_rlimits(bundle):
    # valgrind keeps descriptors for itself and refuses RLIMIT_NOFILE 1024
    bundle.process.pop("rlimits", None)


def test_lifecycle_under_valgrind(ctx, rt, vg, bundle, cid):
    no_rlimits(bundle)
    bundle.sleep_forever()
    bundle.write()
    vg("create", "--bundle", bundle.path, cid, out_path=bundle.stdout_path(cid))
    vg("state", cid)
    vg("start", cid)
    assert '"running"' in vg("state", cid).out
    assert vg("exec", cid, "echo", "from-exec").out == "from-exec\n"
    vg("exec", "-d", cid, "sleep", "30")
    vg("ps", cid)
    vg("list")
    vg("pause", cid)
    vg("resume", cid)
    vg("kill", cid, "KILL")
    rt.wait_status(cid, "stopped")
    vg("delete", cid)
    ctx.assert_clean(cid)


def test_run_and_force_delete_under_valgrind(ctx, rt, vg, bundle, cid):
    no_rlimits(bundle)
    bundle.sleep_forever()
    bundle.config["hooks"] = {ph: [{"path": "/bin/true"}] for ph in
                              ("prestart", "createRuntime", "poststart", "poststop")}
    bundle.write()
    vg("run", "-d", "--bundle", bundle.path, cid, out_path=bundle.stdout_path(cid))
    vg("delete", "--force", cid)
    vg("delete", "--force", cid)  # missing: still 0
    ctx.assert_clean(cid)


def test_foreground_run_under_valgrind(ctx, rt, vg, bundle, cid):
    no_rlimits(bundle)
    bundle.cmd("echo fg-ran")
    bundle.write()
    r = vg("run", "--bundle", bundle.path, cid)
    assert r.out == "fg-ran\n", r
    ctx.assert_clean(cid)


def test_error_paths_under_valgrind(ctx, rt, vg, bundle, cid):
    no_rlimits(bundle)
    bundle.config["process"]["args"] = ["/no/such/program"]
    bundle.config["hooks"] = {"prestart": [{"path": "/bin/true"}],
                              "poststop": [{"path": "/bin/false"}]}
    bundle.write()
    assert "/no/such/program" in vg("create", "--bundle", bundle.path, cid, rc=1).err
    vg("state", cid, rc=1)
    vg("kill", cid, "NOSUCHSIGNAL", rc=1)
    vg("delete", cid, rc=1)
    vg("exec", cid, "true", rc=255)
    vg("run", "--bundle", os.path.join(ctx.dir, "missing"), cid, rc=1)
    vg("create", "--bundle", bundle.path, "--no-such-flag", cid, rc=1)
    vg("frobnicate", rc=1)
    ctx.assert_clean(cid)
