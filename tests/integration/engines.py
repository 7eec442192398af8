"""Shared helpers for the engine tests (test_podman.py, test_containerd.py).

The image both engines run is made offline from the busybox rootfs of tests/rootfs.sh:
an OCI image-layout tarball built here (for `ctr images import`) and a plain rootfs tar
(for `podman import`).
"""
import gzip
import hashlib
import io
import json
import os
import pty
import select
import shutil
import subprocess
import tarfile
import time

from conftest import mounts_under  # noqa: F401 - engines.mounts_under for the engine suites

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOTFS_SH = os.path.join(REPO, "tests", "rootfs.sh")

# The command an image runs when none is given (a pause-like process for CRI sandboxes).
IDLE_CMD = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]


def have(cmd):
    return shutil.which(cmd) is not None


def run(argv, timeout=60, check=False, **kw):
    """subprocess.run with text output captured; raises on timeout with the argv."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    if "input" not in kw:
        kw.setdefault("stdin", subprocess.DEVNULL)
    try:
        p = subprocess.run(argv, timeout=timeout, text=True, **kw)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("timed out after %ss: %r (out=%r err=%r)" % (timeout, argv, e.stdout, e.stderr))
    if check:
        assert p.returncode == 0, "%r -> %d\nout=%s\nerr=%s" % (argv, p.returncode, p.stdout, p.stderr)
    return p


def build_rootfs(dest):
    subprocess.run([ROOTFS_SH, dest], check=True)
    return dest


def rootfs_tar(rootfs):
    """An uncompressed tar of the rootfs (root-owned entries as on disk)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(os.listdir(rootfs)):
            t.add(os.path.join(rootfs, name), arcname=name)
    return buf.getvalue()


def _blob(tar, data, media):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
    return {"mediaType": media, "digest": "sha256:" + digest, "size": len(data)}


def write_oci_archive(path, rootfs, name, cmd=None):
    """An OCI image-layout tarball with one layer, named `name` (repo:tag) for ctr."""
    layer = rootfs_tar(rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    gz = gzip.compress(layer, mtime=0)
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": cmd or IDLE_CMD, "WorkingDir": "/"},
              "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
    with tarfile.open(path, "w") as t:
        lay = _blob(t, gz, "application/vnd.oci.image.layer.v1.tar+gzip")
        cfg = _blob(t, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cfg, "layers": [lay]}
        man = _blob(t, json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")
        man["annotations"] = {"io.containerd.image.name": name,
                              "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}
        for fname, doc in (("oci-layout", {"imageLayoutVersion": "1.0.0"}),
                           ("index.json", {"schemaVersion": 2, "manifests": [man]})):
            data = json.dumps(doc).encode()
            info = tarfile.TarInfo(fname)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path


def pty_run(argv, env=None, timeout=60):
    """Run argv with a pty as its stdio (as from a terminal); returns (rc, output)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    out = b""
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    data = b""
                if not data:
                    break
                out += data
            elif p.poll() is not None:
                break
        p.wait(timeout=max(1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError("timed out: %r, output %r" % (argv, out))
    finally:
        os.close(master)
    return p.returncode, out.decode(errors="replace").replace("\r\n", "\n")


# --------------------------------------------------------------------------------------
# leak checks shared by both engines


def husk_state_entries(root):
    try:
        return set(os.listdir(root))
    except FileNotFoundError:
        return set()


def umount_all_under(path):
    for mp in sorted(mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)


def cgroup_dirs_named(name_part, roots=("/sys/fs/cgroup",), depth=4):
    res = []
    for root in roots:
        base = root.rstrip("/").count("/")
        for dirpath, dirnames, _ in os.walk(root):
            if name_part in os.path.basename(dirpath):
                res.append(dirpath)
            if dirpath.count("/") - base >= depth:
                dirnames[:] = []
    return res


def rmdir_cgroup_tree(name):
    """Remove /sys/fs/cgroup/*/NAME (a parent cgroup the tests made) bottom-up; only empty
    cgroups go (rmdir fails on a busy one)."""
    for top in [os.path.join("/sys/fs/cgroup", c, name.strip("/")) for c in os.listdir("/sys/fs/cgroup")]:
        if not os.path.isdir(top):
            continue
        for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def wait_for(pred, timeout=10.0, what="condition"):
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


# --------------------------------------------------------------------------------------
# configuration blocks in docs/*.md that the tests use or check


def doc_block(doc, name):
    """The fenced code block after `<!-- tested: NAME ... -->` in docs/DOC."""
    import re
    with open(os.path.join(REPO, "docs", doc)) as f:
        text = f.read()
    m = re.search(r"<!-- tested: %s\b[^>]*-->\s*```[a-z]*\n(.*?)```" % re.escape(name), text, re.S)
    assert m, "docs/%s has no block marked `tested: %s`" % (doc, name)
    return m.group(1)
