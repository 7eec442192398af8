"""terminal: true with --console-socket (cli-contract.md 3.5)."""
import array
import os
import re
import socket
import time

import pytest


class ConsoleServer:
    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.sock.settimeout(10)

    def receive(self):
        """Accept one connection; return (pty name, master fd)."""
        conn, _ = self.sock.accept()
        with conn:
            fds = array.array("i")
            msg, anc, flags, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
            assert len(anc) == 1, anc
            level, typ, data = anc[0]
            assert (level, typ) == (socket.SOL_SOCKET, socket.SCM_RIGHTS)
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
            assert len(fds) == 1, list(fds)
            return msg.decode(errors="replace"), fds[0]

    def close(self):
        self.sock.close()


def read_all(fd, timeout=10):
    out = b""
    deadline = time.time() + timeout
    os.set_blocking(fd, False)
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            out += chunk
        except BlockingIOError:
            time.sleep(0.02)
        except OSError:  # EIO: the slave side is closed
            break
    return out.decode(errors="replace")


@pytest.fixture
def console(ctx):
    path = os.path.join(ctx.dir, "c.sock")
    assert len(path) < 100, path
    s = ConsoleServer(path)
    yield s
    s.close()


def test_console_socket(ctx, rt, bundle, cid, console):
    import termios
    bundle.process["terminal"] = True
    bundle.process["consoleSize"] = {"height": 33, "width": 111}
    bundle.cmd("stty size; tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; sleep 0.2")
    r = rt.create(bundle, cid, "--console-socket", console.path)
    assert r.rc == 0, r
    name, master = console.receive()
    try:
        assert name, "the message must carry the pty name"
        termios.tcgetattr(master)  # it must be a terminal (the master)
        assert rt.start(cid).rc == 0
        out = read_all(master)
    finally:
        os.close(master)
    assert "33 111" in out, out
    assert re.search(r"/dev/pts/\d+|/dev/console", out), out
    assert "all-tty" in out
    rt.wait_status(cid, "stopped")


def test_console_socket_run_detached(ctx, rt, bundle, cid, console):
    bundle.process["terminal"] = True
    bundle.cmd("echo hello-tty; sleep 0.2")
    r = rt.run(bundle, cid, "-d", "--console-socket=" + console.path)
    assert r.rc == 0, r
    _, master = console.receive()
    try:
        assert "hello-tty" in read_all(master)
    finally:
        os.close(master)


def test_terminal_without_console_socket(ctx, rt, bundle, cid):
    bundle.process["terminal"] = True
    r = rt.create(bundle, cid)
    assert r.rc != 0
    assert re.search(r"console|tty|terminal", r.output, re.I), r
    ctx.assert_clean(cid)


def test_console_socket_without_terminal(ctx, rt, bundle, cid, console):
    r = rt.create(bundle, cid, "--console-socket", console.path)
    assert r.rc != 0
    assert re.search(r"console|tty|terminal", r.output, re.I), r
    ctx.assert_clean(cid)


def test_console_socket_unreachable(ctx, rt, bundle, cid):
    bundle.process["terminal"] = True
    r = rt.create(bundle, cid, "--console-socket", os.path.join(ctx.dir, "nobody-listens.sock"))
    assert r.rc != 0
    ctx.assert_clean(cid)
