"""Behaviours the engines (podman, containerd) exposed, pinned with plain runtime calls.

Each test names the engine flow that found it; test_podman.py / test_containerd.py run
the flow itself.
"""
import os

import pytest


def cgroup_v1_hybrid():
    return os.path.isdir("/sys/fs/cgroup/memory") and not os.path.exists("/sys/fs/cgroup/cgroup.controllers")


@pytest.mark.skipif(not cgroup_v1_hybrid(), reason="needs cgroup v1 hierarchies at /sys/fs/cgroup/<ctrl>")
@pytest.mark.parametrize("ro", [True, False])
def test_cgroup_mount_v1_without_cgroupns(rt, bundle, cid, ro):
    """podman (cgroup v1) asks for a `cgroup` mount at /sys/fs/cgroup, read-only, with no
    cgroup namespace: each controller directory is the container's own cgroup, bound and
    remounted nosuid/nodev/noexec (and ro)."""
    bundle.remove_namespace("cgroup")
    bundle.linux["cgroupsPath"] = "/" + cid
    opts = ["rprivate", "nosuid", "noexec", "nodev", "relatime"] + (["ro"] if ro else [])
    bundle.add_mount("/sys/fs/cgroup", "cgroup", "cgroup", opts)
    bundle.cmd("cat /sys/fs/cgroup/pids/pids.max; grep ' /sys/fs/cgroup/memory ' /proc/self/mountinfo; "
               "ls /sys/fs/cgroup/memory/memory.limit_in_bytes")
    r = rt.run(bundle, cid)
    assert r.rc == 0, r
    out = bundle.stdout(cid)
    assert out.splitlines()[0] == "max"
    line = [l for l in out.splitlines() if " /sys/fs/cgroup/memory " in l][0]
    mnt_opts = line.split()[5].split(",")
    assert {"nosuid", "nodev", "noexec"} <= set(mnt_opts), line
    assert ("ro" in mnt_opts) == ro, line


@pytest.mark.parametrize("arg", [None, ".", "./"])
def test_bundle_path_in_state_is_clean(rt, bundle, cid, arg):
    """`runc create ID` run inside the bundle (scripts do `cd bundle && runc run ...`):
    state's bundle and rootfs are the plain absolute paths, not `/path/.`."""
    bundle.sleep_forever()
    bundle.write()
    args = ["create"] + (["--bundle", arg] if arg else []) + [cid]
    r = rt(*args, cwd=bundle.path, out_path=bundle.stdout_path(cid), err_path=bundle.stderr_path(cid))
    assert r.rc == 0, r
    st = rt.state_json(cid)
    assert st["bundle"] == os.path.realpath(bundle.path)
    assert st["rootfs"] == os.path.join(os.path.realpath(bundle.path), "rootfs")
    assert rt.delete(cid, "--force").rc == 0


@pytest.mark.skipif(not os.path.isdir("/sys/fs/cgroup/memory") and not os.path.exists("/sys/fs/cgroup/memory.max"),
                    reason="needs a memory controller")
def test_init_killed_during_setup_says_why(rt, bundle, cid):
    """A memory limit too small for the init: the error says it was SIGKILLed (not only
    "Broken pipe"), pointing at linux.resources.memory (docs/troubleshooting.md)."""
    bundle.linux["resources"] = {"memory": {"limit": 1}}
    r = rt.create(bundle, cid)
    assert r.rc != 0, r
    assert "exited during setup" in r.err and "SIGKILL" in r.err and "linux.resources.memory" in r.err, r.err
