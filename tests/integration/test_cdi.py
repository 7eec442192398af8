"""Native CDI: fake vendor specs written into temporary spec directories,
requested with --device, annotations and NVIDIA_VISIBLE_DEVICES, observed
from inside the container and by a createContainer hook that records what
it was given. No GPU is needed: device nodes are /dev/null or stand-ins made
with mknod (majors no driver has registered)."""
import json
import os
import re
import stat

import pytest

from conftest import host_ns, runtime_path

pytestmark = pytest.mark.husk_only
_yaml = []


def husk_has_yaml():
    if not _yaml:
        import subprocess
        out = subprocess.run([runtime_path(), "--version"], capture_output=True, text=True).stdout
        _yaml.append("+YAML" in out)
    return _yaml[0]

HOOK = r'''#!/usr/bin/python3
# A stand-in for a vendor createContainer hook (NVIDIA's nvidia-cdi-hook): it
# records its state, argv, env, cwd and namespaces, looks at the rootfs it
# found through the state (bundle/config.json, as NVIDIA's hooks do) and
# optionally creates a symlink there (what `create-symlinks` does).
import json, os, stat, sys
out = os.environ["HOOK_OUT"]
raw = sys.stdin.read()
state = json.loads(raw)
with open(os.path.join(state["bundle"], "config.json")) as f:
    root = json.load(f)["root"]["path"]
if not root.startswith("/"):
    root = os.path.join(state["bundle"], root)
# the environment execve gave us (python itself may add LC_CTYPE to os.environ)
with open("/proc/self/environ", "rb") as f:
    env = dict(e.decode().split("=", 1) for e in f.read().split(b"\0") if e)
rec = {"state": state, "argv": sys.argv, "env": env, "cwd": os.getcwd(),
       "mntns": os.readlink("/proc/self/ns/mnt"), "root": root,
       "sees_host_out": os.path.isdir(out)}
info = os.path.join(root, "etc/fake/info.txt")
rec["info"] = open(info).read() if os.path.exists(info) else None
try:
    st = os.lstat(os.path.join(root, "dev/fake0"))
    rec["fake0"] = [stat.S_ISCHR(st.st_mode), os.major(st.st_rdev), os.minor(st.st_rdev)]
except OSError as e:
    rec["fake0"] = str(e)
rec["proc_mounted"] = os.path.exists(os.path.join(root, "proc/self/status"))
if len(sys.argv) > 2 and sys.argv[1] == "create-symlinks":
    target, link = sys.argv[2].split("::")
    os.symlink(target, root + link)
with open(os.path.join(root, "cdi-hook-ran"), "a") as f:
    f.write(sys.argv[1] if len(sys.argv) > 1 else "-")
    f.write("\n")
with open(os.path.join(out, "hooks.jsonl"), "a") as f:
    f.write(json.dumps(rec) + "\n")
'''


class Cdi:
    """Spec directories etc/ (low priority) and run/ (high) for one test."""

    def __init__(self, ctx):
        self.base = os.path.join(ctx.dir, "cdi")
        self.etc = os.path.join(self.base, "etc")
        self.run = os.path.join(self.base, "run")
        self.out = os.path.join(self.base, "out")
        for d in (self.etc, self.run, self.out):
            os.makedirs(d)
        os.chmod(self.base, 0o755)
        os.chmod(self.out, 0o777)
        self.hook = os.path.join(self.base, "hook.py")
        with open(self.hook, "w") as f:
            f.write(HOOK)
        os.chmod(self.hook, 0o755)
        self.info = os.path.join(self.base, "info.txt")
        with open(self.info, "w") as f:
            f.write("fake sensor v1\n")

    @property
    def dirs(self):
        return self.etc + ":" + self.run

    @property
    def args(self):
        return ["--cdi-spec-dir", self.dirs]

    def write(self, where, name, spec):
        if name.endswith(".yaml") and not husk_has_yaml():
            pytest.skip("husk built without libyaml")
        path = os.path.join(where, name)
        with open(path, "w") as f:
            f.write(spec if isinstance(spec, str) else json.dumps(spec, indent=1))
        return path

    def hook_entry(self, *args, env=None, name="createContainer"):
        return {"hookName": name, "path": self.hook, "args": ["hook.py"] + list(args),
                "env": env if env is not None else ["HOOK_OUT=" + self.out, "ONLY_THIS=1"]}

    def hooks(self):
        p = os.path.join(self.out, "hooks.jsonl")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            return [json.loads(l) for l in f]

    def fake_spec(self, **extra_devices):
        devices = [
            {"name": "fake0", "containerEdits": {
                "deviceNodes": [{"path": "/dev/fake0", "hostPath": "/dev/null", "permissions": "rw"}],
                "env": ["FAKE_DEVICE=0"]}},
            {"name": "prio", "containerEdits": {"env": ["PRIO=from-etc"]}},
        ]
        for name, edits in extra_devices.items():
            devices.append({"name": name, "containerEdits": edits})
        return {"cdiVersion": "0.5.0", "kind": "example.com/dev", "devices": devices,
                "containerEdits": {
                    "env": ["FAKE_VENDOR=example.com", "TERM=overridden"],
                    "mounts": [{"hostPath": self.info, "containerPath": "/etc/fake/info.txt",
                                "options": ["ro", "nosuid", "nodev", "bind"]}],
                    "hooks": [self.hook_entry("--device", "fake0")]}}


