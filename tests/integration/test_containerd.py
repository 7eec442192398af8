"""containerd 1.6 (Debian 12) and its io.containerd.runc.v2 shim driving the runtime under test.

A private containerd runs for this module: its config, root, state and gRPC/ttrpc sockets
live in a temporary directory (the shim sockets go to /run/containerd/s, which containerd
1.6 hard-codes; what is made there is removed again). The image is an OCI archive built
from the busybox rootfs and loaded with `ctr images import`.

Two ways of pointing the shim at the runtime:
- `ctr run --runc-binary /path/to/husk` (the shim's BinaryName option, set per container);
- `BinaryName = "/path/to/husk"` in config.toml, under a CRI runtime handler `husk`, used
  through the CRI API with runtime_handler "husk" exactly as the kubelet does for a
  RuntimeClass with `handler: husk`. The CRI client here speaks gRPC with hand-encoded
  protobuf messages (python3-grpcio; field numbers from k8s.io/cri-api runtime/v1).
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
from conftest import procs_with_marker, runtime_path

pytestmark = pytest.mark.skipif(not (engines.have("containerd") and engines.have("ctr")),
                                reason="containerd is not installed (tests/deps/engines.list)")

IMAGE = "localhost/husk-busybox:latest"
SHIM_SOCKETS = "/run/containerd/s"


class Containerd:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="husk-cd.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.sock = os.path.join(self.dir, "c.sock")
        self.husk_root = os.path.join(self.dir, "husk-root")
        self.fifo = os.path.join(self.dir, "fifo")
        self.ns = "husk-" + uuid.uuid4().hex[:8]
        self.cgroup_parent = "/" + os.path.basename(self.dir).replace(".", "-")
        self.log_path = os.path.join(self.dir, "containerd.log")
        self.made_run_dirs = [d for d in ("/run/containerd", SHIM_SOCKETS) if not os.path.exists(d)]
        os.makedirs(self.fifo)
        self.config = os.path.join(self.dir, "config.toml")
        with open(self.config, "w") as f:
            f.write(CONFIG % {"d": self.dir, "handler": documented_handler(runtime_path(), self.husk_root)})
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["containerd", "--config", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        engines.wait_for(lambda: self.proc.poll() is not None or
                         self.ctr("version", ns=None, timeout=5).returncode == 0, timeout=60,
                         what="containerd to answer")
        assert self.proc.poll() is None, open(self.log_path).read()[-3000:]

    def ctr(self, *args, ns=True, **kw):
        argv = ["ctr", "-a", self.sock] + (["-n", self.ns if ns is True else ns] if ns else [])
        return engines.run(argv + [str(a) for a in args], **kw)

    def import_image(self):
        rootfs = engines.build_rootfs(os.path.join(self.dir, "rootfs"))
        arch = engines.write_oci_archive(os.path.join(self.dir, "image.tar"), rootfs, IMAGE)
        for ns in (self.ns, "k8s.io"):
            r = self.ctr("images", "import", arch, ns=ns, timeout=120)
            assert r.returncode == 0, r.stderr
        shutil.rmtree(rootfs)
        os.unlink(arch)

    def stop(self):
        for ns in (self.ns, "k8s.io"):
            for c in self.ctr("containers", "ls", "-q", ns=ns).stdout.split():
                self.ctr("task", "kill", "-s", "KILL", c, ns=ns)
                self.ctr("task", "delete", "-f", c, ns=ns)
                self.ctr("containers", "rm", c, ns=ns)
            self.ctr("images", "rm", IMAGE, ns=ns)
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
        engines.umount_all_under(self.dir)
        for name in (self.cgroup_parent, self.ns):
            engines.rmdir_cgroup_tree(name)
        shutil.rmtree(self.dir, ignore_errors=True)
        for d in reversed(self.made_run_dirs):
            try:
                os.rmdir(d)
            except OSError:
                pass


CONFIG = """version = 2
root = "%(d)s/root"
state = "%(d)s/state"
[grpc]
  address = "%(d)s/c.sock"
[ttrpc]
  address = "%(d)s/c.sock.ttrpc"
[debug]
  address = "%(d)s/debug.sock"
  level = "debug"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/husk-busybox:latest"
  # without CAP_SYS_RESOURCE the sandbox's default oom_score_adj (-998) cannot be set
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "%(d)s/cni/bin"
    conf_dir = "%(d)s/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
