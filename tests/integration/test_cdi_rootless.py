"""CDI as a real unprivileged user (husk run through setpriv, as in
test_rootless.py, whose users and helpers this module reuses): device nodes
are bind-mounted from the spec's hostPath, the spec's mounts, env and
createContainer hook apply, and nothing is left behind."""
import json
import os
import subprocess

import pytest

try:
    from test_rootless import asuser, users, rootless_bundle  # noqa: F401 (fixtures)
except ImportError:
    pytest.skip("rootless support (tests/integration/test_rootless.py) is not in this tree",
                allow_module_level=True)

from test_cdi import HOOK

pytestmark = pytest.mark.husk_only


def spec_dir(ctx):
    d = os.path.join(ctx.dir, "cdi-rootless")
    out = os.path.join(d, "out")
    os.makedirs(out)
    os.chmod(d, 0o755)
    os.chmod(out, 0o777)  # the hook runs as the user
    info = os.path.join(d, "info.txt")
    with open(info, "w") as f:
        f.write("fake sensor v1\n")
    hook = os.path.join(d, "hook.py")
    with open(hook, "w") as f:
        f.write(HOOK)
    os.chmod(hook, 0o755)
    spec = {"cdiVersion": "0.5.0", "kind": "example.com/dev",
            "devices": [{"name": "fake0", "containerEdits": {
                "deviceNodes": [{"path": "/dev/fake0", "hostPath": "/dev/null", "permissions": "rw"}],
                "env": ["FAKE_DEVICE=0"]}}],
            "containerEdits": {
                "env": ["FAKE_VENDOR=example.com"],
                "mounts": [{"hostPath": info, "containerPath": "/etc/fake/info.txt",
                            "options": ["ro", "nosuid", "nodev", "rbind"]}],
                "hooks": [{"hookName": "createContainer", "path": hook, "args": ["hook.py", "x"],
                           "env": ["HOOK_OUT=" + out]}]}}
    path = os.path.join(d, "fake.json")
    with open(path, "w") as f:
        json.dump(spec, f)
    os.chmod(path, 0o644)  # readers need only read access
    return d, out


def test_rootless_cdi_device(ctx, asuser):
    d, out = spec_dir(ctx)
    bundle, cfg = rootless_bundle(ctx, asuser, script=(
        "id -u; stat -c '%F %t:%T' /dev/fake0; grep -c ' /dev/fake0 ' /proc/self/mountinfo;"
        " echo hi > /dev/fake0 && echo wrote; cat /etc/fake/info.txt; echo $FAKE_VENDOR $FAKE_DEVICE"))
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(cfg, f)
    # the user's own image (the spec's mount point /etc/fake is made inside it)
    subprocess.run(["chown", "-R", "-h", "%d:%d" % (asuser.pw.pw_uid, asuser.pw.pw_gid),
                    os.path.join(bundle, "rootfs")], check=True)
    cid = asuser.new_id()
    r = asuser("--cdi-spec-dir", d, "run", "--bundle", bundle, "--device", "example.com/dev=fake0", cid)
    assert r.rc == 0, r
    assert r.out.splitlines() == ["0", "character special file 1:3", "1", "wrote", "fake sensor v1",
                                  "example.com 0"], r.out
    with open(os.path.join(out, "hooks.jsonl")) as f:
        [h] = [json.loads(l) for l in f]
    assert h["env"] == {"HOOK_OUT": out} and h["state"]["status"] == "creating"
    assert h["fake0"] == [True, 1, 3] and h["info"] == "fake sensor v1\n"
    assert not asuser.leftovers()


def test_rootless_unreadable_spec_is_reported(ctx, asuser):
    d, _ = spec_dir(ctx)
    os.chmod(os.path.join(d, "fake.json"), 0o600)
    r = asuser("--cdi-spec-dir", d, "cdi", "list")
    assert r.rc == 0, r
    assert "fake.json: read: Permission denied" in r.out, r.out
    bundle, cfg = rootless_bundle(ctx, asuser, script="echo RAN")
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(cfg, f)
    cid = asuser.new_id()
    r = asuser("--cdi-spec-dir", d, "run", "--bundle", bundle, "--device", "example.com/dev=fake0", cid)
    assert r.rc != 0 and "RAN" not in r.out
    assert "unresolvable CDI devices example.com/dev=fake0" in r.err and "see `husk cdi list`" in r.err, r
    assert not asuser.leftovers()