@pytest.fixture
def cdi(ctx):
    return Cdi(ctx)


def free_char_major():
    """A character major no driver registered: open() gives ENXIO when the
    device cgroup allows it and EPERM when it does not."""
    used = set()
    with open("/proc/devices") as f:
        section = None
        for line in f:
            if line.startswith("Character"):
                section = "c"
            elif line.startswith("Block"):
                section = "b"
            elif section == "c" and line.strip():
                used.add(int(line.split()[0]))
    for m in range(240, 255):
        if m not in used:
            return m
    pytest.skip("no free character major in 240-254")


def mknod(path, major, minor, mode=0o666):
    os.mknod(path, stat.S_IFCHR | mode, os.makedev(major, minor))
    os.chmod(path, mode)


def run(rt, bundle, cid, cdi, script, *opts, **kw):
    bundle.cmd(script)
    return rt.run(bundle, cid, *opts, global_args=cdi.args, **kw)


# ------------------------------------------------------------------ the fake vendor


def test_fake_device_seen_from_inside(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    r = run(rt, bundle, cid, cdi,
            "stat -c '%F %t:%T %a' /dev/fake0; echo hello > /dev/fake0 && echo wrote;"
            " cat /etc/fake/info.txt; (echo x > /etc/fake/info.txt) 2>/dev/null || echo ro;"
            " echo $FAKE_VENDOR $FAKE_DEVICE $TERM; cat /cdi-hook-ran",
            "--device", "example.com/dev=fake0")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0] == "character special file 1:3 666", lines
    assert lines[1:5] == ["wrote", "fake sensor v1", "ro", "example.com 0 overridden"], lines
    assert lines[5] == "--device", lines  # the hook wrote into this rootfs before pivot_root
    ctx.assert_clean(cid)


def test_create_container_hook_semantics(ctx, rt, bundle, cid, cdi):
    """The hook runs in the container's mount namespace after every mount and
    device node, before pivot_root, from the rootfs, with the state on stdin
    and exactly its own env (nothing of the container's: CVE-2025-23266)."""
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.process["env"].append("LD_PRELOAD=/evil.so")
    bundle.config.setdefault("annotations", {})["org.example/a"] = "b"
    bundle.cmd("true")
    r = rt.create(bundle, cid, "--device", "example.com/dev=fake0", global_args=cdi.args)
    assert r.rc == 0, r
    pid = rt.state_json(cid)["pid"]
    container_mntns = os.readlink("/proc/%d/ns/mnt" % pid)
    [h] = cdi.hooks()
    assert h["argv"][1:] == ["--device", "fake0"]
    assert h["env"] == {"HOOK_OUT": cdi.out, "ONLY_THIS": "1"}, h["env"]
    st = h["state"]
    assert (st["id"], st["status"], st["pid"], st["bundle"]) == (cid, "creating", pid, bundle.path), st
    assert st["rootfs"] == bundle.rootfs and st["annotations"]["org.example/a"] == "b", st
    assert h["mntns"] == container_mntns != host_ns("mnt")
    assert h["sees_host_out"]  # the host's tree is still there: before pivot_root
    assert h["root"] == bundle.rootfs and os.path.realpath(h["cwd"]) == os.path.realpath(bundle.rootfs)
    assert h["info"] == "fake sensor v1\n"  # the CDI mount is done
    assert h["fake0"] == [True, 1, 3]  # and the device node
    assert h["proc_mounted"]  # and /proc
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    ctx.assert_clean(cid)


