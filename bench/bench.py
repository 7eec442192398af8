#!/usr/bin/python3
"""husk, crun and runc side by side (issue 10). Started by bench/run, which
installs what is missing, builds the bundle and the `measure` helper, and puts
us in a private mount namespace (unshare -m --propagation private).

Every figure interleaves the runtimes (A B C A B C ..., the order rotated each
iteration) so that load from other work on the machine hits all of them alike.
Each sample is one command timed by bench/measure (fork to reap, peak RSS from
wait4), so Python's own overhead is outside every number.

cgroups: crun refuses this hybrid host ("drop all controllers from cgroupv2").
So we unmount the host's cgroup trees in our private mount namespace and mount
cgroup2 alone at /sys/fs/cgroup, and run husk and crun with
--cgroup-manager=disabled (runc has no such option: it creates its cgroup in
that cgroup2 tree and removes it on delete). The memory charged to a
container's cgroup needs a memory controller, which this host only has on v1:
that one figure runs first, in a pure v1 view (the unified tree unmounted) in
which every runtime, crun included, manages a real cgroup.
"""
import argparse
import ctypes
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PR_SET_CHILD_SUBREAPER = 36

# ---------------------------------------------------------------- statistics


def pct(xs, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def summary(xs):
    if not xs:
        return None
    return {"n": len(xs), "median": pct(xs, 50), "p10": pct(xs, 10), "p90": pct(xs, 90),
            "min": min(xs), "max": max(xs), "sum": sum(xs)}


# ---------------------------------------------------------------- running things


class Bench:
    def __init__(self, args):
        self.a = args
        self.work = args.workdir
        self.measure = os.path.join(self.work, "measure")
        self.prefix = "hb%d" % os.getpid()
        self.errdir = os.path.join(self.work, "err")
        os.makedirs(self.errdir, exist_ok=True)
        self.failures = {}  # (figure, runtime) -> [first error, count]
        self.results = {"figures": {}, "notes": [], "load": []}
        self.rts = {}
        for name in args.runtimes:
            name, _, path = name.partition("=")  # NAME=PATH: another build, e.g. husk-old=...
            path = path or (args.husk if name == "husk" else shutil.which(name))
            if path:
                self.rts[name] = path
            else:
                self.note("%s: not installed, left out" % name)
        self.env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "LC_ALL": "C"}

    def note(self, msg):
        self.results["notes"].append(msg)
        print("note: " + msg, flush=True)

    def argv(self, rt, root, *cmd, cgroups=False):
        """The runtime's command line. cgroups=False: --cgroup-manager=disabled
        where the runtime has it."""
        base = [self.rts[rt]]
        if not cgroups and (rt.startswith("husk") or rt == "crun"):
            base.append("--cgroup-manager=disabled")
        return base + ["--root", root] + list(cmd)

    def measure_one(self, argv, fig, rt, uid=None, env=None, check=True):
        """Runs argv under bench/measure. Returns (ms, rc, maxrss KiB, CPU ms)."""
        err = os.path.join(self.errdir, "%s-%s" % (fig, rt))
        cmd = [self.measure, "-e", err]
        if uid is not None:
            cmd += ["-u", "%d:%d" % uid]
        out = subprocess.run(cmd + ["--"] + argv, stdout=subprocess.PIPE, env=env or self.env,
                             check=True).stdout.split()
        ns, rc, rss, cpu = int(out[0]), int(out[1]), int(out[2]), int(out[3])
        if rc != 0 and check:
            self.fail(fig, rt, err, rc)
        return ns / 1e6, rc, rss, cpu / 1e6

    def fail(self, fig, rt, errfile, rc):
        try:
            with open(errfile, errors="replace") as f:
                msg = f.read().strip().splitlines()
        except OSError:
            msg = []
        text = "exit %d: %s" % (rc, msg[-1] if msg else "(no message)")
        ent = self.failures.setdefault((fig, rt), [text, 0])
        ent[1] += 1

    def reap_orphans(self):
        """Orphaned container processes come to us (we are a subreaper)."""
        n = 0
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return n
            if pid == 0:
                return n
            n += 1

    def wait_pid(self, pid, timeout=10.0):
        """Waits for a container init that was reparented to us."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                r, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return True  # not ours (already gone)
            if r == pid:
                return True
            time.sleep(0.0005)
        return False

    def load(self, what):
        la = os.getloadavg()
        self.results["load"].append({"at": what, "load": la})
        return la

    def order(self, names, i):
        k = i % len(names)
        return names[k:] + names[:k]

    def record(self, fig, rt, key, value):
        self.results["figures"].setdefault(fig, {}).setdefault(rt, {}).setdefault(key, []).append(value)

    def root(self, rt, kind="root"):
        d = os.path.join(self.work, "state", kind, rt)
        os.makedirs(d, exist_ok=True)
        return d

    # ------------------------------------------------------------ bundles

    def write_bundle(self, name, args, rootless_uid=None, cgroups_path=None, namespaces=None):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        cfg = base_config(os.path.join(self.work, "bundle", "rootfs"), args)
        if namespaces is not None:
            cfg["linux"]["namespaces"] = [{"type": t} for t in namespaces]
        if rootless_uid is not None:
            make_rootless(cfg, rootless_uid)
        if cgroups_path:
            cfg["linux"]["cgroupsPath"] = cgroups_path
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        return d

    # ------------------------------------------------------------ views

    def sh(self, *cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def view_v1(self):
        """The host's v1 hierarchies without the unified one: crun's legacy mode."""
        if os.path.ismount("/sys/fs/cgroup/unified"):
            self.sh("umount", "/sys/fs/cgroup/unified")

    def view_v2(self):
        self.sh("umount", "-R", "/sys/fs/cgroup")
        self.sh("mount", "-t", "cgroup2", "none", "/sys/fs/cgroup")

    # ------------------------------------------------------------ leak checks

    def snapshot(self):
        mounts = 0
        with open("/proc/self/mountinfo") as f:
            for line in f:
                if self.work in line:
                    mounts += 1
        cgroups = []
        for top, dirs, _ in os.walk("/sys/fs/cgroup"):
            if top.count("/") > 6:
                dirs[:] = []
                continue
            cgroups += [os.path.join(top, d) for d in dirs if self.prefix in d]
        return {"mounts": mounts, "cgroups": sorted(cgroups)}

    def leaks(self, before, root):
        now = self.snapshot()
        out = []
        left = [d for d in os.listdir(root)] if os.path.isdir(root) else []
        if left:
            out.append("%d state dirs" % len(left))
        if now["mounts"] > before["mounts"]:
            out.append("%d mounts" % (now["mounts"] - before["mounts"]))
        new_cg = set(now["cgroups"]) - set(before["cgroups"])
        if new_cg:
            out.append("%d cgroups" % len(new_cg))
        orphans = self.reap_orphans()
        alive = children_of(os.getpid())
        if orphans or alive:
            out.append("%d processes (%s)" % (orphans + len(alive),
                                              " ".join(cmdline(p) for p in alive) or "reaped"))
        return out

    def cleanup(self, rt, root, ids):
        for cid in ids:
            subprocess.run(self.argv(rt, root, "delete", "--force", cid), env=self.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.reap_orphans()

    # ------------------------------------------------------------ figures

    def fig_run(self):
        """1. sequential run of /bin/true, plus the unshare floor."""
        self.run_figure("run", self.write_bundle("bundle", ["/bin/true"]),
                        ["unshare", "-f", "-m", "-p", "-i", "-u", "-n", "/bin/true"],
                        self.a.iterations, "r")

    def fig_nonet(self):
        """7. the same without a network namespace (the costliest one to make)."""
        self.run_figure("run-nonet",
                        self.write_bundle("bundle-nonet", ["/bin/true"],
                                          namespaces=("pid", "ipc", "uts", "mount")),
                        ["unshare", "-f", "-m", "-p", "-i", "-u", "/bin/true"],
                        self.a.iterations, "n")

    def fig_cold(self):
        """8. run with a cold page cache: caches dropped before every sample, so
        the runtime's binary, its libraries and the container's program are
        read from disk (the first container after boot or after memory pressure)."""
        def drop():
            os.sync()
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3")
        self.run_figure("run-cold", self.write_bundle("bundle-cold", ["/bin/true"]),
                        ["unshare", "-f", "-m", "-p", "-i", "-u", "-n", "/bin/true"],
                        self.a.cold, "c", before=drop)

    def run_figure(self, fig, bundle, floor, n, tag, before=None):
        names = list(self.rts) + ["floor"]
        self.load(fig + ":start")
        for i in range(n):
            for rt in self.order(names, i):
                if before:
                    before()
                if rt == "floor":
                    ms, rc, rss, cpu = self.measure_one(floor, fig, rt)
                else:
                    root = self.root(rt)
                    cid = "%s-%s%d" % (self.prefix, tag, i)
                    ms, rc, rss, cpu = self.measure_one(
                        self.argv(rt, root, "run", "-b", bundle, cid), fig, rt)
                    if rc:
                        self.cleanup(rt, root, [cid])
                if rc == 0:
                    self.record(fig, rt, "ms", ms)
                    self.record(fig, rt, "rss", rss)
                    self.record(fig, rt, "cpu", cpu)
        self.load(fig + ":end")

    def fig_split(self):
        """2. the same split into create / start / delete."""
        n = self.a.iterations
        bundle = os.path.join(self.work, "bundle")
        pidfile = os.path.join(self.work, "split.pid")
        names = list(self.rts)
        self.load("split:start")
        for i in range(n):
            for rt in self.order(names, i):
                root = self.root(rt)
                cid = "%s-s%d" % (self.prefix, i)
                if os.path.exists(pidfile):
                    os.unlink(pidfile)
                c = self.measure_one(self.argv(rt, root, "create", "-b", bundle, "--pid-file",
                                               pidfile, cid), "create", rt)
                if c[1]:
                    self.cleanup(rt, root, [cid])
                    continue
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                s = self.measure_one(self.argv(rt, root, "start", cid), "start", rt)
                if s[1] == 0:
                    self.wait_pid(pid)
                d = self.measure_one(self.argv(rt, root, "delete", cid), "delete", rt)
                if s[1] or d[1]:
                    self.cleanup(rt, root, [cid])
                    continue
                for key, v in (("create", c), ("start", s), ("delete", d)):
                    self.record(key, rt, "ms", v[0])
                    self.record(key, rt, "rss", v[2])
                self.record("create+start+delete", rt, "ms", c[0] + s[0] + d[0])
                self.record("create+start+delete", rt, "cpu", c[3] + s[3] + d[3])
        self.load("split:end")

    def fig_exec(self):
        """3. sequential exec of /bin/true into a running container."""
        n = self.a.execs
        bundle = self.write_bundle("bundle-sleep", ["/bin/sleep", "100000"])
        pidfile = os.path.join(self.work, "exec.pid")
        running = {}
        for rt in list(self.rts):
            root = self.root(rt)
            cid = "%s-x" % self.prefix
            if os.path.exists(pidfile):
                os.unlink(pidfile)
            argv = self.argv(rt, root, "run", "-d", "-b", bundle, "--pid-file", pidfile, cid)
            if self.measure_one(argv, "exec-setup", rt)[1] == 0:
                with open(pidfile) as f:
                    running[rt] = (root, cid, int(f.read().strip()))
            else:
                self.cleanup(rt, root, [cid])
        self.load("exec:start")
        names = list(running)
        for i in range(n):
            for rt in self.order(names, i):
                root, cid, _ = running[rt]
                ms, rc, rss, cpu = self.measure_one(
                    self.argv(rt, root, "exec", cid, "/bin/true"), "exec", rt)
                if rc == 0:
                    self.record("exec", rt, "ms", ms)
                    self.record("exec", rt, "rss", rss)
                    self.record("exec", rt, "cpu", cpu)
        self.load("exec:end")
        for rt, (root, cid, pid) in running.items():
            subprocess.run(self.argv(rt, root, "kill", cid, "KILL"), env=self.env,
                           stderr=subprocess.DEVNULL)
            self.wait_pid(pid)
            subprocess.run(self.argv(rt, root, "delete", "--force", cid), env=self.env,
                           stderr=subprocess.DEVNULL)

    def fig_concurrent(self):
        """4. N containers started at once; throughput, then no leaks."""
        n, rounds = self.a.concurrent, self.a.rounds
        bundle = os.path.join(self.work, "bundle")
        names = list(self.rts)
        self.load("concurrent:start")
        for r in range(rounds):
            for rt in self.order(names, r):
                root = self.root(rt, "root-concurrent")
                stray = self.reap_orphans()
                if stray:
                    self.note("%d orphaned process(es) reaped before the %s batch" % (stray, rt))
                before = self.snapshot()
                cid = "%s-c%d-{}" % (self.prefix, r)
                err = os.path.join(self.errdir, "concurrent-%s" % rt)
                out = subprocess.run([self.measure, "-j", str(n), "-e", err, "--"] +
                                     self.argv(rt, root, "run", "-b", bundle, cid),
                                     stdout=subprocess.PIPE, env=self.env, check=True).stdout.split()
                ms, failed = int(out[0]) / 1e6, int(out[1])
                if failed:
                    for j in range(n):
                        if os.path.getsize("%s.%d" % (err, j)):
                            self.fail("concurrent", rt, "%s.%d" % (err, j), 1)
                            break
                    self.failures[("concurrent", rt)][1] = failed
                    self.cleanup(rt, root, [cid.replace("{}", str(j)) for j in range(n)])
                self.record("concurrent", rt, "ms", ms)
                self.record("concurrent", rt, "per_s", (n - failed) / (ms / 1000.0))
                self.record("concurrent", rt, "failed", failed)
                self.record("concurrent", rt, "leaks", self.leaks(before, root))
        self.load("concurrent:end")

    def fig_memory(self):
        """5b. memory charged to the container's cgroup (v1 memory controller)."""
        n = self.a.memory
        names = list(self.rts)
        pidfile = os.path.join(self.work, "mem.pid")
        bundles, cgdirs = {}, {}
        for rt in names:
            path = "/%s-mem-%s" % (self.prefix, rt)
            bundles[rt] = self.write_bundle("bundle-mem-" + rt, ["/bin/true"], cgroups_path=path)
            cgdirs[rt] = "/sys/fs/cgroup/memory" + path
        # a pure v2 host has memory.current/memory.peak where v1 has usage/max_usage
        v2 = not os.path.isdir("/sys/fs/cgroup/memory")
        if v2:
            cgdirs = {rt: d.replace("/memory/", "/", 1) for rt, d in cgdirs.items()}
        usage, peak_file = (("memory.current", "memory.peak") if v2 else
                            ("memory.usage_in_bytes", "memory.max_usage_in_bytes"))
        self.load("memory:start")
        for i in range(n):
            for rt in self.order(names, i):
                root = self.root(rt, "root-memory")
                cid = "%s-m%d" % (self.prefix, i)
                if os.path.exists(pidfile):
                    os.unlink(pidfile)
                c = self.measure_one(self.argv(rt, root, "create", "-b", bundles[rt],
                                               "--pid-file", pidfile, cid, cgroups=True),
                                     "memory", rt)
                if c[1]:
                    self.cleanup(rt, root, [cid])
                    continue
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                created = read_int(os.path.join(cgdirs[rt], usage))
                s = self.measure_one(self.argv(rt, root, "start", cid, cgroups=True), "memory", rt)
                if s[1] == 0:
                    self.wait_pid(pid)
                peak = read_int(os.path.join(cgdirs[rt], peak_file))
                d = self.measure_one(self.argv(rt, root, "delete", cid, cgroups=True), "memory", rt)
                if s[1] or d[1]:
                    self.cleanup(rt, root, [cid])
                    continue
                if created is not None:
                    self.record("cgroup-mem", rt, "created_kib", created / 1024.0)
                if peak is not None:
                    self.record("cgroup-mem", rt, "peak_kib", peak / 1024.0)
        self.load("memory:end")

    def fig_rootless(self):
        """6. rootless run as an unprivileged user."""
        n = self.a.rootless
        uid = (65534, 65534)  # nobody:nogroup
        xdg = os.path.join(self.work, "state", "xdg")
        os.makedirs(xdg, exist_ok=True)
        os.chown(xdg, *uid)
        os.chmod(xdg, 0o700)
        env = dict(self.env, XDG_RUNTIME_DIR=xdg, HOME=xdg)
        bundle = self.write_bundle("bundle-rootless", ["/bin/true"], rootless_uid=uid)
        floor = ["unshare", "-U", "-r", "-f", "-m", "-p", "-i", "-u", "-n", "/bin/true"]
        names, usable = list(self.rts) + ["floor"], []
        # one try each first: a runtime without rootless support is reported, not timed
        for rt in names:
            argv = floor if rt == "floor" else \
                self.argv(rt, os.path.join(xdg, rt), "run", "-b", bundle, "%s-u" % self.prefix)
            rc = self.measure_one(argv, "rootless", rt, uid=uid, env=env, check=False)[1]
            if rc == 0:
                usable.append(rt)
            else:
                err = os.path.join(self.errdir, "rootless-" + rt)
                with open(err, errors="replace") as f:
                    lines = f.read().strip().splitlines()
                self.record("rootless", rt, "unavailable", lines[-1] if lines else "exit %d" % rc)
                if rt != "floor":
                    self.cleanup_as(rt, os.path.join(xdg, rt), "%s-u" % self.prefix, uid, env)
        # a husk binary the user owns, as under ~/bin: the CVE-2019-5736 guard
        # re-executes it from a read-only mount made in a helper user namespace,
        # or (HUSK_FAULT) from a sealed memfd copy, as where that is refused
        userbin = {}
        if "husk" in usable:
            own = os.path.join(self.work, "husk-userbin")
            shutil.copy2(self.rts["husk"], own)
            os.chown(own, *uid)
            os.chmod(own, 0o755)
            userbin = {"husk-userbin": (own, env),
                       "husk-userbin-memfd": (own, dict(env, HUSK_FAULT="exe-guard:no-userns"))}
        self.load("rootless:start")
        for i in range(n):
            for rt in self.order(usable + list(userbin), i):
                cid = "%s-u%d" % (self.prefix, i)
                rt_env = env
                if rt in userbin:
                    path, rt_env = userbin[rt]
                    argv = [path, "--cgroup-manager=disabled", "--root", os.path.join(xdg, rt),
                            "run", "-b", bundle, cid]
                else:
                    argv = floor if rt == "floor" else \
                        self.argv(rt, os.path.join(xdg, rt), "run", "-b", bundle, cid)
                ms, rc, rss, _ = self.measure_one(argv, "rootless", rt, uid=uid, env=rt_env)
                if rc == 0:
                    self.record("rootless", rt, "ms", ms)
                    self.record("rootless", rt, "rss", rss)
                elif rt in userbin:
                    subprocess.run([self.measure, "-u", "%d:%d" % uid, "--", userbin[rt][0],
                                    "--root", os.path.join(xdg, rt), "delete", "--force", cid],
                                   env=rt_env, stdout=subprocess.DEVNULL)
                elif rt != "floor":
                    self.cleanup_as(rt, os.path.join(xdg, rt), cid, uid, env)
        self.load("rootless:end")

    def cleanup_as(self, rt, root, cid, uid, env):
        subprocess.run([self.measure, "-u", "%d:%d" % uid, "--"] +
                       self.argv(rt, root, "delete", "--force", cid), env=env,
                       stdout=subprocess.DEVNULL)
        self.reap_orphans()


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def children_of(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == ppid and fields[0] != "Z":
            out.append(int(d))
    return out


# ---------------------------------------------------------------- the OCI config


def base_config(rootfs, args):
    """runc/crun's default spec, /bin/true, pid+net+ipc+uts+mount, no resources.
    ociVersion 1.0.2: crun 1.8 rejects newer versions it does not know."""
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False, "user": {"uid": 0, "gid": 0}, "args": args,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm"],
            "cwd": "/",
            "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": rootfs, "readonly": True},
        "hostname": "bench",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                            "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"],
        },
    }


