"""Config fields, observed from inside the container (black box)."""
import os
import re
import subprocess
import time

import pytest

from conftest import host_ns, cgroup_dir, proc_cgroups, runtime_name


def run_ok(rt, bundle, cid, script=None, *opts, **kw):
    if script is not None:
        bundle.cmd(script)
    r = rt.run(bundle, cid, *opts, **kw)
    assert r.rc == 0, r
    return r.out


def status_field(out, name):
    m = re.search(r"^%s:\s*(.*)$" % name, out, re.M)
    assert m, "%s not in %r" % (name, out)
    return m.group(1).split()


def test_example_config_runs(ctx, rt, bundle, cid):
    bundle.config["process"]["args"] = list(ctx.base_config["process"]["args"]) + [bundle.marker]
    out = run_ok(rt, bundle, cid)
    assert "hostname=husk-demo" in out
    assert "uid=0(root) gid=0(root)" in out
    assert "pid=1" in out


def test_hostname(rt, bundle, cid):
    bundle.config["hostname"] = "box-h"
    out = run_ok(rt, bundle, cid, "hostname; cat /proc/sys/kernel/hostname")
    assert out.split() == ["box-h", "box-h"]


@pytest.mark.runc_differs("domainname is supported from runc 1.2")
def test_domainname(rt, bundle, cid):
    bundle.config["hostname"] = "box-h"
    bundle.config["domainname"] = "example.test"
    out = run_ok(rt, bundle, cid, "hostname; cat /proc/sys/kernel/domainname")
    assert out.split() == ["box-h", "example.test"]


def test_env(rt, bundle, cid):
    bundle.process["env"] = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "EQ=a=b", "HUSK_TEST_MARKER=" + bundle.marker]
    bundle.process["args"] = ["env"]
    out = run_ok(rt, bundle, cid)
    lines = set(out.splitlines())
    assert {"PATH=/bin", "FOO=bar baz", "EMPTY=", "EQ=a=b"} <= lines
    # nothing from the runtime's own environment leaks in
    assert not any(l.startswith(("PYTEST_", "_LIBCONTAINER", "LISTEN_")) for l in lines), lines


def test_env_home_default(rt, bundle, cid):
    bundle.process["env"] = ["PATH=/bin"]
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    out = run_ok(rt, bundle, cid, "echo home=$HOME")
    # runc sets HOME from /etc/passwd when the config does not
    assert "home=/home/tester" in out


def test_cwd(rt, bundle, cid):
    bundle.process["cwd"] = "/home/tester"
    assert run_ok(rt, bundle, cid, "pwd").strip() == "/home/tester"


def test_cwd_created_if_missing(rt, bundle, cid):
    bundle.process["cwd"] = "/new/dir"
    assert run_ok(rt, bundle, cid, "pwd").strip() == "/new/dir"


def test_user(rt, bundle, cid):
    bundle.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 29], "umask": 0o27}
    bundle.process["cwd"] = "/tmp"
    out = run_ok(rt, bundle, cid, "cat /proc/self/status; echo; id -u; id -g")
    assert status_field(out, "Uid") == ["1000"] * 4
    assert status_field(out, "Gid") == ["1000"] * 4
    assert sorted(status_field(out, "Groups")) == ["10", "29"]
    assert status_field(out, "Umask") == ["0027"]


def test_user_root_groups_default(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, "cat /proc/self/status")
    assert status_field(out, "Uid") == ["0"] * 4
    assert status_field(out, "Umask") == ["0022"]


def test_rlimits(rt, bundle, cid):
    bundle.process["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
        {"type": "RLIMIT_NPROC", "soft": 1000, "hard": 2000},
    ]
    out = run_ok(rt, bundle, cid, "cat /proc/self/limits")
    assert re.search(r"^Max open files\s+512\s+2048\s", out, re.M), out
    assert re.search(r"^Max core file size\s+0\s+4096\s", out, re.M), out
    assert re.search(r"^Max processes\s+1000\s+2000\s", out, re.M), out


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(rt, bundle, cid, nnp):
    bundle.process["noNewPrivileges"] = nnp
    out = run_ok(rt, bundle, cid, "cat /proc/self/status")
    assert status_field(out, "NoNewPrivs") == ["1" if nnp else "0"]


def test_oom_score_adj(rt, bundle, cid):
    bundle.process["oomScoreAdj"] = 123
    assert run_ok(rt, bundle, cid, "cat /proc/self/oom_score_adj").strip() == "123"