%(handler)s"""


def documented_handler(husk, root):
    """The husk runtime handler exactly as docs/containerd.md gives it, with the runtime
    under test as BinaryName and a private Root added."""
    block = engines.doc_block("containerd.md", "containerd-handler")
    line = 'BinaryName = "/usr/local/bin/husk"'
    assert line in block, block
    return block.replace(line, 'BinaryName = "%s"\n    Root = "%s"' % (husk, root))


@pytest.fixture(scope="module")
def containerd():
    c = Containerd()
    try:
        c.start()
        c.import_image()
        yield c
    finally:
        c.stop()


class Ctr:
    """One test's view: ctr with the runtime as --runc-binary; ids carry the marker."""

    def __init__(self, cd):
        self.cd = cd
        self.marker = "hc" + uuid.uuid4().hex[:10]
        self.ids = []

    def __call__(self, *args, **kw):
        return self.cd.ctr(*args, **kw)

    def new_id(self):
        i = "%s-%d" % (self.marker, len(self.ids) + 1)
        self.ids.append(i)
        return i

    def run_argv(self, cid, opts, cmd, detach=False):
        """`ctr run` with the options that make the shim call the runtime under test."""
        return (["run", "--runc-binary", runtime_path(), "--runc-root", self.cd.husk_root,
                 "--fifo-dir", self.cd.fifo, "--env", "HUSK_TEST_MARKER=" + self.marker,
                 "--cgroup", self.cd.cgroup_parent + "/" + cid] + (["-d"] if detach else []) +
                list(opts) + [IMAGE, cid] + list(cmd))

    def status(self, cid):
        for line in self("task", "ls").stdout.splitlines()[1:]:
            f = line.split()
            if f and f[0] == cid:
                return f[2]
        return None

    def state_entries(self):
        return {e for e in engines.husk_state_entries(os.path.join(self.cd.husk_root, self.cd.ns))
                if self.marker in e}

    def cleanup_and_check(self):
        for cid in self.ids:
            self("task", "kill", "-s", "KILL", cid)
            self("task", "delete", "-f", cid)
            self("containers", "rm", cid)
        deadline = time.time() + 5
        while True:
            state = self.state_entries()
            procs = procs_with_marker(self.marker)
            cgs = engines.cgroup_dirs_named(self.marker)
            mnts = [m for m in engines.mounts_under(self.cd.dir) if self.marker in m]
            if not (state or procs or cgs or mnts) or time.time() > deadline:
                break
            time.sleep(0.1)
        assert not state, "leftover runtime state: %r" % state
        assert not procs, "leftover processes: %r" % procs
        assert not cgs, "leftover cgroups: %r" % cgs
        assert not mnts, "leftover mounts: %r" % mnts


@pytest.fixture
def ctr(containerd):
    c = Ctr(containerd)
    yield c
    c.cleanup_and_check()


SLEEPER = "echo started; trap 'echo got-term; exit 7' TERM; while :; do sleep 1 & wait; done"


# --------------------------------------------------------------------------------------
# ctr run --runc-binary


def test_run_rm_output_and_exit_code(ctr):
    cid = ctr.new_id()
    r = ctr(*ctr.run_argv(cid, ["--rm"], ["sh", "-c", "echo hello-$((6*7)); exit 4"]))
    assert r.returncode == 4, r
    assert r.stdout == "hello-42\n"
    assert ctr("containers", "ls", "-q").stdout.split().count(cid) == 0


def test_detached_exec_ps_kill_delete(ctr):
    cid = ctr.new_id()
    ctr(*ctr.run_argv(cid, [], ["sh", "-c", SLEEPER], detach=True), check=True)
    assert ctr.status(cid) == "RUNNING"
    # the runtime's state has the container, and it is the runtime under test that made it
    assert cid in ctr.state_entries()
    r = ctr("task", "exec", "--exec-id", "e1", "--fifo-dir", ctr.cd.fifo, cid, "sh", "-c",
            "echo exec-out $HUSK_TEST_MARKER; exit 6")
    assert r.returncode == 6, r
    assert r.stdout == "exec-out %s\n" % ctr.marker
    pids = [l.split()[0] for l in ctr("task", "ps", cid, check=True).stdout.splitlines()[1:]]
    init = [l.split()[1] for l in ctr("task", "ls").stdout.splitlines() if l.startswith(cid)][0]
    assert init in pids and len(pids) >= 2, pids
    ctr("task", "kill", cid, check=True)  # SIGTERM
    engines.wait_for(lambda: ctr.status(cid) == "STOPPED", what="task stopped")
    ctr("task", "delete", cid, check=True)
    ctr("containers", "rm", cid, check=True)
    assert cid not in ctr.state_entries()