def make_rootless(cfg, uid):
    """`runc spec --rootless`: a user namespace mapping root to the user, no
    gid=5 on devpts, /sys bound from the host."""
    cfg["linux"]["namespaces"].append({"type": "user"})
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": uid[0], "size": 1}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": uid[1], "size": 1}]
    for m in cfg["mounts"]:
        if m["destination"] == "/dev/pts":
            m["options"] = [o for o in m["options"] if o != "gid=5"]
        if m["destination"] == "/sys":
            m.update(type="none", source="/sys", options=["rbind", "nosuid", "noexec", "nodev", "ro"])


# ---------------------------------------------------------------- report


def version(path):
    try:
        out = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=10).stdout.decode(errors="replace")
        return out.splitlines()[0].strip()
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def machine():
    cpu = "?"
    mem = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB" % (int(f.readline().split()[1]) / 1048576.0)
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as f:
            deb = "Debian " + f.read().strip()
    except OSError:
        deb = "?"
    return "%s, Linux %s, %d CPUs (%s), %s RAM" % (deb, platform.release(), os.cpu_count() or 0,
                                                   cpu, mem)


def fmt_ms(s):
    if not s:
        return "-"
    return "%.2f (%.2f-%.2f)" % (s["median"], s["p10"], s["p90"])