def test_capabilities(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, "cat /proc/self/status")
    want = (1 << 29) | (1 << 5) | (1 << 10)  # AUDIT_WRITE KILL NET_BIND_SERVICE
    for f in ("CapBnd", "CapEff", "CapPrm"):
        assert int(status_field(out, f)[0], 16) == want, (f, out)
    # ambient needs the cap in inheritable too; the example has no inheritable set
    assert int(status_field(out, "CapInh")[0], 16) == 0
    assert int(status_field(out, "CapAmb")[0], 16) == 0


def test_capabilities_non_root(rt, bundle, cid):
    bundle.process["user"] = {"uid": 1000, "gid": 1000}
    caps = ["CAP_NET_RAW", "CAP_CHOWN"]
    bundle.process["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted", "inheritable", "ambient")}
    out = run_ok(rt, bundle, cid, "cat /proc/self/status")
    want = (1 << 13) | (1 << 0)
    for f in ("CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"):
        assert int(status_field(out, f)[0], 16) == want, (f, out)


NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt", "cgroup": "cgroup"}


def test_namespaces_all_new(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, " ; ".join("echo %s=$(readlink /proc/self/ns/%s)" % (f, f) for f in NS_FILES.values()))
    inside = dict(l.split("=", 1) for l in out.split())
    for f in NS_FILES.values():
        assert inside[f] != host_ns(f), f


@pytest.mark.parametrize("typ", ["pid", "network", "ipc", "uts", "cgroup"])
def test_namespace_shared_with_host(rt, bundle, cid, typ):
    bundle.remove_namespace(typ)
    if typ == "uts":
        bundle.config.pop("hostname", None)
    f = NS_FILES[typ]
    out = run_ok(rt, bundle, cid, "readlink /proc/self/ns/%s" % f)
    assert out.strip() == host_ns(f)


def test_pid_namespace_pid1(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, "echo $$; ls /proc | grep -E '^[0-9]+$' | wc -l")
    pid, n = out.split()
    assert pid == "1"
    assert int(n) <= 4


def test_join_namespace_of_process(ctx, rt, bundle, cid):
    helper = subprocess.Popen(["unshare", "--net", "--uts", "sleep", "60"])
    try:
        deadline = time.time() + 5
        while os.readlink("/proc/%d/ns/net" % helper.pid) == host_ns("net") and time.time() < deadline:
            time.sleep(0.01)
        want_net = os.readlink("/proc/%d/ns/net" % helper.pid)
        want_uts = os.readlink("/proc/%d/ns/uts" % helper.pid)
        bundle.add_namespace("network", "/proc/%d/ns/net" % helper.pid)
        bundle.add_namespace("uts", "/proc/%d/ns/uts" % helper.pid)
        bundle.config.pop("hostname", None)
        out = run_ok(rt, bundle, cid, "readlink /proc/self/ns/net; readlink /proc/self/ns/uts")
        assert out.split() == [want_net, want_uts]
    finally:
        helper.kill()
        helper.wait()


def test_join_bind_mounted_netns(ctx, rt, bundle, cid):
    nsfile = os.path.join(ctx.dir, "netns")
    open(nsfile, "w").close()
    subprocess.run(["unshare", "--net=" + nsfile, "true"], check=True)
    try:
        st = os.stat(nsfile)
        bundle.add_namespace("network", nsfile)
        out = run_ok(rt, bundle, cid, "stat -L -c %i /proc/self/ns/net")
        assert int(out.strip()) == st.st_ino
    finally:
        subprocess.run(["umount", nsfile], check=True)


@pytest.mark.runc_differs("runc 1.1 has no time namespace support")
def test_time_namespace(rt, bundle, cid):
    bundle.add_namespace("time")
    bundle.linux["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0},
                                   "boottime": {"secs": 172800, "nanosecs": 5}}
    out = run_ok(rt, bundle, cid, "cat /proc/self/timens_offsets; readlink /proc/self/ns/time")
    assert re.search(r"^monotonic\s+86400\s+0$", out, re.M), out
    assert re.search(r"^boottime\s+172800\s+5$", out, re.M), out
    assert host_ns("time") not in out


def test_user_namespace(rt, bundle, cid):
    bundle.add_namespace("user")
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    out = run_ok(rt, bundle, cid, "cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user; id -u")
    lines = [l.split() for l in out.splitlines()]
    assert lines[0] == ["0", "200000", "65536"]
    assert lines[1] == ["0", "200000", "65536"]
    assert lines[2] == [f for f in [lines[2][0]]] and lines[2][0] != host_ns("user")
    assert lines[3] == ["0"]


# ---------------------------------------------------------------- mounts

