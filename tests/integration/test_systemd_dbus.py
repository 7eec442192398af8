"""husk's own D-Bus client (src/dbus/) against a real dbus-daemon on this
host, which has no systemd. The daemon validates every message it routes
(a malformed one gets the client disconnected) and dbus-monitor decodes
them with libdbus, so what husk sends is checked by an independent
implementation. The driver end to end, against systemd itself, runs in
the qemu guest (tests/stages/20-qemu-v2-systemd.sh)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

pytestmark = [
    pytest.mark.husk_only,
    pytest.mark.skipif(not shutil.which("dbus-daemon") or not shutil.which("dbus-monitor"),
                       reason="dbus-daemon and dbus-monitor (Debian: dbus-daemon, dbus-bin)"),
]


# A bus with no activatable services (the host's session config would try to
# start systemd for org.freedesktop.systemd1) that only takes EXTERNAL.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def busdir():
    """Outside ctx.dir: its name carries the marker assert_clean looks for."""
    d = tempfile.mkdtemp(prefix="husk-bus.")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def bus(busdir):
    path = os.path.join(busdir, "bus")
    conf = os.path.join(busdir, "bus.conf")
    with open(conf, "w") as f:
        f.write(BUS_CONFIG)
    d = subprocess.Popen(["dbus-daemon", "--config-file=" + conf, "--nofork", "--nopidfile",
                          "--address=unix:path=" + path, "--print-address=1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    addr = d.stdout.readline().strip()
    assert addr.startswith("unix:path="), addr
    yield addr
    d.kill()
    d.wait()


@pytest.fixture
def monitor(busdir, bus):
    """dbus-monitor's decoding of everything on the bus, read after the test."""
    out = open(os.path.join(busdir, "monitor.txt"), "w+")
    m = subprocess.Popen(["dbus-monitor", "--address", bus, "--monitor"], stdout=out,
                         stderr=subprocess.STDOUT, text=True)
    time.sleep(0.3)  # BecomeMonitor before husk connects

    def read():
        time.sleep(0.3)
        out.flush()
        with open(out.name) as f:
            return f.read()
    yield read
    m.kill()
    m.wait()
    out.close()


def test_create_speaks_to_a_real_bus_daemon(ctx, rt, bundle, cid, bus, monitor):
    bundle.sleep_forever()
    bundle.linux.setdefault("resources", {})["memory"] = {"limit": 67108864}
    bundle.linux["resources"]["pids"] = {"limit": 50}
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus)
    r = rt.create(bundle, cid, global_args=["--systemd-cgroup"], env=env)
    # Authentication, Hello and AddMatch work; the bus has no systemd to start the unit.
    assert r.rc != 0, r
    assert "start the transient unit husk-%s.scope" % cid in r.err, r
    assert "org.freedesktop.DBus.Error.ServiceUnknown" in r.err, r
    assert "org.freedesktop.systemd1" in r.err, r
    seen = monitor()
    assert "member=Hello" in seen, seen
    assert "member=AddMatch" in seen and "member='JobRemoved'" in seen, seen
    call = seen[seen.index("member=StartTransientUnit"):]
    call = call[:call.index("\nmethod ")] if "\nmethod " in call else call
    # libdbus decoded each argument as we meant it
    # (MemoryMax on v2, MemoryLimit on v1 and hybrid)
    assert 'string "MemoryMax"' in call or 'string "MemoryLimit"' in call, call
    for want in ['string "husk-%s.scope"' % cid, 'string "fail"', 'string "Delegate"',
                 'variant             boolean true',
                 'variant             uint64 67108864', 'string "TasksMax"',
                 'variant             uint64 50', 'string "PIDs"']:
        assert want in call, (want, call)
    pids = call[call.index('string "PIDs"'):]
    assert "array [" in pids and "uint32 " in pids, pids
    ctx.assert_clean(cid)


def test_a_bus_that_never_answers_is_bounded(ctx, rt, bundle, cid, busdir):
    path = os.path.join(busdir, "silent")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)  # connect succeeds (backlog); nobody ever reads
    try:
        bundle.sleep_forever()
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + path,
                   HUSK_SYSTEMD_TIMEOUT="2")
        t0 = time.monotonic()
        r = rt.create(bundle, cid, global_args=["--systemd-cgroup"], env=env)
        took = time.monotonic() - t0
        assert r.rc != 0, r
        assert "no answer from the system bus within 2 s" in r.err, r
        assert took < 6, took
        ctx.assert_clean(cid)
    finally:
        s.close()


def test_bad_bus_address_is_named(ctx, rt, bundle, cid):
    bundle.sleep_forever()
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="tcp:host=localhost,port=1")
    r = rt.create(bundle, cid, global_args=["--systemd-cgroup"], env=env)
    assert r.rc != 0, r
    assert "tcp:host=localhost,port=1" in r.err and "no unix socket" in r.err, r
    ctx.assert_clean(cid)