def test_exit_status_reported(ctr):
    cid = ctr.new_id()
    ctr(*ctr.run_argv(cid, [], ["sh", "-c", SLEEPER], detach=True), check=True)
    ctr("task", "kill", "-s", "TERM", cid, check=True)
    engines.wait_for(lambda: ctr.status(cid) == "STOPPED", what="task stopped")
    # ctr reports a non-zero exit status when it deletes the task (the trap exits 7)
    r = ctr("task", "delete", cid)
    assert r.returncode == 0, r
    assert "exit code 7" in r.stderr, r
    ctr("containers", "rm", cid, check=True)


def test_pause_resume(ctr):
    cid = ctr.new_id()
    ctr(*ctr.run_argv(cid, [], ["sh", "-c", SLEEPER], detach=True), check=True)
    ctr("task", "pause", cid, check=True)
    assert ctr.status(cid) == "PAUSED"
    freezer = "/sys/fs/cgroup/freezer%s/%s/freezer.state" % (ctr.cd.cgroup_parent, cid)
    if os.path.exists(freezer):
        assert open(freezer).read().strip() == "FROZEN"
    ctr("task", "resume", cid, check=True)
    assert ctr.status(cid) == "RUNNING"
    r = ctr("task", "exec", "--exec-id", "e2", "--fifo-dir", ctr.cd.fifo, cid, "echo", "thawed")
    assert r.stdout == "thawed\n", r
    # SIGKILL reaches a paused task too
    ctr("task", "pause", cid, check=True)
    ctr("task", "kill", "-s", "KILL", cid, check=True)
    engines.wait_for(lambda: ctr.status(cid) == "STOPPED", what="paused task killed")


def test_kill_after_exit_is_not_found(ctr):
    """kill on a stopped container must use the wording the shim maps to NotFound."""
    cid = ctr.new_id()
    ctr(*ctr.run_argv(cid, [], ["true"], detach=True), check=True)
    engines.wait_for(lambda: ctr.status(cid) == "STOPPED", what="task stopped")
    r = ctr("task", "kill", "-s", "TERM", cid)
    out = r.stdout + r.stderr
    assert "unknown error after kill" not in out, out
    assert r.returncode != 0 and ("process already finished" in out or "not found" in out), out


def test_run_with_tty(ctr):
    cid = ctr.new_id()
    rc, out = engines.pty_run(["ctr", "-a", ctr.cd.sock, "-n", ctr.cd.ns] +
                      ctr.run_argv(cid, ["--rm", "-t"], ["sh", "-c", "tty; stty size; exit 2"]))
    assert rc == 2, out
    assert "/dev/pts/0" in out, out


def test_exec_with_tty(ctr):
    cid = ctr.new_id()
    ctr(*ctr.run_argv(cid, [], ["sh", "-c", SLEEPER], detach=True), check=True)
    rc, out = engines.pty_run(["ctr", "-a", ctr.cd.sock, "-n", ctr.cd.ns, "task", "exec", "-t", "--exec-id", "t1",
                       "--fifo-dir", ctr.cd.fifo, cid, "sh", "-c", "tty; exit 3"])
    assert rc == 3, out
    assert "/dev/pts/" in out, out


def test_json_log_error_surfaces_in_ctr(ctr):
    """The shim reads the runtime's --log (--log-format json) and shows the last error."""
    cid = ctr.new_id()
    r = ctr(*ctr.run_argv(cid, ["--rm"], ["no-such-command"]))
    out = r.stdout + r.stderr
    assert r.returncode != 0, r
    assert "OCI runtime create failed" in out, out
    assert "no-such-command" in out and "executable file not found" in out, out
    assert "unable to retrieve OCI runtime error" not in out, out
    ctr("containers", "rm", cid)


def test_host_pid_namespace_kill_all_after_exit(ctr):
    """Without a private pid namespace the shim runs `kill --all ID 9` after init exits;
    it must succeed on the stopped container (containerd logs a warning otherwise)."""
    cid = ctr.new_id()
    r = ctr(*ctr.run_argv(cid, ["--rm", "--with-ns", "pid:/proc/%d/ns/pid" % os.getpid()], ["sh", "-c", "echo host-pid"]))
    assert r.returncode == 0 and r.stdout == "host-pid\n", r
    with open(ctr.cd.log_path) as f:
        bad = [l for l in f if cid in l and "failed to kill init's children" in l]
    assert not bad, bad


# --------------------------------------------------------------------------------------
# CRI with BinaryName in config.toml (the Kubernetes RuntimeClass path)


def pb_varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_enc(fields):
    """[(field, value)]: str/bytes → length-delimited, bool/int → varint, list → nested."""
    out = b""
    for f, v in fields:
        if isinstance(v, list):
            v = pb_enc(v)
        if isinstance(v, str):
            v = v.encode()
        if isinstance(v, bytes):
            out += pb_varint(f << 3 | 2) + pb_varint(len(v)) + v
        else:
            out += pb_varint(f << 3) + pb_varint(int(v))
    return out