def mountinfo_entry(out, mountpoint):
    for line in out.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == mountpoint:
            sep = f.index("-")
            return {"opts": f[5].split(","), "optional": f[6:sep], "fstype": f[sep + 1],
                    "super": f[sep + 3].split(",") if len(f) > sep + 3 else []}
    raise AssertionError("%s not mounted in %r" % (mountpoint, out))


def test_bind_mount_rw_and_ro(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "src")
    os.makedirs(src)
    open(os.path.join(src, "hello"), "w").write("from-host\n")
    bundle.add_mount("/mnt/rw", "bind", src, ["rbind", "rw"])
    bundle.add_mount("/mnt/ro", "bind", src, ["bind", "ro"])
    out = run_ok(rt, bundle, cid, "cat /mnt/ro/hello; echo x > /mnt/rw/new && echo rw-ok; "
                 "echo y > /mnt/ro/other 2>/dev/null && echo ro-WRITABLE; cat /proc/self/mountinfo")
    assert "from-host" in out and "rw-ok" in out and "ro-WRITABLE" not in out
    assert os.path.exists(os.path.join(src, "new"))
    assert "ro" in mountinfo_entry(out, "/mnt/ro")["opts"]
    assert "rw" in mountinfo_entry(out, "/mnt/rw")["opts"]


def test_bind_mount_file(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "file.txt")
    open(src, "w").write("file-content\n")
    bundle.add_mount("/etc/bound.txt", "none", src, ["bind", "ro"])
    assert run_ok(rt, bundle, cid, "cat /etc/bound.txt").strip() == "file-content"


def test_rbind_includes_submounts(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "rsrc")
    sub = os.path.join(src, "sub")
    os.makedirs(sub)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "husktest", sub], check=True)
    try:
        open(os.path.join(sub, "inner"), "w").write("inner\n")
        bundle.add_mount("/mnt/r", "bind", src, ["rbind"])
        bundle.add_mount("/mnt/nr", "bind", src, ["bind"])
        out = run_ok(rt, bundle, cid, "cat /mnt/r/sub/inner; ls /mnt/nr/sub | wc -l")
        assert out.split() == ["inner", "0"]
    finally:
        subprocess.run(["umount", sub], check=True)


def test_rro_mount(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "rrosrc")
    sub = os.path.join(src, "sub")
    os.makedirs(sub)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "husktest", sub], check=True)
    try:
        bundle.add_mount("/mnt/r", "bind", src, ["rbind", "rro"])
        out = run_ok(rt, bundle, cid, "touch /mnt/r/a 2>/dev/null && echo top-WRITABLE; "
                     "touch /mnt/r/sub/a 2>/dev/null && echo sub-WRITABLE; echo done")
        assert "WRITABLE" not in out and "done" in out
    finally:
        subprocess.run(["umount", sub], check=True)


def test_tmpfs_options(rt, bundle, cid):
    bundle.add_mount("/mnt/t", "tmpfs", "tmpfs", ["size=1m", "mode=0710", "nosuid", "nodev", "noexec", "uid=1000", "gid=1000"])
    out = run_ok(rt, bundle, cid, "stat -c '%a %u %g' /mnt/t; cat /proc/self/mountinfo")
    assert out.splitlines()[0] == "710 1000 1000"
    e = mountinfo_entry(out, "/mnt/t")
    assert e["fstype"] == "tmpfs"
    assert {"nosuid", "nodev", "noexec"} <= set(e["opts"]), e
    assert "size=1024k" in e["super"], e


def test_noexec_enforced(rt, bundle, cid):
    bundle.add_mount("/mnt/t", "tmpfs", "tmpfs", ["noexec"])
    out = run_ok(rt, bundle, cid, "cp /bin/busybox /mnt/t/bb; /mnt/t/bb true 2>/dev/null && echo EXECUTED; echo end")
    assert "EXECUTED" not in out and "end" in out


def test_mount_propagation_flags(rt, bundle, cid):
    bundle.add_mount("/mnt/sh", "tmpfs", "tmpfs", ["rshared"])
    bundle.add_mount("/mnt/pr", "tmpfs", "tmpfs", ["private"])
    out = run_ok(rt, bundle, cid, "cat /proc/self/mountinfo")
    assert any(o.startswith("shared:") for o in mountinfo_entry(out, "/mnt/sh")["optional"]), out
    assert not mountinfo_entry(out, "/mnt/pr")["optional"]


@pytest.mark.parametrize("prop", ["private", "rprivate", "slave", "rslave", "shared", "rshared"])
def test_rootfs_propagation_runs(rt, bundle, cid, prop):
    bundle.linux["rootfsPropagation"] = prop
    out = run_ok(rt, bundle, cid, "cat /proc/self/mountinfo")
    root = mountinfo_entry(out, "/")
    if "shared" not in prop:
        assert not any(o.startswith("shared:") for o in root["optional"]), root


