"""exec: runc's flags, exit codes (255 on runtime failure), pid-file rules,
namespaces observed from inside, tty, paused/stopped containers, concurrency
(cli-contract.md 2.3, 3.3, 3.5, 4.2)."""
import json
import os
import subprocess
import time

import pytest

from test_console import ConsoleServer, read_all

NS_TYPES = ["mnt", "pid", "net", "uts", "ipc", "cgroup"]


@pytest.fixture
def running(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    r = rt.create(bundle, cid)
    assert r.rc == 0, r
    assert rt.start(cid).rc == 0
    return cid


def init_pid(rt, cid):
    return rt.state_json(cid)["pid"]


def test_exec_runs_and_returns_exit_code(rt, running):
    r = rt("exec", running, "sh", "-c", "echo out-$((6*7)); exit 7")
    assert r.rc == 7, r
    assert "out-42" in r.out


def test_exec_signal_exit_code(rt, running):
    r = rt("exec", running, "sh", "-c", "kill -9 $$")
    assert r.rc == 128 + 9, r


@pytest.mark.parametrize("ns", NS_TYPES)
def test_exec_joins_each_namespace(rt, running, ns):
    want = os.readlink("/proc/%d/ns/%s" % (init_pid(rt, running), ns))
    r = rt("exec", running, "readlink", "/proc/self/ns/" + ns)
    assert r.rc == 0, r
    assert r.out.strip() == want
    assert want != os.readlink("/proc/self/ns/" + ns)


def test_exec_sees_container_root_and_pid_namespace(rt, running):
    r = rt("exec", running, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; hostname")
    assert r.rc == 0, r
    assert "while" in r.out or "sh" in r.out
    assert "husk-demo" in r.out


def test_exec_joins_cgroup(rt, running):
    pid = init_pid(rt, running)
    r = rt("exec", "-d", "--pid-file", os.path.join(os.path.dirname(rt.root), "x-%s.pid" % running),
           running, "sleep", "5")
    assert r.rc == 0, r
    with open(os.path.join(os.path.dirname(rt.root), "x-%s.pid" % running)) as f:
        epid = int(f.read())
    with open("/proc/%d/cgroup" % pid) as a, open("/proc/%d/cgroup" % epid) as b:
        assert a.read() == b.read()
    r = rt("ps", "--format", "json", running)
    assert epid in json.loads(r.out)


def test_exec_env_and_cwd(rt, running):
    r = rt("exec", "-e", "FOO=bar", "--env", "PATH=/bin:/usr/bin", "--env=TERM=dumb", "--cwd", "/tmp",
           running, "sh", "-c", "echo $FOO $PATH $TERM; pwd; env | grep -c '^TERM='")
    assert r.rc == 0, r
    lines = r.out.split()
    assert lines[:3] == ["bar", "/bin:/usr/bin", "dumb"], r.out
    assert lines[3] == "/tmp"
    assert lines[4] == "1"  # overridden, not duplicated


def test_exec_inherits_config_env(ctx, rt, running):
    r = rt("exec", running, "sh", "-c", "echo $HUSK_TEST_MARKER")
    assert r.out.strip() == ctx.marker


def test_exec_user_and_additional_gids(rt, running):
    r = rt("exec", "-u", "1000:1000", "--additional-gids", "10", "-g", "20,30", running, "sh", "-c",
           "id -u; id -g; id -G")
    assert r.rc == 0, r
    uid, gid, groups = r.out.splitlines()
    assert (uid, gid) == ("1000", "1000")
    assert set(groups.split()) >= {"10", "20", "30"}


def test_exec_user_uid_only_keeps_config_gid(rt, running):
    r = rt("exec", "--user", "1000", running, "sh", "-c", "id -u; id -g")
    assert r.out.split() == ["1000", "0"], r


@pytest.mark.parametrize("bad", ["1:", ":1", "-1", "1:-1", "4294967296", "4294967295", "abc", "1:x",
                                 "", "1:2:3", " 1", "0x10"])
def test_exec_user_strict_parse(rt, running, bad):
    """CVE-2026-30892: a malformed --user must never run as uid/gid 0."""
    r = rt("exec", "-u", bad, running, "sh", "-c", "id; echo RAN")
    assert r.rc == 255, r
    assert "RAN" not in r.out
    assert "--user" in r.err or "user" in r.err


@pytest.mark.parametrize("bad", ["x", "-5", "4294967296"])
def test_exec_bad_additional_gid(rt, running, bad):
    r = rt("exec", "-g", bad, running, "true")
    assert r.rc == 255, r


def test_exec_process_file_taken_as_given(ctx, rt, running):
    p = {"args": ["sh", "-c", "echo $ONLY; echo ${HUSK_TEST_MARKER:-none}; pwd; id -u"],
         "env": ["ONLY=yes", "PATH=/bin:/usr/bin"], "cwd": "/etc", "user": {"uid": 1000, "gid": 1000},
         "terminal": False}
    path = os.path.join(ctx.dir, "process.json")
    with open(path, "w") as f:
        json.dump(p, f)
    r = rt("exec", "--process", path, running)
    assert r.rc == 0, r
    assert r.out.split() == ["yes", "none", "/etc", "1000"]


def test_exec_process_file_invalid(ctx, rt, running):
    path = os.path.join(ctx.dir, "bad.json")
    with open(path, "w") as f:
        f.write('{"args": "notalist"}')
    r = rt("exec", "--process", path, running)
    assert r.rc == 255
    assert "args" in r.err


def test_exec_no_command(rt, running):
    assert rt("exec", running).rc == 255


def test_exec_stops_parsing_at_id(rt, running):
    r = rt("exec", running, "sh", "-c", "printf '%s %s\\n' \"$0\" \"$1\"", "-e", "--tty")
    assert r.rc == 0, r
    assert r.out.split() == ["-e", "--tty"]


def test_exec_not_found_is_255_and_named(rt, running):
    r = rt("exec", running, "no-such-binary")
    assert r.rc == 255
    assert "executable file not found" in r.err


def test_exec_bad_cwd(rt, running):
    r = rt("exec", "--cwd", "/does/not/exist", running, "true")
    assert r.rc == 255
    assert "cwd" in r.err


def test_exec_missing_container(ctx, rt):
    r = rt("exec", ctx.marker + "-nope", "true")
    assert r.rc == 255
    assert "does not exist" in r.err


def test_exec_detach_pid_file(ctx, rt, running):
    pf = os.path.join(ctx.dir, "exec.pid")
    r = rt("exec", "-d", "--pid-file", pf, running, "sleep", "30")
    assert r.rc == 0, r
    with open(pf) as f:
        data = f.read()
    assert data.isdigit(), repr(data)  # no newline (go-runc Atoi)
    pid = int(data)
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        assert f.read().split(b"\0")[0] == b"sleep"
    # the pid is the process itself: signalling it ends it
    os.kill(pid, 9)


def test_exec_pid_file_relative_to_cwd(ctx, rt, running):
    r = rt("exec", "-d", "--pid-file", "rel.pid", running, "true", cwd=ctx.dir)
    assert r.rc == 0, r
    assert os.path.exists(os.path.join(ctx.dir, "rel.pid"))


def test_exec_no_pid_file_on_failure(ctx, rt, running):
    pf = os.path.join(ctx.dir, "fail.pid")
    r = rt("exec", "-d", "--pid-file", pf, running, "no-such-binary")
    assert r.rc == 255
    assert not os.path.exists(pf)


def test_exec_foreground_pid_file(ctx, rt, running):
    pf = os.path.join(ctx.dir, "fg.pid")
    r = rt("exec", "--pid-file", pf, running, "true")
    assert r.rc == 0, r
    assert open(pf).read().isdigit()


def test_exec_stopped_container(rt, bundle, cid):
    bundle.cmd("true")
    assert rt.create(bundle, cid).rc == 0
    assert rt.start(cid).rc == 0
    rt.wait_status(cid, "stopped")
    r = rt("exec", cid, "true")
    assert r.rc == 255
    assert "cannot exec in a stopped container" in r.err


def test_exec_created_container(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt("exec", cid, "echo", "in-created")
    assert r.rc == 0, r
    assert "in-created" in r.out


def test_exec_paused_container(ctx, rt, running):
    assert rt("pause", running).rc == 0
    try:
        r = rt("exec", running, "true", timeout=10)
        assert r.rc == 255
        assert "paused" in r.err
        pf = os.path.join(ctx.dir, "ip.pid")
        r = rt("exec", "-d", "--ignore-paused", "--pid-file", pf, running, "touch", "/tmp/after-resume",
               timeout=10)
        assert r.rc == 0, r
        assert os.path.exists(pf)
    finally:
        assert rt("resume", running).rc == 0
    deadline = time.time() + 5
    while time.time() < deadline and rt("exec", running, "test", "-e", "/tmp/after-resume").rc != 0:
        time.sleep(0.05)
    assert rt("exec", running, "test", "-e", "/tmp/after-resume").rc == 0


def test_exec_cap_and_no_new_privs(rt, running):
    r = rt("exec", "--cap", "CAP_SYS_ADMIN", "--no-new-privs", running, "sh", "-c",
           "grep -E '^(NoNewPrivs|CapBnd)' /proc/self/status")
    assert r.rc == 0, r
    assert "NoNewPrivs:\t1" in r.out
    assert rt("exec", "--cap", "NOT_A_CAP", running, "true").rc == 255


def test_exec_apparmor_and_label_are_applied_or_refused(rt, running):
    # not built in: must fail clearly (255), never silently run unconfined
    for flag in ("--apparmor", "--process-label"):
        r = rt("exec", flag, "some-profile", running, "true")
        if r.rc != 0:
            assert r.rc == 255 and r.err, r


def test_exec_preserve_fds(ctx, rt, running):
    path = os.path.join(ctx.dir, "preserved")
    with open(path, "w") as f:
        f.write("kept-data")
    # fd 3 in the runtime's process is the file (set up by a shell, not by us)
    script = 'exec 3<"$1"; exec "$2" --root "$3" exec --preserve-fds 1 "$4" sh -c "cat <&3"'
    p = subprocess.run(["sh", "-c", script, "sh", path, rt.path, rt.root, running],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    assert p.returncode == 0, p
    assert b"kept-data" in p.stdout
    script = 'exec 3<"$1"; exec "$2" --root "$3" exec "$4" sh -c "cat <&3"'
    p = subprocess.run(["sh", "-c", script, "sh", path, rt.path, rt.root, running],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    assert p.returncode != 0 and b"kept-data" not in p.stdout, p


def test_exec_bad_preserve_fds(rt, running):
    assert rt("exec", "--preserve-fds", "x", running, "true").rc == 255


def test_exec_cgroup_flag_rejects_escape(rt, running):
    assert rt("exec", "--cgroup", "../../x", running, "true").rc == 255


def test_exec_tty_relay(rt, running):
    r = rt("exec", "-t", running, "sh", "-c", "tty; test -t 0 && echo is-a-tty")
    assert r.rc == 0, r
    assert "/dev/pts/" in r.out
    assert "is-a-tty" in r.out


def test_exec_tty_console_socket(ctx, rt, running):
    sock = os.path.join(ctx.dir, "e.sock")
    srv = ConsoleServer(sock)
    try:
        r = rt("exec", "-d", "-t", "--console-socket", sock, running, "sh", "-c",
               "tty; test -t 1 && echo tty-out; sleep 0.3")
        assert r.rc == 0, r
        name, master = srv.receive()
        try:
            out = read_all(master, timeout=5)
        finally:
            os.close(master)
    finally:
        srv.close()
    assert "tty-out" in out
    assert "/dev/pts/" in out


def test_exec_detach_tty_without_socket_fails(rt, running):
    r = rt("exec", "-d", "-t", running, "true")
    assert r.rc == 255
    assert "console" in r.err


def test_exec_console_socket_without_tty_fails(ctx, rt, running):
    r = rt("exec", "--console-socket", os.path.join(ctx.dir, "none.sock"), running, "true")
    assert r.rc == 255


def test_exec_forwards_signals(rt, running):
    p = subprocess.Popen([rt.path, "--root", rt.root, "exec", running, "sh", "-c",
                          "trap 'echo got-term; exit 5' TERM; while :; do sleep 0.1; done"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(15)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 5, (out, err)
    assert b"got-term" in out


def test_short_lived_exec_does_not_hang(rt, running):
    for _ in range(20):
        r = rt("exec", running, "true", timeout=10)
        assert r.rc == 0, r


def test_many_concurrent_execs(ctx, rt, running):
    procs = [subprocess.Popen([rt.path, "--root", rt.root, "exec", running, "true"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(110)]
    rcs = []
    for p in procs:
        p.communicate(timeout=60)
        rcs.append(p.returncode)
    assert rcs.count(0) == len(rcs), rcs
    # nothing left behind: only the init (and its sleep) in the cgroup, no zombies
    time.sleep(0.2)
    pids = json.loads(rt("ps", "--format", "json", running).out)
    assert len(pids) <= 3, pids
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                assert f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            pass  # the init's `sleep 1`, replaced each second: gone, so no zombie


def test_exec_help(rt):
    r = rt("exec", "--help")
    assert r.rc == 0
    for flag in ("--process", "--tty", "--console-socket", "--cwd", "--env", "--user", "--additional-gids",
                 "--cap", "--no-new-privs", "--apparmor", "--process-label", "--detach", "--pid-file",
                 "--preserve-fds", "--cgroup", "--ignore-paused"):
        assert flag.lstrip("-").split("-")[0] in r.out
