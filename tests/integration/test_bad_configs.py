"""Invalid configurations: create must fail with a message naming the problem,
and leave no state dir, process, mount or cgroup behind."""
import os
import re

import pytest


def expect_failure(ctx, rt, bundle, cid, pattern, raw=None, use_run=False):
    if raw is not None:
        bundle.write(raw)
    fn = rt.run if use_run else rt.create
    r = fn(bundle, cid, write=raw is None)
    assert r.rc != 0, r
    assert r.rc != "timeout"
    assert re.search(pattern, r.output, re.I | re.S), "message %r does not match %r" % (r.output, pattern)
    # no state for the failed create, and nothing else left around
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)
    return r


def test_invalid_json(ctx, rt, bundle, cid):
    expect_failure(ctx, rt, bundle, cid, r".", raw='{"ociVersion": "1.2.1", "process": {')


@pytest.mark.runc_differs("runc only says 'unexpected EOF'")
def test_invalid_json_message(ctx, rt, bundle, cid):
    expect_failure(ctx, rt, bundle, cid, r"json|config|parse|invalid", raw='{"ociVersion": "1.2.1", "process": {')


def test_missing_config(ctx, rt, bundle, cid):
    r = rt("create", "--bundle", bundle.path, cid)
    assert r.rc != 0
    assert "config.json" in r.output
    ctx.assert_clean(cid)


def test_args_wrong_type(ctx, rt, bundle, cid):
    bundle.process["args"] = "sh -c true"
    expect_failure(ctx, rt, bundle, cid, r"args|cannot unmarshal|string|type|array")


def test_uid_wrong_type(ctx, rt, bundle, cid):
    bundle.process["user"]["uid"] = "root"
    expect_failure(ctx, rt, bundle, cid, r"uid|cannot unmarshal|type|integer|number")


def test_missing_cwd(ctx, rt, bundle, cid):
    del bundle.process["cwd"]
    expect_failure(ctx, rt, bundle, cid, r"cwd")


def test_relative_cwd(ctx, rt, bundle, cid):
    bundle.process["cwd"] = "relative/dir"
    expect_failure(ctx, rt, bundle, cid, r"cwd|absolute|relative")


def test_rootfs_missing(ctx, rt, bundle, cid):
    bundle.config["root"]["path"] = "no-such-rootfs"
    expect_failure(ctx, rt, bundle, cid, r"no-such-rootfs|rootfs|no such file")


def test_args_empty(ctx, rt, bundle, cid):
    bundle.process["args"] = []
    expect_failure(ctx, rt, bundle, cid, r"args")


@pytest.mark.parametrize("arg0", ["no-such-cmd-xyz", "/bin/no-such-cmd-xyz"])
def test_executable_not_found(ctx, rt, bundle, cid, arg0):
    bundle.process["args"] = [arg0]
    r = expect_failure(ctx, rt, bundle, cid, r"no-such-cmd-xyz")
    # podman maps these texts to exit code 127
    assert re.search(r"executable file not found|no such file or directory", r.output, re.I), r


def test_executable_not_found_at_create_not_start(ctx, rt, bundle, cid):
    """The error must come from create (CRI callers depend on it)."""
    bundle.process["args"] = ["/no-such-cmd-xyz"]
    r = rt.create(bundle, cid)
    assert r.rc != 0


def test_not_executable(ctx, rt, bundle, cid):
    with open(bundle.rootfs_file("/bin/notexec"), "w") as f:
        f.write("#!/bin/sh\necho hi\n")
    os.chmod(bundle.rootfs_file("/bin/notexec"), 0o644)
    bundle.process["args"] = ["/bin/notexec"]
    expect_failure(ctx, rt, bundle, cid, r"permission denied")


def test_unknown_namespace(ctx, rt, bundle, cid):
    bundle.linux["namespaces"].append({"type": "bogusns"})
    expect_failure(ctx, rt, bundle, cid, r"bogusns|namespace")


def test_joined_namespace_missing_path(ctx, rt, bundle, cid):
    bundle.add_namespace("network", "/proc/999999999/ns/net")
    expect_failure(ctx, rt, bundle, cid, r"/proc/999999999/ns/net|no such file|namespace")


def test_joined_namespace_wrong_kind(ctx, rt, bundle, cid):
    # a uts namespace file given as the network namespace
    bundle.add_namespace("network", "/proc/self/ns/uts")
    r = rt.create(bundle, cid)
    assert r.rc != 0, r
    ctx.assert_clean(cid)


def test_bind_source_missing(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "no-such-source")
    bundle.add_mount("/mnt/x", "bind", src, ["rbind"])
    expect_failure(ctx, rt, bundle, cid, r"no-such-source|no such file")
    assert not os.path.exists(src)