def test_cgroup_rule_from_permissions(ctx, rt, bundle, cid, cdi):
    major = free_char_major()
    ro, rw = os.path.join(cdi.base, "fakero"), os.path.join(cdi.base, "fakerw")
    mknod(ro, major, 0)
    mknod(rw, major, 1)
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec(
        ro={"deviceNodes": [{"path": "/dev/fake-ro", "hostPath": ro, "permissions": "r"}]},
        rw={"deviceNodes": [{"path": "/dev/fake-rw", "hostPath": rw}]}))
    r = run(rt, bundle, cid, cdi,
            "stat -c '%F %t:%T' /dev/fake-ro; for f in /dev/fake-ro /dev/fake-rw; do"
            " (exec 3<$f) 2>&1; (exec 3>$f) 2>&1; done; true",
            "--device", "example.com/dev=ro", "--device", "example.com/dev=rw")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0] == "character special file %x:0" % major
    # allowed by the rule: the open reaches the (absent) driver
    assert "No such device or address" in lines[1], lines
    # write not in `r`: the device cgroup refuses
    assert "Operation not permitted" in lines[2], lines
    # no permissions given: rwm
    assert "No such device or address" in lines[3] and "No such device or address" in lines[4], lines


def test_annotation_request(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.config["annotations"] = {"cdi.k8s.io/test_fake": "example.com/dev=fake0,example.com/dev=prio"}
    r = run(rt, bundle, cid, cdi, "echo $FAKE_DEVICE $PRIO; test -c /dev/fake0 && echo dev")
    assert r.rc == 0, r
    assert r.out.split() == ["0", "from-etc", "dev"]


def test_annotation_with_space_is_invalid(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.config["annotations"] = {"cdi.k8s.io/x": "example.com/dev=fake0, example.com/dev=prio"}
    r = run(rt, bundle, cid, cdi, "echo RAN")
    assert r.rc != 0 and "RAN" not in r.out
    assert "cdi.k8s.io/x" in r.err and "invalid CDI device name" in r.err, r
    ctx.assert_clean(cid)


def test_spec_dirs_from_environment(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.run, "fake.yaml", json.dumps(cdi.fake_spec()))  # JSON is YAML too
    bundle.cmd("echo $FAKE_VENDOR")
    env = dict(os.environ, HUSK_CDI_SPEC_DIRS=cdi.dirs)
    r = rt.run(bundle, cid, "--device", "example.com/dev=fake0", env=env)
    assert r.rc == 0, r
    assert r.out.strip() == "example.com"


def test_relative_spec_dir(ctx, rt, bundle, cid, cdi):
    """A relative --cdi-spec-dir is relative to where husk was started, not to the bundle."""
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.cmd("echo $FAKE_VENDOR")
    r = rt.run(bundle, cid, "--device", "example.com/dev=fake0", cwd=ctx.dir,
               global_args=["--cdi-spec-dir", os.path.relpath(cdi.etc, ctx.dir)])
    assert r.rc == 0 and r.out.strip() == "example.com", r


def test_directory_priority(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    cdi.write(cdi.run, "override.yaml", "---\ncdiVersion: 0.3.0\nkind: example.com/dev\n"
              "devices:\n  - name: prio\n    containerEdits:\n      env: [PRIO=from-run]\n"
              "containerEdits:\n  env: [OVERRIDE_GLOBAL=1]\n")
    r = run(rt, bundle, cid, cdi, "echo $PRIO $OVERRIDE_GLOBAL ${FAKE_VENDOR:-none};"
            " test -e /etc/fake/info.txt && echo mounted || echo no-mount",
            "--device", "example.com/dev=prio")
    assert r.rc == 0, r
    # the later directory wins, and only the winning file's global edits apply
    assert r.out.split() == ["from-run", "1", "none", "no-mount"], r.out
    assert cdi.hooks() == []


def test_conflict_in_one_directory(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "a.json", cdi.fake_spec())
    cdi.write(cdi.etc, "b.yaml", "cdiVersion: 0.3.0\nkind: example.com/dev\n"
              "devices: [{name: prio, containerEdits: {env: [PRIO=b]}}]\n")
    r = run(rt, bundle, cid, cdi, "echo RAN", "--device", "example.com/dev=prio")
    assert r.rc != 0 and "RAN" not in r.out
    assert "unresolvable CDI devices example.com/dev=prio" in r.err
    assert "devices of kind example.com/dev: fake0" in r.err, r.err
    ctx.assert_clean(cid)
    lst = json.loads(rt("cdi", "list", "--format", "json", global_args=cdi.args).out)
    errs = {os.path.basename(e["spec"]): e["error"] for e in lst["errors"]}
    assert "conflicting device `example.com/dev=prio`" in errs["a.json"]
    assert "conflicting device `example.com/dev=prio`" in errs["b.yaml"]
    assert [d["name"] for d in lst["devices"]] == ["example.com/dev=fake0"]
    # the other device of the same file still works
    r = run(rt, bundle, ctx.new_id(), cdi, "echo $FAKE_DEVICE", "--device", "example.com/dev=fake0")
    assert r.rc == 0 and r.out.strip() == "0", r


def test_bad_file_skipped_others_work(ctx, rt, bundle, cid, cdi):
    cdi.write(cdi.etc, "broken.json", '{"cdiVersion": "0.3.0", "kind": "other.com/x", "devices": [}')
    cdi.write(cdi.etc, "newer.yaml", "cdiVersion: 0.4.0\nkind: other.com/y\n"
              "devices: [{name: '0', containerEdits: {env: [A=1]}}]\n")
    cdi.write(cdi.etc, "unknown.json", json.dumps({"cdiVersion": "0.3.0", "kind": "other.com/z", "foo": 1,
                                                   "devices": [{"name": "a", "containerEdits": {"env": ["A=1"]}}]}))
    cdi.write(cdi.etc, "ignored.yml", "not even yaml: [")
    cdi.write(cdi.run, "fake.json", cdi.fake_spec())
    r = run(rt, bundle, cid, cdi, "echo $FAKE_VENDOR", "--device", "example.com/dev=fake0")
    assert r.rc == 0 and r.out.strip() == "example.com", r
    out = rt("cdi", "list", global_args=cdi.args)
    assert out.rc == 0, out
    assert re.search(r"example.com/dev=fake0\s+%s" % re.escape(os.path.join(cdi.run, "fake.json")), out.out), out.out
    assert "broken.json: json: line 1" in out.out
    assert "newer.yaml: cdiVersion: the spec version must be at least v0.5.0" in out.out
    assert "unknown.json: foo: unknown field" in out.out
    assert "ignored.yml" not in out.out
    assert "3 spec file errors" in out.out


@pytest.mark.parametrize("case", ["unknown-device", "unknown-kind", "missing-host-node", "type-mismatch",
                                  "hook-fails", "hook-timeout", "not-a-name"])
def test_failures_leave_nothing(ctx, rt, bundle, cid, cdi, case):
    fake = cdi.fake_spec(
        missing={"deviceNodes": [{"path": "/dev/m", "hostPath": os.path.join(cdi.base, "nonexistent")}]},
        blk={"deviceNodes": [{"path": "/dev/b", "hostPath": "/dev/null", "type": "b"}]},
        failing={"hooks": [{"hookName": "createContainer", "path": "/bin/sh",
                            "args": ["sh", "-c", "echo vendor-hook-failed >&2; exit 3"]}]},
        slow={"hooks": [{"hookName": "createRuntime", "path": "/bin/sleep", "args": ["sleep", "30"],
                         "timeout": 1}]})
    cdi.write(cdi.etc, "fake.json", fake)
    device, want = {
        "unknown-device": ("example.com/dev=fake9", "unresolvable CDI devices example.com/dev=fake9"),
        "unknown-kind": ("nosuch.com/gpu=0", "no spec defines kind nosuch.com/gpu"),
        "missing-host-node": ("example.com/dev=missing", "failed to stat CDI host device"),
        "type-mismatch": ("example.com/dev=blk", "host type mismatch"),
        "hook-fails": ("example.com/dev=failing", "vendor-hook-failed"),
        "hook-timeout": ("example.com/dev=slow", "timed out"),
        "not-a-name": ("/dev/sda", "not a qualified CDI device name"),
    }[case]
    r = run(rt, bundle, cid, cdi, "echo PROGRAM-RAN", "--device", device)
    assert r.rc != 0 and "PROGRAM-RAN" not in r.out, r
    assert want in r.err, r.err
    assert rt.state(cid).rc != 0
    ctx.assert_clean(cid)


def test_state_and_poststop_hooks_of_the_edited_spec(ctx, rt, bundle, cid, cdi):
    """start and delete see the edited spec: CDI poststart/poststop hooks run."""
    spec = cdi.fake_spec()
    spec["containerEdits"]["hooks"] += [
        {"hookName": "poststart", "path": "/bin/sh", "args": ["sh", "-c", "echo started > %s/poststart" % cdi.out]},
        {"hookName": "poststop", "path": "/bin/sh", "args": ["sh", "-c", "echo stopped > %s/poststop" % cdi.out]}]
    cdi.write(cdi.etc, "fake.json", spec)
    bundle.cmd("true")
    assert rt.create(bundle, cid, "--device", "example.com/dev=fake0", global_args=cdi.args).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    assert rt.delete(cid).rc == 0
    assert open(os.path.join(cdi.out, "poststart")).read() == "started\n"
    assert open(os.path.join(cdi.out, "poststop")).read() == "stopped\n"
    ctx.assert_clean(cid)


def test_engine_already_applied_cdi(ctx, rt, bundle, cid, cdi):
    """An engine that injected CDI itself and left the annotation: the hook it
    already put in config.json does not run twice."""
    spec = cdi.fake_spec()
    cdi.write(cdi.etc, "fake.json", spec)
    bundle.config["annotations"] = {"cdi.k8s.io/engine": "example.com/dev=fake0"}
    bundle.config["hooks"] = {"createContainer": [{k: v for k, v in spec["containerEdits"]["hooks"][0].items()
                                                   if k != "hookName"}]}
    r = run(rt, bundle, cid, cdi, "cat /cdi-hook-ran")
    assert r.rc == 0, r
    assert r.out.split() == ["--device"]
    assert len(cdi.hooks()) == 1


def test_user_namespace_binds_the_host_path(ctx, rt, bundle, cid, cdi):
    """In a user namespace mknod is refused: the node is bind-mounted from the
    spec's hostPath (/dev/null), not from its container path (/dev/fake0,
    which does not exist on the host)."""
    assert not os.path.exists("/dev/fake0")
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.add_namespace("user")
    bundle.linux["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]
    bundle.linux["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]
    for m in bundle.config["mounts"]:  # gid 5 (tty) is not mapped
        if m["destination"] == "/dev/pts":
            m["options"] = [o for o in m["options"] if o != "gid=5"]
    r = run(rt, bundle, cid, cdi,
            "readlink /proc/self/ns/user; stat -c '%F %t:%T' /dev/fake0;"
            " grep -c ' /dev/fake0 ' /proc/self/mountinfo; echo hi > /dev/fake0 && echo wrote;"
            " cat /etc/fake/info.txt",
            "--device", "example.com/dev=fake0")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert lines[0] != host_ns("user")
    assert lines[1:] == ["character special file 1:3", "1", "wrote", "fake sensor v1"], lines
    ctx.assert_clean(cid)


# ------------------------------------------------------------------ NVIDIA-shaped


class FakeNvidia:
    """The shape of `nvidia-ctk cdi generate` output for two GPUs, with
    stand-in nodes (mknod, major 195 as the real driver; no driver here) and
    stand-in files for the driver libraries and nvidia-smi."""
    UUID0 = "GPU-5e0f9a2c-1b3d-4c7e-8a90-0123456789ab"
    UUID1 = "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"

    def __init__(self, cdi):
        self.cdi = cdi
        d = self.dev = os.path.join(cdi.base, "nvdev")
        os.makedirs(d)
        uvm = free_char_major()
        nodes = {"nvidia0": (195, 0), "nvidia1": (195, 1), "nvidiactl": (195, 255),
                 "nvidia-modeset": (195, 254), "nvidia-uvm": (uvm, 0), "nvidia-uvm-tools": (uvm, 1)}
        for name, (ma, mi) in nodes.items():
            mknod(os.path.join(d, name), ma, mi)
        lib = os.path.join(cdi.base, "libcuda.so.570.133.20")
        with open(lib, "w") as f:
            f.write("not really a library\n")
        smi = os.path.join(cdi.base, "nvidia-smi")
        with open(smi, "w") as f:
            f.write("#!/bin/sh\necho 'NVIDIA-SMI 570.133.20 (stand-in)'; ls /dev/nvidia*\n")
        os.chmod(smi, 0o755)

        def node(name):
            ma, mi = nodes[name]
            return {"path": "/dev/" + name, "hostPath": os.path.join(d, name), "major": ma, "minor": mi,
                    "fileMode": 438, "permissions": "rwm"}

        libdir = "/usr/lib/x86_64-linux-gnu"
        hook = lambda *a: cdi.hook_entry(*a, env=["HOOK_OUT=" + cdi.out, "NVIDIA_CTK_DEBUG=false"])
        gpu = lambda n: {"deviceNodes": [node("nvidia%d" % n)]}
        self.yaml = "---\n" + json.dumps({
            "cdiVersion": "0.5.0", "kind": "nvidia.com/gpu",
            "devices": [{"name": "0", "containerEdits": gpu(0)}, {"name": "1", "containerEdits": gpu(1)},
                        {"name": self.UUID0, "containerEdits": gpu(0)},
                        {"name": self.UUID1, "containerEdits": gpu(1)},
                        {"name": "all", "containerEdits": {"deviceNodes": [node("nvidia0"), node("nvidia1")]}}],
            "containerEdits": {
                "env": ["NVIDIA_CTK_LIBCUDA_DIR=" + libdir, "NVIDIA_VISIBLE_DEVICES=void"],
                "deviceNodes": [node("nvidia-modeset"), node("nvidia-uvm"), node("nvidia-uvm-tools"),
                                node("nvidiactl")],
                "hooks": [hook("create-symlinks", "libcuda.so.570.133.20::%s/libcuda.so.1" % libdir),
                          hook("enable-cuda-compat", "--host-driver-version=570.133.20"),
                          hook("update-ldcache", "--folder", libdir),
                          hook("disable-device-node-modification")],
                "mounts": [{"hostPath": smi, "containerPath": "/usr/bin/nvidia-smi",
                            "options": ["ro", "nosuid", "nodev", "rbind", "rprivate"]},
                           {"hostPath": lib, "containerPath": libdir + "/libcuda.so.570.133.20",
                            "options": ["ro", "nosuid", "nodev", "rbind", "rprivate"]}]}}, indent=2)
        cdi.write(cdi.run, "nvidia.yaml", self.yaml)


GPU_SCRIPT = ("echo VISIBLE=$NVIDIA_VISIBLE_DEVICES; /usr/bin/nvidia-smi;"
              " readlink /usr/lib/x86_64-linux-gnu/libcuda.so.1;"
              " stat -c '%n %t:%T' /dev/nvidia0 /dev/nvidiactl 2>&1; cat /cdi-hook-ran")


def gpu_run(rt, bundle, cid, cdi, *opts):
    r = run(rt, bundle, cid, cdi, GPU_SCRIPT, *opts)
    assert r.rc == 0, r
    return r.out


@pytest.mark.parametrize("how", ["device-0", "device-uuid", "device-all", "env-0", "env-uuid", "env-all",
                                 "annotation"])
def test_nvidia_shaped_spec(ctx, rt, bundle, cid, cdi, how):
    nv = FakeNvidia(cdi)
    opts = []
    if how.startswith("device-"):
        opts = ["--device", "nvidia.com/gpu=" + {"0": "0", "uuid": nv.UUID0, "all": "all"}[how[7:]]]
    elif how.startswith("env-"):
        bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=" + {"0": "0", "uuid": nv.UUID0, "all": "all"}[how[4:]])
    else:
        bundle.config["annotations"] = {"cdi.k8s.io/nvidia_gpu0": "nvidia.com/gpu=0"}
    out = gpu_run(rt, bundle, cid, cdi, *opts)
    lines = out.splitlines()
    assert lines[0] == "VISIBLE=void", out  # the spec's env edit replaced the request
    assert lines[1] == "NVIDIA-SMI 570.133.20 (stand-in)", out
    devs = set(lines[2:lines.index("libcuda.so.570.133.20")])
    want = {"/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-modeset", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"}
    if how.endswith("all"):
        want.add("/dev/nvidia1")
    assert devs == want, out
    assert "/dev/nvidia0 c3:0" in out and "/dev/nvidiactl c3:ff" in out, out
    assert lines[-4:] == ["create-symlinks", "enable-cuda-compat", "update-ldcache",
                          "disable-device-node-modification"], out
    hooks = cdi.hooks()
    assert [h["argv"][1] for h in hooks] == ["create-symlinks", "enable-cuda-compat", "update-ldcache",
                                             "disable-device-node-modification"]
    assert all(h["env"] == {"HOOK_OUT": cdi.out, "NVIDIA_CTK_DEBUG": "false"} for h in hooks)


def test_nvidia_env_second_gpu_only(ctx, rt, bundle, cid, cdi):
    FakeNvidia(cdi)
    bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=1")
    out = run(rt, bundle, cid, cdi, "ls /dev/ | grep '^nvidia[0-9]'")
    assert out.rc == 0, out
    assert out.out.split() == ["nvidia1"]


@pytest.mark.parametrize("value", ["none", "void", ""])
def test_nvidia_env_no_gpu(ctx, rt, bundle, cid, cdi, value):
    """none/void/empty: no GPU even where NVIDIA's spec exists (the generator
    makes a `none` device only with --device-id none)."""
    FakeNvidia(cdi)
    bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=" + value)
    r = run(rt, bundle, cid, cdi, "echo =$NVIDIA_VISIBLE_DEVICES; ls /dev | grep -c nvidia")
    assert r.rc == 1 and r.out.split() == ["=" + value, "0"], r


def test_nvidia_env_unknown_gpu_fails(ctx, rt, bundle, cid, cdi):
    FakeNvidia(cdi)
    bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=0,3")
    r = run(rt, bundle, cid, cdi, "echo RAN")
    assert r.rc != 0 and "RAN" not in r.out
    assert "unresolvable CDI devices nvidia.com/gpu=3" in r.err
    assert "devices of kind nvidia.com/gpu: 0, 1, %s, %s, all" % (FakeNvidia.UUID1, FakeNvidia.UUID0) in r.err, r.err
    ctx.assert_clean(cid)


@pytest.mark.parametrize("value", ["void", "", "all"])
def test_nvidia_env_without_nvidia_spec(ctx, rt, bundle, cid, cdi, value):
    """A CUDA image (NVIDIA_VISIBLE_DEVICES=all baked in) on a host without
    NVIDIA's spec runs as it would with runc; void/empty mean nothing."""
    bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=" + value)
    bundle.cmd("echo $NVIDIA_VISIBLE_DEVICES; ls /dev | grep -c nvidia")
    log = os.path.join(ctx.dir, "husk.log")
    r = rt.run(bundle, cid, global_args=cdi.args + ["--log", log])
    assert r.rc == 1 and r.out.split() == ([value] if value else []) + ["0"], r  # grep -c finds 0
    logged = open(log).read() if os.path.exists(log) else ""
    assert ("no CDI spec defines kind nvidia.com/gpu" in logged) == (value == "all"), logged


def test_nvidia_env_switch_off(ctx, rt, bundle, cid, cdi):
    FakeNvidia(cdi)
    bundle.process["env"].append("NVIDIA_VISIBLE_DEVICES=all")
    bundle.cmd("ls /dev | grep -c nvidia")
    r = rt.run(bundle, cid, global_args=cdi.args, env=dict(os.environ, HUSK_CDI_NVIDIA_ENV="0"))
    assert r.rc == 1 and r.out.strip() == "0", r


def test_cdi_inject_prints_the_edited_config(ctx, rt, bundle, cdi):
    cdi.write(cdi.etc, "fake.json", cdi.fake_spec())
    bundle.write()
    r = rt("cdi", "inject", "--bundle", bundle.path, "--device", "example.com/dev=fake0", global_args=cdi.args)
    assert r.rc == 0, r
    c = json.loads(r.out)
    env = c["process"]["env"]
    assert env[1] == "TERM=overridden" and "FAKE_VENDOR=example.com" in env and "FAKE_DEVICE=0" in env
    assert {"path": "/dev/fake0", "type": "c", "major": 1, "minor": 3, "fileMode": 438} in c["linux"]["devices"]
    assert {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rw"} in c["linux"]["resources"]["devices"]
    depths = [os.path.normpath(m["destination"]).count("/") for m in c["mounts"]]
    assert depths == sorted(depths) and c["mounts"][-1]["destination"] == "/etc/fake/info.txt"
    assert c["hooks"]["createContainer"][-1]["args"] == ["hook.py", "--device", "fake0"]
    # the bundle itself is untouched
    with open(os.path.join(bundle.path, "config.json")) as f:
        assert "FAKE_VENDOR" not in f.read()