def ratio(a, b):
    if not a or not b or not b["median"]:
        return "-"
    return "%.2f" % (a["median"] / b["median"])


def report(b, args):
    R = b.results["figures"]
    names = list(b.rts)
    cols = names + ["floor"]

    def stat(fig, rt, key):
        v = R.get(fig, {}).get(rt, {}).get(key)
        return summary(v) if v and not isinstance(v[0], list) else None

    rows = []

    def row(label, fig, key, fmt=fmt_ms, with_floor=False, scale=1.0):
        cells, stats = [], {}
        for rt in cols:
            s = stat(fig, rt, key)
            if s and scale != 1.0:
                s = {k: (v * scale if k != "n" else v) for k, v in s.items()}
            stats[rt] = s
            if rt == "floor" and not with_floor:
                cells.append("")
            else:
                un = R.get(fig, {}).get(rt, {}).get("unavailable")
                cells.append("n/a" if un and not s else fmt(s))
        rat = [ratio(stats.get("husk"), stats.get(o)) for o in ("crun", "runc", "floor")]
        if not with_floor:
            rat[2] = ""
        rows.append([label] + cells + rat)

    n = args.iterations
    row("1. run /bin/true, ms", "run", "ms", with_floor=True)
    row("1. %d x run, total s" % n, "run", "ms",
        fmt=lambda s: "%.2f" % (s["sum"] / 1000.0) if s else "-", with_floor=True)
    row("1. run, CPU ms (user+sys)", "run", "cpu", with_floor=True)
    row("2. create, ms", "create", "ms")
    row("2. start, ms", "start", "ms")
    row("2. delete, ms", "delete", "ms")
    row("2. create+start+delete, ms", "create+start+delete", "ms")
    row("2. create+start+delete, CPU ms", "create+start+delete", "cpu")
    row("3. exec /bin/true, ms", "exec", "ms")
    row("3. exec, CPU ms (user+sys)", "exec", "cpu")
    row("4. %d concurrent runs, wall ms" % args.concurrent, "concurrent", "ms")
    row("4. containers/s", "concurrent", "per_s", fmt=lambda s: "%.0f" % s["median"] if s else "-")
    mb = 1 / 1024.0
    fmt_mb = (lambda s: "%.2f (%.2f-%.2f)" % (s["median"], s["p10"], s["p90"]) if s else "-")
    row("5. peak RSS, run (with the container's process), MiB", "run", "rss", fmt=fmt_mb,
        with_floor=True, scale=mb)
    row("5. peak RSS, create, MiB", "create", "rss", fmt=fmt_mb, scale=mb)
    row("5. peak RSS, start, MiB", "start", "rss", fmt=fmt_mb, scale=mb)
    row("5. peak RSS, delete, MiB", "delete", "rss", fmt=fmt_mb, scale=mb)
    row("5. peak RSS, exec (with the exec'd process), MiB", "exec", "rss", fmt=fmt_mb, scale=mb)
    fmt_k = (lambda s: "%.0f (%.0f-%.0f)" % (s["median"], s["p10"], s["p90"]) if s else "-")
    row("5. cgroup memory at created, KiB", "cgroup-mem", "created_kib", fmt=fmt_k)
    row("5. cgroup memory peak, KiB", "cgroup-mem", "peak_kib", fmt=fmt_k)
    row("6. rootless run, ms", "rootless", "ms", with_floor=True)
    row("7. run, no network namespace, ms", "run-nonet", "ms", with_floor=True)
    row("8. run, cold page cache, ms", "run-cold", "ms", with_floor=True)

    # leaks after the concurrent runs
    leak_cells = []
    for rt in cols:
        if rt == "floor":
            leak_cells.append("")
            continue
        ls = R.get("concurrent", {}).get(rt, {}).get("leaks")
        if ls is None:
            leak_cells.append("-")
        else:
            flat = sorted({x for l in ls for x in l})
            leak_cells.append(", ".join(flat) if flat else "none")
    rows.append(["4. leaks after"] + leak_cells + ["", "", ""])

    head = ["figure (median, p10-p90)"] + cols + ["husk/crun", "husk/runc", "husk/floor"]
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    return rows