def test_bad_mount_option(ctx, rt, bundle, cid):
    bundle.add_mount("/mnt/t", "tmpfs", "tmpfs", ["bogusopt=1"])
    expect_failure(ctx, rt, bundle, cid, r"/mnt/t|bogusopt|mount|invalid argument")


def test_bad_mount_type(ctx, rt, bundle, cid):
    bundle.add_mount("/mnt/t", "nosuchfs", "none", [])
    expect_failure(ctx, rt, bundle, cid, r"/mnt/t|nosuchfs|mount|no such device")


@pytest.mark.runc_differs("runc 1.1 silently ignores uidMappings without a user namespace")
def test_uidmap_without_userns(ctx, rt, bundle, cid):
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    expect_failure(ctx, rt, bundle, cid, r"user ?namespace|userns|mapping")


def test_invalid_rlimit_type(ctx, rt, bundle, cid):
    bundle.process["rlimits"].append({"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1})
    expect_failure(ctx, rt, bundle, cid, r"RLIMIT_BOGUS|rlimit")


def test_rlimit_above_hard_max(ctx, rt, bundle, cid):
    # no CAP_SYS_RESOURCE on the test hosts: nofile hard max is 20000 (machine.md)
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 30000, "hard": 30000}]
    expect_failure(ctx, rt, bundle, cid, r"rlimit|NOFILE")


def test_rlimit_soft_above_hard(ctx, rt, bundle, cid):
    bundle.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]
    expect_failure(ctx, rt, bundle, cid, r"rlimit|NOFILE|invalid argument")


def test_cwd_is_a_file(ctx, rt, bundle, cid):
    bundle.process["cwd"] = "/etc/passwd"
    expect_failure(ctx, rt, bundle, cid, r"/etc/passwd|cwd|not a directory")


def test_hostname_without_uts(ctx, rt, bundle, cid):
    bundle.remove_namespace("uts")
    bundle.config["hostname"] = "nope"
    expect_failure(ctx, rt, bundle, cid, r"hostname|uts")


def test_sysctl_not_namespaced(ctx, rt, bundle, cid):
    bundle.linux["sysctl"] = {"kernel.printk": "4 4 1 7"}
    expect_failure(ctx, rt, bundle, cid, r"kernel\.printk|sysctl")


def test_sysctl_net_without_netns(ctx, rt, bundle, cid):
    bundle.remove_namespace("network")
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1"}
    expect_failure(ctx, rt, bundle, cid, r"net\.ipv4\.ip_forward|sysctl|network")


def test_device_bad_type(ctx, rt, bundle, cid):
    bundle.linux["devices"] = [{"path": "/dev/weird", "type": "x", "major": 1, "minor": 3}]
    expect_failure(ctx, rt, bundle, cid, r"/dev/weird|device|type")


def test_mount_relative_destination_dotdot(ctx, rt, bundle, cid):
    """A destination with .. must stay inside the rootfs (or be refused)."""
    outside = os.path.join(ctx.dir, "dotdot-target")
    bundle.add_mount("/../../../../../../../.." + outside, "tmpfs", "tmpfs", [])
    bundle.cmd("true")
    r = rt.run(bundle, cid)
    assert not os.path.exists(outside), "created a directory on the host: %r" % r
    ctx.assert_clean(cid)


def test_mount_destination_symlink_outside(ctx, rt, bundle, cid):
    """The destination is a symlink to an absolute host path: it must be
    resolved inside the rootfs (or refused); nothing may appear on the host."""
    host_target = os.path.join(ctx.dir, "escape")
    os.symlink(host_target + "/sub", bundle.rootfs_file("/evil"))
    bundle.add_mount("/evil", "tmpfs", "tmpfs", ["size=1m"])
    bundle.cmd("echo inside > /evil/file && grep -q ' /evil ' /proc/self/mountinfo || "
               "grep -q ' %s/sub ' /proc/self/mountinfo; echo rc=$?" % host_target)
    r = rt.run(bundle, cid)
    assert not os.path.exists(host_target), "mounted/created outside the rootfs: %r" % r
    if r.rc == 0:
        # resolved inside the rootfs: the target dir got created under rootfs
        assert os.path.isdir(bundle.rootfs_file(host_target + "/sub"))
    ctx.assert_clean(cid)


def test_mount_source_symlink_not_followed_on_destination_parent(ctx, rt, bundle, cid):
    """/mnt is replaced by a symlink to /etc on the host (absolute); a bind
    into /mnt/x must not land in the host's /etc."""
    os.rmdir(bundle.rootfs_file("/mnt"))
    os.symlink("/etc", bundle.rootfs_file("/mnt"))
    src = os.path.join(ctx.dir, "src")
    os.makedirs(src)
    name = "husk-test-" + ctx.marker
    bundle.add_mount("/mnt/" + name, "bind", src, ["bind"])
    bundle.cmd("true")
    rt.run(bundle, cid)
    assert not os.path.exists("/etc/" + name)
    ctx.assert_clean(cid)
