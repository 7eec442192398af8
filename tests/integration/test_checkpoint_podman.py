"""podman container checkpoint / restore with --runtime set to the runtime
under test (issue 8). podman (tests/deps/criu-podman.list) finds criu on PATH
for its own checks and passes PATH to the runtime's checkpoint: the CRIU
that passes `criu check` is put first on PATH. Storage is private (vfs, no
mounts), the network is none, and ulimits fit this machine's hard limits.
"""
import os
import re
import shutil
import subprocess
import time

import pytest

from test_checkpoint import COUNTER, assert_consecutive, criu  # noqa: F401 (fixture)

ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"]


class Podman:
    def __init__(self, base, runtime, criu_path):
        self.base = base
        bindir = os.path.join(base, "bin")
        os.makedirs(bindir)
        os.symlink(criu_path, os.path.join(bindir, "criu"))
        self.env = dict(os.environ, PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        self.argv = ["podman", "--root", os.path.join(base, "storage"),
                     "--runroot", os.path.join(base, "run"), "--tmpdir", os.path.join(base, "tmp"),
                     "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file", "--runtime", runtime]

    def __call__(self, *args, check=True, timeout=120, stdin=None):
        p = subprocess.run(self.argv + list(args), env=self.env, input=stdin, capture_output=True,
                           timeout=timeout)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        if check:
            assert p.returncode == 0, "podman %s: rc=%d\n%s\n%s" % (args, p.returncode, out, err)
        return p.returncode, out, err

    def numbers(self, name):
        _, out, _ = self(("logs"), name, check=False)
        return [int(x) for x in re.findall(r"^(\d+)$", out, re.M)]

    def wait_beyond(self, name, value, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            n = self.numbers(name)
            if n and n[-1] > value:
                return n
            time.sleep(0.1)
        raise AssertionError("%s: never passed %d: %r" % (name, value, self.numbers(name)))


@pytest.fixture
def podman(ctx, runtime, criu):  # noqa: F811
    if not shutil.which("podman"):
        pytest.skip("podman is not installed (tests/deps/criu-podman.list)")
    pm = Podman(os.path.join(ctx.dir, "podman"), runtime, criu)
    tar = subprocess.run(["tar", "-C", ctx.rootfs_master, "-c", "."], capture_output=True,
                         check=True).stdout
    pm("import", "-", "localhost/huskbox-" + ctx.marker, stdin=tar)
    yield pm
    pm("rm", "-a", "-f", "-t", "0", check=False)
    pm("rmi", "-a", "-f", check=False)
    shutil.rmtree(pm.base, ignore_errors=True)


def test_podman_checkpoint_restore(ctx, podman):
    image = "localhost/huskbox-" + ctx.marker
    name = "ck-" + ctx.marker
    podman("run", "-d", "--name", name, "--network", "none", "--log-driver", "k8s-file",
           *ULIMITS, image, "sh", "-c", COUNTER, ctx.marker)
    podman.wait_beyond(name, 3)
    podman("container", "checkpoint", name)
    _, out, _ = podman("inspect", "--format", "{{.State.Status}}", name)
    assert out.strip() == "exited", out
    last = podman.numbers(name)[-1]
    podman("container", "restore", name)
    n = podman.wait_beyond(name, last + 2)
    assert n[0] == 1
    assert_consecutive(n)  # one unbroken count across the checkpoint
    _, out, _ = podman("exec", name, "sh", "-c", "echo exec-after-restore")
    assert "exec-after-restore" in out

    # export with --leave-running, import as a new container
    archive = os.path.join(ctx.dir, "ck.tar.gz")
    podman("container", "checkpoint", "--leave-running", "--export", archive, name)
    _, out, _ = podman("inspect", "--format", "{{.State.Status}}", name)
    assert out.strip() == "running", out
    at_export = podman.numbers(name)[-1]
    podman("rm", "-f", "-t", "0", name)
    name2 = name + "-copy"
    podman("container", "restore", "--import", archive, "--name", name2)
    _, out, _ = podman("inspect", "--format", "{{.State.Status}}", name2)
    assert out.strip() == "running", out
    n2 = podman.wait_beyond(name2, at_export + 2)
    tail = [x for x in n2 if x > 1]
    assert tail and tail[0] <= at_export + 1, (at_export, n2[:5])
    podman("rm", "-f", "-t", "0", name2)
