"""Helpers for the cgroup tests: a pure cgroup v2 view in a private mount
namespace (machine.md: cgroup2 mounted over /sys/fs/cgroup, the same unified
hierarchy the host shows at /sys/fs/cgroup/unified), the eBPF device programs
attached to a cgroup (BPF_PROG_QUERY through ctypes), and the list of every
cgroup directory husk could have made."""
import ctypes
import os
import struct
import subprocess

from conftest import CGROUP_ROOT

UNIFIED = os.path.join(CGROUP_ROOT, "unified")


def read(path):
    with open(path) as f:
        return f.read().strip()


def v2_shell(rt, workdir, script, timeout=60):
    """Runs `sh -c script` where /sys/fs/cgroup is a cgroup2 mount; $H is the
    runtime with the session's --root. stdout/stderr go to files (a created
    container keeps the caller's stdio open)."""
    full = ("umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 99\n"
            + script)
    env = dict(os.environ, H="%s --root %s" % (rt.path, rt.root))
    out_p, err_p = os.path.join(workdir, "v2.out"), os.path.join(workdir, "v2.err")
    with open(out_p, "wb") as o, open(err_p, "wb") as e:
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", full],
                           stdin=subprocess.DEVNULL, stdout=o, stderr=e, timeout=timeout, env=env)
    with open(out_p) as o, open(err_p) as e:
        return p.returncode, o.read(), e.read()


def host_v2_dir(path):
    """Host directory of a v2 cgroup path ("/husk/ID") seen in the v2 view."""
    base = UNIFIED if os.path.exists(os.path.join(UNIFIED, "cgroup.procs")) else CGROUP_ROOT
    return base + path


_SYS_bpf = 321  # x86_64
_BPF_PROG_QUERY = 16
_BPF_CGROUP_DEVICE = 6


def device_programs(cgdir):
    """Ids of the BPF_CGROUP_DEVICE programs attached to cgdir itself."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(cgdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        ids = (ctypes.c_uint32 * 64)()
        # union bpf_attr.query: target_fd, attach_type, query_flags,
        # attach_flags, prog_ids (u64), prog_cnt
        attr = ctypes.create_string_buffer(struct.pack(
            "IIIIQI", fd, _BPF_CGROUP_DEVICE, 0, 0, ctypes.addressof(ids), 64), 128)
        r = libc.syscall(_SYS_bpf, _BPF_PROG_QUERY, attr, 128)
        if r < 0:
            raise OSError(ctypes.get_errno(), "BPF_PROG_QUERY " + cgdir)
        n = struct.unpack_from("I", attr.raw, 24)[0]
        return list(ids[:n])
    finally:
        os.close(fd)


def husk_cgroup_dirs(marker):
    """Every cgroup directory, in every hierarchy (each v1 controller and the
    unified tree), at any depth, whose path carries marker."""
    found = []
    for dirpath, _, _ in os.walk(CGROUP_ROOT):
        if marker in dirpath:
            found.append(dirpath)
    return sorted(found)


def extra_v1_shell(rt, workdir, script, ctrls, timeout=60):
    """Runs `sh -c script` in a private mount namespace where the host's
    hierarchies are bound over a fresh tmpfs at /sys/fs/cgroup plus new v1
    hierarchies for ctrls (controllers this host leaves unmounted, e.g.
    net_cls). The new hierarchies vanish with the namespace once the script
    has removed its cgroups (it must). $H is the runtime."""
    setup = ["save=$(mktemp -d) && mount --rbind %s \"$save\" || exit 99" % CGROUP_ROOT,
             "mount -t tmpfs -o mode=755 cgroup %s || exit 99" % CGROUP_ROOT,
             'for h in $(ls "$save"); do mkdir %s/$h && mount --rbind "$save/$h" %s/$h '
             "|| exit 99; done" % (CGROUP_ROOT, CGROUP_ROOT),
             'umount -l "$save"; rmdir "$save"']
    for c in ctrls:
        setup.append("mkdir %s/%s && mount -t cgroup -o %s none %s/%s || exit 98"
                     % (CGROUP_ROOT, c, c, CGROUP_ROOT, c))
    env = dict(os.environ, H="%s --root %s" % (rt.path, rt.root))
    out_p, err_p = os.path.join(workdir, "x.out"), os.path.join(workdir, "x.err")
    with open(out_p, "wb") as o, open(err_p, "wb") as e:
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "\n".join(setup) + "\n" + script],
                           stdin=subprocess.DEVNULL, stdout=o, stderr=e, timeout=timeout, env=env)
    with open(out_p) as o, open(err_p) as e:
        return p.returncode, o.read(), e.read()
