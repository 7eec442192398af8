"""The guides in docs/ checked against what they describe.

- troubleshooting.md: every message it lists still exists in the sources;
- cri-o.md and kubernetes.md (CRI-O and Kubernetes are not installable here): the
  CRI-O runtime table uses only keys of crio.conf(5)'s `[crio.runtime.runtimes.*]`
  tables, and the RuntimeClass is a valid node.k8s.io/v1 object whose handler is the
  handler the containerd and CRI-O guides configure;
- links between the guides resolve.
(podman.md's containers.conf and containerd.md's handler are used verbatim by
test_podman.py and test_containerd.py.)
"""
import glob
import os
import re
import tomllib

import pytest

import engines
from conftest import REPO

DOCS = os.path.join(REPO, "docs")
# strerror texts husk appends after the message proper
ERRNO_TEXTS = ["No such file or directory", "Permission denied", "Invalid argument", "File exists",
               "Operation not permitted", "Device or resource busy", "Broken pipe"]


def source_text():
    """Every C string literal of the sources, adjacent literals joined, escapes undone."""
    text = ""
    for pattern in ("src/**/*.c", "libocispec/*.c", "rootless/**/*.c"):
        for path in glob.glob(os.path.join(REPO, pattern), recursive=True):
            with open(path) as f:
                text += f.read() + "\n"
    text = re.sub(r'"\s*\n\s*(L\s+)?"', "", text)  # "a "\n "b" -> "a b"
    return text.replace('\\"', '"')


def troubleshooting_messages():
    with open(os.path.join(DOCS, "troubleshooting.md")) as f:
        return re.findall(r"^### `husk: (.*)`$", f.read(), re.M)


def test_troubleshooting_messages_exist_in_sources():
    src = source_text()
    msgs = troubleshooting_messages()
    assert len(msgs) >= 40, msgs
    stale = []
    for msg in msgs:
        for piece in re.split(r"…|: |\(|`", msg):
            for errno_text in ERRNO_TEXTS:
                piece = piece.replace(errno_text, "")
            piece = piece.strip(" `")
            if len(piece) >= 4 and piece not in src:
                stale.append((msg, piece))
    assert not stale, "messages in docs/troubleshooting.md that the sources no longer have: %r" % stale


def test_troubleshooting_covers_the_common_errors():
    """The errors users meet first are all there (a list kept by hand)."""
    text = "\n".join(troubleshooting_messages())
    for frag in ["executable file not found in $PATH", "cannot raise", "oom_score_adj",
                 "no --console-socket was given", "does not exist", "already exists",
                 "that is not stopped", "container not running", "exited during setup",
                 "bind source", "config.json: No such file", "root.path", "needs a new uts namespace",
                 "built without libseccomp", "open state root"]:
        assert frag in text, frag


# CRI-O: the keys crio.conf(5) documents for [crio.runtime.runtimes.NAME]
CRIO_RUNTIME_KEYS = {
    "runtime_path", "runtime_type", "runtime_root", "runtime_config_path", "monitor_path",
    "monitor_cgroup", "monitor_env", "monitor_exec_cgroup", "privileged_without_host_devices",
    "allowed_annotations", "platform_runtime_paths", "default_annotations", "container_min_memory",
    "no_sync_log", "stream_websockets", "seccomp_profile", "inherit_default_runtime",
    "exec_cpu_affinity",
}
CRIO_RUNTIME_TYPES = {"oci", "vm", "pod"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def crio_handlers():
    conf = tomllib.loads(engines.doc_block("cri-o.md", "crio-handler"))
    return conf["crio"]["runtime"]


def containerd_handlers():
    conf = tomllib.loads(engines.doc_block("containerd.md", "containerd-handler"))
    return conf["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]


def test_crio_runtime_table_uses_documented_keys():
    runtime = crio_handlers()
    handlers = runtime["runtimes"]
    assert set(handlers) == {"husk"}
    for name, table in handlers.items():
        unknown = set(table) - CRIO_RUNTIME_KEYS
        assert not unknown, "keys crio.conf(5) does not define: %r" % unknown
        assert table["runtime_type"] in CRIO_RUNTIME_TYPES
        assert os.path.isabs(table["runtime_path"]) and os.path.isabs(table["runtime_root"])
        assert table["monitor_cgroup"] in ("pod", "system.slice") or table["monitor_cgroup"].endswith(".slice")
        assert DNS_LABEL.match(name)
    assert runtime["default_runtime"] in handlers


def test_containerd_handler_is_a_runc_v2_runtime():
    handlers = containerd_handlers()
    assert set(handlers) == {"husk"}
    assert handlers["husk"]["runtime_type"] == "io.containerd.runc.v2"
    assert os.path.isabs(handlers["husk"]["options"]["BinaryName"])


def test_runtimeclass_matches_the_handlers():
    yaml = pytest.importorskip("yaml")
    rc = yaml.safe_load(engines.doc_block("kubernetes.md", "runtimeclass"))
    assert rc["apiVersion"] == "node.k8s.io/v1" and rc["kind"] == "RuntimeClass", rc
    assert set(rc) <= {"apiVersion", "kind", "metadata", "handler", "overhead", "scheduling"}, rc
    assert DNS_LABEL.match(rc["metadata"]["name"]) and DNS_LABEL.match(rc["handler"]), rc
    assert rc["handler"] in containerd_handlers(), "containerd has no handler %r" % rc["handler"]
    assert rc["handler"] in crio_handlers()["runtimes"], "CRI-O has no handler %r" % rc["handler"]
    # every YAML example in the guide parses, and pods name the class
    with open(os.path.join(DOCS, "kubernetes.md")) as f:
        blocks = re.findall(r"```yaml\n(.*?)```", f.read(), re.S)
    docs = [yaml.safe_load(b) for b in blocks]
    pods = [d for d in docs if d.get("kind") == "Pod"]
    assert pods and all(p["spec"]["runtimeClassName"] == rc["metadata"]["name"] for p in pods)


PENDING = {"rootless.md": "branch rootless", "cdi.md": "branch cdi"}


def test_links_between_guides_resolve():
    missing = set()
    for path in glob.glob(os.path.join(DOCS, "*.md")):
        with open(path) as f:
            for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", f.read()):
                if not os.path.exists(os.path.join(DOCS, target)):
                    missing.add(target)
    assert missing <= set(PENDING), "broken links in docs/: %r" % (missing - set(PENDING))
    if missing:
        pytest.skip("guides not written yet: %s" % ", ".join("%s (%s)" % (m, PENDING[m]) for m in sorted(missing)))