def userbin_line(b):
    """Figure 6 again for a husk binary the user owns (see fig_rootless)."""
    R = b.results["figures"].get("rootless", {})
    med = {rt: summary(R[rt]["ms"]) for rt in ("husk", "husk-userbin", "husk-userbin-memfd")
           if R.get(rt, {}).get("ms")}
    if len(med) == 3:
        print("6. rootless run, husk binary owned by the user, ms: re-executed from a read-only "
              "mount made in a helper user namespace %s, from a sealed memfd copy %s "
              "(root-owned binary, no re-exec: %s)" % (fmt_ms(med["husk-userbin"]),
                                                       fmt_ms(med["husk-userbin-memfd"]),
                                                       fmt_ms(med["husk"])))
        print()


def targets(b):
    R = b.results["figures"]

    def med(fig, rt, key="ms"):
        v = R.get(fig, {}).get(rt, {}).get(key)
        return pct(v, 50) if v else None

    out = []

    def check(label, value, limit, unit=""):
        if value is None or limit is None:
            out.append("- %s: not measured" % label)
            return
        ok = value <= limit
        f = "%.3f" if unit == " s" else "%.2f"
        out.append(("- %s: " + f + "%s vs limit " + f + "%s: %s") %
                   (label, value, unit, limit, unit, "met" if ok else "MISSED"))

    def total(fig, rt):
        v = R.get(fig, {}).get(rt, {}).get("ms")
        return sum(v) / 1000.0 if v else None

    hr, cr, fl = med("run", "husk"), med("run", "crun"), med("run", "floor")
    check("run: husk <= 0.7 x crun (medians)", hr, cr * 0.7 if cr else None, " ms")
    check("run: husk <= 1.5 x unshare floor (medians)", hr, fl * 1.5 if fl else None, " ms")
    ht, ct, ft = total("run", "husk"), total("run", "crun"), total("run", "floor")
    check("run: husk <= 0.7 x crun (sum of the runs)", ht, ct * 0.7 if ct else None, " s")
    check("run: husk <= 1.5 x unshare floor (sum of the runs)", ht, ft * 1.5 if ft else None, " s")
    he, ce = med("exec", "husk"), med("exec", "crun")
    check("exec: husk <= 0.7 x crun (medians)", he, ce * 0.7 if ce else None, " ms")
    rss = [med(f, "husk", "rss") for f in ("run", "create", "start", "delete", "exec")]
    rss = [r for r in rss if r is not None]
    check("peak RSS of the husk process <= 1.5 MiB (largest median over run/create/start/"
          "delete/exec)", max(rss) / 1024.0 if rss else None, 1.5, " MiB")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workdir", required=True)
    p.add_argument("--husk", required=True)
    p.add_argument("--runtimes", default="husk,crun,runc",
                   help="comma-separated; NAME=PATH adds another binary (a name starting with "
                   "husk gets husk's flags), e.g. husk,husk-old=/tmp/husk-old")
    p.add_argument("--quick", action="store_true", help="few iterations (a smoke test)")
    p.add_argument("--iterations", type=int)
    p.add_argument("--execs", type=int)
    p.add_argument("--concurrent", type=int)
    p.add_argument("--rounds", type=int)
    p.add_argument("--memory", type=int)
    p.add_argument("--rootless", type=int)
    p.add_argument("--cold", type=int, help="iterations of the cold-cache figure")
    p.add_argument("--only", default="memory,run,split,exec,concurrent,rootless,nonet,cold",
                   help="figures to measure (comma-separated)")
    p.add_argument("--json", help="write the raw samples and the summary here")
    p.add_argument("--husk-ro", action="store_true",
                   help="also measure the husk binary from a read-only bind mount (husk-ro)")
    a = p.parse_args()
    defaults = (5, 5, 10, 1, 3, 3, 2) if a.quick else (100, 100, 50, 3, 20, 30, 10)
    for k, d in zip(("iterations", "execs", "concurrent", "rounds", "memory", "rootless", "cold"),
                    defaults):
        if getattr(a, k) is None:
            setattr(a, k, d)
    a.runtimes = [r for r in a.runtimes.split(",") if r]
    only = set(a.only.split(","))

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("bench: cannot become a child subreaper")
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)

    b = Bench(a)
    print("husk bench: %s" % time.strftime("%Y-%m-%d %H:%M:%S"))
    print("machine: %s" % machine())
    for rt, path in b.rts.items():
        print("runtime: %s = %s (%s)" % (rt, path, version(path)))
    print("floor: unshare -f -m -p -i -u -n /bin/true")
    print("load at start: %.2f %.2f %.2f" % os.getloadavg())
    print("iterations: run/split/no-netns %d, exec %d, concurrent %d x %d rounds, cgroup memory "
          "%d, rootless %d, cold cache %d%s" % (a.iterations, a.execs, a.concurrent, a.rounds,
                                                a.memory, a.rootless, a.cold,
                                                " (quick)" if a.quick else ""))
    print("cgroups: private mount namespace; the cgroup-memory figure in a pure v1 view (unified "
          "tree unmounted, each runtime's own cgroupfs manager, cgroupsPath set); every other "
          "figure with cgroup2 alone mounted at /sys/fs/cgroup and --cgroup-manager=disabled for "
          "husk and crun (runc has no such option: it makes and removes its cgroup in that "
          "cgroup2 tree)")
    print("state: every runtime's --root on a private tmpfs; bundle: busybox rootfs, read-only "
          "root, runc's default mounts, masked and read-only paths, 3 capabilities, "
          "noNewPrivileges, no seccomp, no resources", flush=True)

    # State directories on a tmpfs, as /run is on most hosts (here /run is on
    # the root ext4, mounted with `discard`: every file a runtime replaces or
    # removes there costs a synchronous discard, which would dominate).
    state = os.path.join(a.workdir, "state")
    os.makedirs(state, exist_ok=True)
    b.sh("mount", "-t", "tmpfs", "-o", "mode=0755", "bench-state", state)
    if a.husk_ro:
        # the same binary on a read-only bind mount: husk's CVE-2019-5736 guard
        # then has nothing to protect and does not re-execute
        ro = os.path.join(a.workdir, "ro")
        os.makedirs(ro, exist_ok=True)
        b.sh("mount", "-t", "tmpfs", "-o", "mode=0755", "bench-ro", ro)
        with open(os.path.join(ro, "husk"), "w"):
            pass
        b.sh("mount", "--bind", a.husk, os.path.join(ro, "husk"))
        b.sh("mount", "-o", "remount,bind,ro", os.path.join(ro, "husk"))
        b.rts["husk-ro"] = os.path.join(ro, "husk")
        print("runtime: husk-ro = %s (read-only bind mount of %s)" % (b.rts["husk-ro"], a.husk))
    if "memory" in only:
        b.view_v1()
        b.fig_memory()
    b.view_v2()
    for fig in ("run", "split", "exec", "concurrent", "rootless", "nonet", "cold"):
        if fig in only:
            print("measuring: %s (load %.2f)" % (fig, os.getloadavg()[0]), flush=True)
            getattr(b, "fig_" + fig)()
            stray = b.reap_orphans()
            if stray:
                b.note("%d orphaned process(es) reaped after the %s figure" % (stray, fig))
    print("load at end: %.2f %.2f %.2f" % os.getloadavg())
    report(b, a)
    userbin_line(b)
    for line in targets(b):
        print(line)
    bad = 0
    R = b.results["figures"]
    for rt in b.rts:
        for line in R.get("rootless", {}).get(rt, {}).get("unavailable", [])[:1]:
            print("rootless %s: unavailable: %s" % (rt, line))
    for (fig, rt), (msg, count) in sorted(b.failures.items()):
        print("failures: %s %s: %d, e.g. %s" % (fig, rt, count, msg))
        if rt == "husk" and fig != "rootless":
            bad = 1
    for l in R.get("concurrent", {}).get("husk", {}).get("leaks", []):
        if l:
            bad = 1
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": b.results, "failures": {"%s/%s" % k: v for k, v in b.failures.items()},
                       "targets": targets(b)}, f, indent=1)
    sys.exit(bad)


if __name__ == "__main__":
    main()
