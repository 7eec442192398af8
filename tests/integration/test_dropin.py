"""Drop-in compatibility: scripts written for runc and for crun run unchanged, and the
help covers every command and option.

The scripts (tests/integration/scripts/) call `runc` / `crun` by name; the test puts a
directory first in PATH where that name is a symlink to the runtime under test.
"""
import json
import os
import re
import subprocess

import pytest

from conftest import REPO, runtime_path

SCRIPTS = os.path.join(REPO, "tests", "integration", "scripts")
MAN_MD = os.path.join(REPO, "docs", "man", "husk.1.md")


def commands():
    out = subprocess.run([runtime_path(), "--help"], stdout=subprocess.PIPE, text=True, check=True).stdout
    section = out.split("Commands:", 1)[1]
    return [l.split()[0] for l in section.splitlines() if l.startswith("  ") and l.split()]


def run_script(ctx, bundle, name, as_name):
    bindir = os.path.join(ctx.dir, "bin")
    os.makedirs(bindir, exist_ok=True)
    os.symlink(runtime_path(), os.path.join(bindir, as_name))
    bundle.sleep_forever()
    bundle.write(raw=json.dumps(bundle.config))  # one line: the scripts edit it with sed
    prefix = ctx.new_id("s")
    for suffix in ("", "-spec", "-d", "-alt", "-alt2", "-b", "-nocg"):
        ctx.ids.append(prefix + suffix)  # the fixture force-deletes whatever is left
    log = os.path.join(ctx.dir, as_name + ".log")
    env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"])
    p = subprocess.run(["bash", os.path.join(SCRIPTS, name), bundle.path, ctx.rt.root, log, prefix],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240)
    return p, log


def test_runc_script_runs_unchanged(ctx, bundle):
    p, log = run_script(ctx, bundle, "runc-compat.sh", "runc")
    assert p.returncode == 0, p.stdout
    steps = re.findall(r"^step (\S+)$", p.stdout, re.M)
    assert steps == ["globals", "create-start", "exec", "operations", "kill-delete", "spec-run",
                     "run-detach"], p.stdout
    # --log-format json: every line of the log is a JSON object with level/msg/time
    with open(log) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    assert any(l["level"] == "error" and "not running" in l["msg"] for l in lines), lines
    assert all(set(l) == {"level", "msg", "time"} for l in lines), lines


@pytest.mark.husk_only
def test_crun_script_runs_unchanged(ctx, bundle):
    p, _ = run_script(ctx, bundle, "crun-compat.sh", "crun")
    assert p.returncode == 0, p.stdout
    steps = re.findall(r"^step (\S+)$", p.stdout, re.M)
    assert steps == ["globals", "run-config", "create-exec", "kill-delete-regex",
                     "cgroup-manager-disabled"], p.stdout


# --------------------------------------------------------------------------------------
# help and man page


GLOBAL_OPTIONS = ["--root", "--log", "--log-format", "--log-level", "--debug", "--systemd-cgroup",
                  "--cgroup-manager", "--rootless", "--cdi-spec-dir", "--version", "--help"]


@pytest.mark.husk_only
def test_global_help_lists_every_global_option():
    out = subprocess.run([runtime_path(), "--help"], stdout=subprocess.PIPE, text=True, check=True).stdout
    for opt in GLOBAL_OPTIONS:
        assert re.search(r"^\s+(-\w, )?%s\b" % re.escape(opt), out, re.M), (opt, out)
    assert {"create", "start", "run", "state", "kill", "delete", "list", "exec", "ps", "pause",
            "resume", "update", "events", "spec", "features", "checkpoint", "restore"} <= set(commands())


def command_help(cmd):
    p = subprocess.run([runtime_path(), cmd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p


@pytest.mark.husk_only
def test_every_command_help_is_complete():
    for cmd in commands():
        if cmd == "help":
            continue
        p = command_help(cmd)
        assert p.returncode == 0 and p.stderr == "", (cmd, p)
        assert p.stdout.startswith("usage: husk %s" % cmd), (cmd, p.stdout)
        assert "Options:" in p.stdout and "--help" in p.stdout, (cmd, p.stdout)
        assert "(undocumented)" not in p.stdout, "undocumented option in `husk %s --help`:\n%s" % (cmd, p.stdout)
        for variant in (["help", cmd], [cmd, "-h"]):
            q = subprocess.run([runtime_path()] + variant, stdout=subprocess.PIPE, text=True)
            assert q.returncode == 0 and q.stdout == p.stdout, variant


def help_options(cmd):
    return sorted(set(re.findall(r"^\s+(?:-\w, )?(--[a-z0-9-]+)", command_help(cmd).stdout, re.M)))


def man_sections():
    with open(MAN_MD) as f:
        text = f.read()
    parts = re.split(r"^#{2,3} (husk \S+|[A-Z ]+)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.husk_only
def test_man_page_covers_every_command_and_option():
    sections = man_sections()
    for cmd in commands():
        if cmd == "help":
            continue
        body = sections.get("husk " + cmd)
        assert body is not None, "docs/man/husk.1.md has no section `## husk %s`" % cmd
        missing = [o for o in help_options(cmd) if o != "--help" and o not in body]
        assert not missing, "husk.1.md `husk %s` does not describe %s" % (cmd, missing)
    glob = sections.get("GLOBAL OPTIONS", "")
    assert all(o in glob for o in GLOBAL_OPTIONS), glob


@pytest.mark.husk_only
def test_bash_completion():
    script = os.path.join(REPO, "completions", "bash", "husk")

    def complete(line):
        words = line.split(" ")
        cmd = ('source %s; COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=%s; COMP_POINT=${#COMP_LINE}; '
               '_husk; printf "%%s\\n" "${COMPREPLY[@]}"' %
               (script, " ".join("'%s'" % w for w in words), len(words) - 1, "'%s'" % line))
        env = dict(os.environ, PATH=os.path.dirname(runtime_path()) + ":" + os.environ["PATH"])
        p = subprocess.run(["bash", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env)
        assert p.returncode == 0, p.stderr
        return p.stdout.split()

    assert {"create", "exec", "delete", "checkpoint"} <= set(complete("husk "))
    assert complete("husk del") == ["delete"]
    assert {"--root", "--log-format"} <= set(complete("husk --"))
    assert {"--bundle", "--pid-file", "--console-socket"} <= set(complete("husk create --"))
    assert set(complete("husk --log-format ")) == {"text", "json"}
    assert {"--force", "--regex"} <= set(complete("husk delete --"))
