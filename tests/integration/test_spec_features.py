"""spec (runc's default config.json, root and rootless) and features
(runtime-spec features.md; cli-contract.md 3.6, 4.2, 6.4)."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import REPO, is_husk
from test_console import ConsoleServer, read_all

SCHEMA_DIR = os.environ.get("HUSK_SPEC_SCHEMA_DIR", "/work/shared/reference/oci-runtime-spec/schema")


def validate(doc, schema_file):
    jsonschema = pytest.importorskip("jsonschema")
    path = os.path.join(SCHEMA_DIR, schema_file)
    if not os.path.exists(path):
        pytest.skip("schema %s not available" % path)
    with open(path) as f:
        schema = json.load(f)
    resolver = jsonschema.RefResolver(base_uri="file://" + SCHEMA_DIR + "/", referrer=schema)
    jsonschema.Draft4Validator(schema, resolver=resolver).validate(doc)


# --- features -----------------------------------------------------------------

@pytest.fixture
def features(rt):
    r = rt("features", root=False)
    assert r.rc == 0, r
    assert r.err == ""  # CRI-O merges stdout and stderr
    return json.loads(r.out)


def test_features_schema(features):
    validate(features, "features-schema.json")


def test_features_versions(features):
    assert features["ociVersionMin"] == "1.0.0"
    assert features["ociVersionMax"] == "1.2.1"


def test_features_namespaces_and_caps(features):
    ns = set(features["linux"]["namespaces"])
    assert ns >= {"cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time"}
    caps = features["linux"]["capabilities"]
    assert "CAP_SYS_ADMIN" in caps and "CAP_CHECKPOINT_RESTORE" in caps
    assert len(caps) == len(set(caps))


def test_features_mount_options(features):
    opts = features["mountOptions"]
    for o in ("rro", "rbind", "ro", "nosuid", "tmpcopyup", "idmap"):
        assert o in opts


def test_features_linux_sections(features):
    l = features["linux"]
    assert l["cgroup"]["v1"] is True and l["cgroup"]["v2"] is True
    assert isinstance(l["cgroup"]["systemd"], bool)
    assert l["mountExtensions"]["idmap"]["enabled"] is False
    assert isinstance(l["apparmor"]["enabled"], bool)
    assert isinstance(l["selinux"]["enabled"], bool)
    if l["seccomp"]["enabled"]:
        assert "SCMP_ACT_ERRNO" in l["seccomp"]["actions"]
        assert "SCMP_CMP_MASKED_EQ" in l["seccomp"]["operators"]
        assert "SCMP_ARCH_X86_64" in l["seccomp"]["archs"]


@pytest.mark.husk_only
def test_features_match_build(features):
    with open(os.path.join(REPO, "config.h")) as f:
        cfg = f.read()
    l = features["linux"]
    assert l["seccomp"]["enabled"] == ("#define HAVE_SECCOMP 1" in cfg)
    assert l["cgroup"]["systemd"] == ("#define HAVE_SYSTEMD 1" in cfg)
    assert l["selinux"]["enabled"] == ("#define HAVE_SELINUX 1" in cfg)
    assert l["apparmor"]["enabled"] == ("#define HAVE_APPARMOR 1" in cfg)
    assert "io.github.husk.version" in features["annotations"]


def test_features_hooks(features):
    assert set(features["hooks"]) == {"prestart", "createRuntime", "createContainer", "startContainer",
                                      "poststart", "poststop"}


# --- spec ---------------------------------------------------------------------

def make_spec(ctx, rt, *args, name="specb"):
    d = os.path.join(ctx.dir, name)
    os.makedirs(d)
    r = rt("spec", "--bundle", d, *args, root=False)
    assert r.rc == 0, r
    with open(os.path.join(d, "config.json")) as f:
        return d, json.load(f)


def test_spec_default(ctx, rt):
    d, spec = make_spec(ctx, rt)
    validate(spec, "config-schema.json")
    assert spec["process"]["terminal"] is True
    assert spec["process"]["args"] == ["sh"]
    assert spec["root"]["path"] == "rootfs"
    types = [n["type"] for n in spec["linux"]["namespaces"]]
    assert set(types) == {"pid", "network", "ipc", "uts", "mount", "cgroup"}
    assert "resources" in spec["linux"]


def test_spec_in_cwd(ctx, rt):
    d = os.path.join(ctx.dir, "cwdspec")
    os.makedirs(d)
    assert rt("spec", root=False, cwd=d).rc == 0
    assert os.path.exists(os.path.join(d, "config.json"))


def test_spec_refuses_overwrite(ctx, rt):
    d, _ = make_spec(ctx, rt)
    with open(os.path.join(d, "config.json"), "w") as f:
        f.write("keep me")
    r = rt("spec", "--bundle", d, root=False)
    assert r.rc != 0
    assert "exists. Remove it first" in r.err
    with open(os.path.join(d, "config.json")) as f:
        assert f.read() == "keep me"


def test_spec_rootless(ctx, rt):
    d, spec = make_spec(ctx, rt, "--rootless")
    validate(spec, "config-schema.json")
    types = [n["type"] for n in spec["linux"]["namespaces"]]
    assert "user" in types and "network" not in types
    assert spec["linux"]["uidMappings"] == [{"containerID": 0, "hostID": os.getuid(), "size": 1}]
    assert spec["linux"]["gidMappings"] == [{"containerID": 0, "hostID": os.getgid(), "size": 1}]
    assert "resources" not in spec["linux"]
    sysm = [m for m in spec["mounts"] if m["destination"] == "/sys"][0]
    assert "rbind" in sysm["options"] and sysm["source"] == "/sys"
    for m in spec["mounts"]:
        assert not any(o.startswith(("gid=", "uid=")) for o in m.get("options", [])), m


def _run_spec_bundle(ctx, rt, d, cid, sock_name):
    subprocess.run(["cp", "-a", ctx.rootfs_master, os.path.join(d, "rootfs")], check=True)
    sock = os.path.join(ctx.dir, sock_name)
    srv = ConsoleServer(sock)
    try:
        r = rt("create", "--bundle", d, "--console-socket", sock, cid)
        if r.rc != 0:
            return r, ""
        _, master = srv.receive()
        try:
            assert rt.start(cid).rc == 0
            os.write(master, b"echo spec-ok-$((40+2)); exit\n")
            out = read_all(master, timeout=10)
        finally:
            os.close(master)
        rt.wait_status(cid, "stopped")
        return r, out
    finally:
        srv.close()


def test_spec_output_runs_unchanged(ctx, rt):
    d, _ = make_spec(ctx, rt, name="runspec")
    cid = ctx.new_id()
    r, out = _run_spec_bundle(ctx, rt, d, cid, "s1.sock")
    assert r.rc == 0, r
    assert "spec-ok-42" in out
    assert rt.delete(cid).rc == 0


def test_spec_output_without_cgroup_mount_runs(ctx, rt):
    """Everything else in the default spec is accepted (the cgroup mount aside)."""
    d, spec = make_spec(ctx, rt, name="runspec2")
    spec["mounts"] = [m for m in spec["mounts"] if m["destination"] != "/sys/fs/cgroup"]
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(spec, f)
    cid = ctx.new_id()
    r, out = _run_spec_bundle(ctx, rt, d, cid, "s3.sock")
    assert r.rc == 0, r
    assert "spec-ok-42" in out
    assert rt.delete(cid).rc == 0


def test_spec_rootless_output_runs_unchanged(ctx, rt):
    d, _ = make_spec(ctx, rt, "--rootless", name="runrootless")
    cid = ctx.new_id()
    r, out = _run_spec_bundle(ctx, rt, d, cid, "s2.sock")
    assert r.rc == 0, r
    assert "spec-ok-42" in out
    assert rt.delete(cid).rc == 0


# --- checkpoint / restore probes --------------------------------------------

def test_checkpoint_restore_missing_container(ctx, rt):
    """runc's flags are accepted; the missing container is what fails
    (checkpoint/restore themselves: test_checkpoint.py)."""
    r = rt("checkpoint", "--image-path", ctx.dir, "--leave-running", "--tcp-established", ctx.marker)
    assert r.rc != 0
    if is_husk():
        assert "does not exist" in r.err, r
    r = rt("restore", "--lsm-mount-context=x", "--bundle", ctx.dir, "-d", ctx.marker)
    assert r.rc != 0