def pb_dec(buf):
    """→ {field: [int | bytes]} (nested messages stay bytes)."""
    res, i = {}, 0

    def varint():
        nonlocal i
        n = s = 0
        while True:
            c = buf[i]
            i += 1
            n |= (c & 0x7F) << s
            s += 7
            if not c & 0x80:
                return n

    while i < len(buf):
        k = varint()
        f, wt = k >> 3, k & 7
        if wt == 0:
            v = varint()
        elif wt == 2:
            n = varint()
            v, i = buf[i:i + n], i + n
        else:
            size = 8 if wt == 1 else 4
            v, i = buf[i:i + size], i + size
        res.setdefault(f, []).append(v)
    return res


class Cri:
    NODE = 2  # NamespaceMode

    def __init__(self, sock):
        import grpc
        self.ch = grpc.insecure_channel("unix://" + sock)

    def call(self, method, fields, service="RuntimeService", timeout=60):
        f = self.ch.unary_unary("/runtime.v1.%s/%s" % (service, method),
                                request_serializer=lambda x: x, response_deserializer=lambda x: x)
        return pb_dec(f(pb_enc(fields), timeout=timeout))

    def close(self):
        self.ch.close()


def test_cri_runtime_handler_uses_binaryname(containerd, ctr, tmp_path):
    pytest.importorskip("grpc", reason="python3-grpcio is not installed (tests/deps/engines.list)")
    cri = Cri(containerd.sock)
    marker = ctr.marker
    logdir = tmp_path / "logs"
    logdir.mkdir()
    sandbox_cfg = [(1, [(1, marker + "-pod"), (2, marker), (3, "default"), (4, 0)]),
                   (3, str(logdir)),
                   (8, [(1, containerd.cgroup_parent),
                        (2, [(1, [(1, Cri.NODE)])])])]  # host network: no CNI needed
    pod = ctr_id = None
    try:
        pod = cri.call("RunPodSandbox", [(1, sandbox_cfg), (2, "husk")])[1][0].decode()
        cfg = [(1, [(1, marker + "-c")]), (2, [(1, IMAGE)]), (3, "sh"), (4, "-c"),
               (4, "echo hello-cri; " + SLEEPER), (6, [(1, "HUSK_TEST_MARKER"), (2, marker)]),
               (11, "c.log")]
        ctr_id = cri.call("CreateContainer", [(1, pod), (2, cfg), (3, sandbox_cfg)])[1][0].decode()
        cri.call("StartContainer", [(1, ctr_id)])
        r = cri.call("ExecSync", [(1, ctr_id), (2, "sh"), (2, "-c"), (2, "echo exec-ok; exit 3"), (3, 30)])
        assert r[1][0] == b"exec-ok\n" and r[3][0] == 3, r
        st = cri.call("ContainerStatus", [(1, ctr_id), (2, True)])
        info = {}
        for kv in st.get(2, []):
            d = pb_dec(kv)
            info[d[1][0].decode()] = d[2][0].decode()
        details = json.loads(info["info"])
        assert details["runtimeOptions"]["binary_name"] == runtime_path(), details["runtimeOptions"]
        assert pb_dec(st[1][0])[3][0] == 1  # CONTAINER_RUNNING
        # the runtime under test holds the pod and the container in its root
        k8s_root = os.path.join(containerd.husk_root, "k8s.io")
        assert {pod, ctr_id} <= set(os.listdir(k8s_root))
        r = engines.run([runtime_path(), "--root", k8s_root, "state", ctr_id], check=True)
        assert json.loads(r.stdout)["status"] == "running"
        engines.wait_for(lambda: "hello-cri" in (logdir / "c.log").read_text(), what="container log")
        cri.call("StopContainer", [(1, ctr_id), (2, 10)])
        st = pb_dec(cri.call("ContainerStatus", [(1, ctr_id)])[1][0])
        assert st[3][0] == 2 and st.get(7, [0])[0] == 7, st  # EXITED with the trap's status
        cri.call("RemoveContainer", [(1, ctr_id)])
        ctr_id = None
        cri.call("StopPodSandbox", [(1, pod)])
        cri.call("RemovePodSandbox", [(1, pod)])
        pod = None
        assert not [e for e in os.listdir(k8s_root) if e in (pod, ctr_id)]
    finally:
        if ctr_id:
            cri.call("RemoveContainer", [(1, ctr_id)])
        if pod:
            cri.call("StopPodSandbox", [(1, pod)])
            cri.call("RemovePodSandbox", [(1, pod)])
        cri.close()