@pytest.mark.runc_differs("runc 1.1 leaves the container's / private even with rootfsPropagation shared")
def test_rootfs_propagation_shared_visible(rt, bundle, cid):
    bundle.linux["rootfsPropagation"] = "shared"
    out = run_ok(rt, bundle, cid, "cat /proc/self/mountinfo")
    root = mountinfo_entry(out, "/")
    assert any(o.startswith("shared:") for o in root["optional"]), root


def test_readonly_root(rt, bundle, cid):
    bundle.config["root"]["readonly"] = True
    out = run_ok(rt, bundle, cid, "touch /newfile 2>/dev/null && echo ROOT-WRITABLE; "
                 "touch /dev/shm/x && echo shm-ok; cat /proc/self/mountinfo")
    assert "ROOT-WRITABLE" not in out and "shm-ok" in out
    assert "ro" in mountinfo_entry(out, "/")["opts"]
    assert not os.path.exists(bundle.rootfs_file("/newfile"))


def test_masked_paths(rt, bundle, cid):
    with open(bundle.rootfs_file("/etc/secret"), "w") as f:
        f.write("TOPSECRET\n")
    os.makedirs(bundle.rootfs_file("/var/secretdir"))
    open(bundle.rootfs_file("/var/secretdir/f"), "w").write("x")
    bundle.linux["maskedPaths"] = ["/etc/secret", "/var/secretdir", "/proc/kcore", "/does/not/exist"]
    out = run_ok(rt, bundle, cid, "echo [$(cat /etc/secret)]; echo [$(ls /var/secretdir)]; "
                 "echo [$(head -c 10 /proc/kcore | wc -c)]; "
                 "echo z > /var/secretdir/g 2>/dev/null && echo MASK-WRITABLE; echo end")
    assert out.split() == ["[]", "[]", "[0]", "end"], out


def test_readonly_paths(rt, bundle, cid):
    os.makedirs(bundle.rootfs_file("/var/ro"))
    bundle.linux["readonlyPaths"] = ["/var/ro", "/proc/sys", "/does/not/exist"]
    out = run_ok(rt, bundle, cid, "touch /var/ro/x 2>/dev/null && echo RO-WRITABLE; touch /var/rw && echo rw-ok; "
                 "echo 1 > /proc/sys/kernel/shm_rmid_forced 2>/dev/null && echo PROCSYS-WRITABLE; "
                 "cat /proc/sys/kernel/ostype")
    assert "RO-WRITABLE" not in out and "PROCSYS-WRITABLE" not in out
    assert "rw-ok" in out and "Linux" in out


DEFAULT_DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8), "urandom": (1, 9), "tty": (5, 0)}


def test_default_devices(rt, bundle, cid):
    script = "; ".join("stat -c '%%n %%F %%t %%T' /dev/%s" % d for d in DEFAULT_DEVICES)
    script += "; for l in fd stdin stdout stderr ptmx; do echo $l=$(readlink /dev/$l); done; test -d /dev/shm && echo shm-dir"
    script += "; test -c /dev/pts/ptmx && echo pts-ptmx; echo x > /dev/null && head -c 8 /dev/urandom | wc -c"
    out = run_ok(rt, bundle, cid, script)
    for name, (ma, mi) in DEFAULT_DEVICES.items():
        assert re.search(r"^/dev/%s character special file %x %x$" % (name, ma, mi), out, re.M), (name, out)
    assert "fd=/proc/self/fd" in out
    assert "stdin=/proc/self/fd/0" in out and "stdout=/proc/self/fd/1" in out and "stderr=/proc/self/fd/2" in out
    assert "ptmx=pts/ptmx" in out or re.search(r"^ptmx=$", out, re.M)
    assert "shm-dir" in out and "pts-ptmx" in out
    assert out.split()[-1] == "8"


def test_linux_devices(rt, bundle, cid):
    bundle.linux["devices"] = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
                                "fileMode": 0o666, "uid": 1000, "gid": 29}]
    bundle.linux["resources"]["devices"].append({"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"})
    out = run_ok(rt, bundle, cid, "stat -c '%F %t %T %a %u %g' /dev/mynull; echo hi > /dev/mynull && echo write-ok")
    assert out.splitlines()[0] == "character special file 1 3 666 1000 29"
    assert "write-ok" in out


def test_devices_cgroup_denies(rt, bundle, cid):
    # /dev/mem-like: a device node that exists but is not allowed by the cgroup
    bundle.linux["devices"] = [{"path": "/dev/mymem", "type": "c", "major": 1, "minor": 1, "fileMode": 0o600}]
    out = run_ok(rt, bundle, cid, "head -c 1 /dev/mymem >/dev/null 2>&1 && echo OPENED; echo end")
    assert "OPENED" not in out


def test_sysctl(rt, bundle, cid):
    with open("/proc/sys/kernel/shm_rmid_forced") as f:
        host_before = f.read()
    bundle.linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1",
                              "net.ipv4.conf.all.forwarding": "1"}
    out = run_ok(rt, bundle, cid, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced")
    assert out.split() == ["1", "1"]
    with open("/proc/sys/kernel/shm_rmid_forced") as f:
        assert f.read() == host_before


def test_no_pivot(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, "hostname; ls /", "--no-pivot")
    assert out.splitlines()[0] == "husk-demo"
    assert "bin" in out.split()


def test_no_fd_leaks(rt, bundle, cid):
    bundle.process["args"] = ["ls", "/proc/self/fd"]
    out = run_ok(rt, bundle, cid)
    assert sorted(out.split(), key=int) == ["0", "1", "2", "3"], out


def test_preserve_fds(ctx, rt, bundle, cid):
    data = os.path.join(ctx.dir, "fd3.txt")
    open(data, "w").write("through-fd-3\n")
    bundle.cmd("cat <&3; ls /proc/self/fd | tr '\\n' ' '")
    bundle.write()
    argv = [rt.path, "--root", rt.root, "run", "--preserve-fds", "1", "-b", bundle.path, cid]
    r = subprocess.run(["/bin/sh", "-c", 'exec "$@" 3<"%s"' % data, "sh"] + argv,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out = r.stdout.decode()
    assert r.returncode == 0, (r, r.stderr)
    assert "through-fd-3" in out
    fds = sorted(int(x) for x in out.splitlines()[-1].split())
    assert fds[:4] == [0, 1, 2, 3] and len(fds) <= 5, fds


def test_unpreserved_fd_not_inherited(ctx, rt, bundle, cid):
    data = os.path.join(ctx.dir, "fd3.txt")
    open(data, "w").write("x\n")
    bundle.process["args"] = ["ls", "/proc/self/fd"]
    bundle.write()
    argv = [rt.path, "--root", rt.root, "run", "-b", bundle.path, cid]
    r = subprocess.run(["/bin/sh", "-c", 'exec "$@" 7<"%s" 9<"%s"' % (data, data), "sh"] + argv,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    assert r.returncode == 0, r
    assert sorted(r.stdout.decode().split(), key=int) == ["0", "1", "2", "3"]


def test_stdin_passthrough(ctx, rt, bundle, cid):
    src = os.path.join(ctx.dir, "stdin.txt")
    open(src, "w").write("line-one\nline-two\n")
    bundle.process["args"] = ["cat"]
    with open(src) as f:
        r = rt.run(bundle, cid, stdin=f)
    assert r.rc == 0, r
    assert r.out == "line-one\nline-two\n"


def test_created_container_keeps_stdio(ctx, rt, bundle, cid):
    """create's stdio become the container's stdio; output after start lands there."""
    bundle.cmd("echo to-stdout; echo to-stderr >&2")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    assert "to-stdout" in open(bundle.stdout_path(cid)).read()
    assert "to-stderr" in open(bundle.stderr_path(cid)).read()


# ---------------------------------------------------------------- cgroups

def test_cgroup_placement_and_limits(ctx, rt, bundle, cid):
    bundle.linux["cgroupsPath"] = "/%s" % cid
    bundle.linux["resources"]["pids"] = {"limit": 77}
    bundle.linux["resources"]["memory"] = {"limit": 64 * 1024 * 1024}
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    pid = rt.state_json(cid)["pid"]
    cgs = proc_cgroups(pid)
    # containerd reads /proc/<pid>/cgroup right after create: init must be in place
    assert cgs["pids"].endswith(cid), cgs
    with open(os.path.join(cgroup_dir(pid, "pids"), "pids.max")) as f:
        assert f.read().strip() == "77"
    with open(os.path.join(cgroup_dir(pid, "memory"), "memory.limit_in_bytes")) as f:
        assert int(f.read()) == 64 * 1024 * 1024
    d = cgroup_dir(pid, "pids")
    assert rt.delete(cid, "--force").rc == 0
    assert not os.path.exists(d)


def test_cgroup_namespace_root(rt, bundle, cid):
    out = run_ok(rt, bundle, cid, "cat /proc/self/cgroup")
    for line in out.splitlines():
        assert line.split(":", 2)[2] == "/", out
