"""Command-line surface: options callers send, help/probe behaviours (cli-contract.md)."""
import json
import os
import re

import pytest


def test_version(rt):
    r = rt("--version", root=False)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert re.match(r"^\S+ version \S+", lines[0]), lines
    assert lines[0].split()[0] == os.path.basename(rt.path)
    assert any(l.startswith("spec: ") for l in lines), lines


@pytest.mark.husk_only
def test_husk_version_lines(rt):
    r = rt("--version", root=False)
    assert r.rc == 0
    lines = r.out.splitlines()
    assert lines[0].startswith("husk version ")
    assert any(l.startswith("spec: 1.") for l in lines), lines
    assert any(l.startswith("features: ") or l.startswith("commit: ") for l in lines), lines


def test_unknown_command_fails(rt):
    r = rt("no-such-subcommand")
    assert r.rc != 0


def test_unopenable_log_is_fatal(ctx, rt, bundle, cid):
    # as runc and crun: nothing runs when the log we were given cannot be opened
    log = os.path.join(ctx.dir, "no-such-dir", "log.json")
    r = rt.run(bundle, cid, global_args=["--log", log])
    assert r.rc != 0, r
    assert "open log `%s`: No such file or directory" % log in r.err, r
    assert rt.status(cid) is None
    ctx.assert_clean(cid)
    r = rt("--log", log, "list")
    assert r.rc != 0 and "open log" in r.err, r


def test_checkpoint_help_exits_zero(rt):
    assert rt("checkpoint", "--help").rc == 0


def test_restore_lsm_mount_context_needs_argument(rt):
    r = rt("restore", "--lsm-mount-context")
    assert r.rc != 0
    assert re.search(r"flag needs an argument|requires an argument", r.output), r


def test_features_is_json(rt):
    r = rt("features", root=False)
    assert r.rc == 0, r
    f = json.loads(r.out)
    assert "ociVersionMax" in f
    assert isinstance(f.get("linux"), dict)
    assert "user" in f["linux"].get("namespaces", [])


@pytest.mark.parametrize("glob", [["--debug"], ["--rootless", "false"], ["--rootless=auto"],
                                  ["--log-format", "text"]])
def test_global_options_accepted(rt, ctx, glob):
    r = rt("list", "-q", global_args=glob)
    assert r.rc == 0, r


def test_create_accepts_caller_options(rt, bundle, cid, ctx):
    bundle.sleep_forever()
    pf = os.path.join(ctx.dir, "p.pid")
    r = rt.create(bundle, cid, "--pid-file", pf, "--no-pivot", "--no-new-keyring")
    assert r.rc == 0, r
    assert rt.status(cid) == "created"


def test_run_no_subreaper_single_dash(rt, bundle, cid):
    bundle.cmd("exit 4")
    r = rt.run(bundle, cid, "-no-subreaper")
    assert r.rc == 4, r


@pytest.mark.husk_only
def test_crun_options_accepted(rt, bundle, cid):
    r = rt("list", "-q", global_args=["--cgroup-manager", "cgroupfs"])
    assert r.rc == 0, r


def test_missing_option_value(rt):
    r = rt("create", "--bundle")
    assert r.rc != 0
    assert re.search(r"flag needs an argument|requires an argument", r.output), r


def test_kill_all_created(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt("kill", "--all", cid, "KILL")
    assert r.rc == 0, r
    rt.wait_status(cid, "stopped")


def test_delete_created_then_missing_force(rt, bundle, cid):
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    assert rt.delete(cid, "-f").rc == 0
    assert rt.delete(cid, "--force").rc == 0
    r = rt.delete(cid)
    assert r.rc == 1 and "does not exist" in r.output


def test_state_needs_id(rt):
    r = rt("state")
    assert r.rc != 0


def test_empty_xdg_runtime_dir_is_unset(rt, bundle, cid):
    """Podman runs kill/delete with only XDG_RUNTIME_DIR="" in the environment."""
    bundle.sleep_forever()
    assert rt.create(bundle, cid).rc == 0
    r = rt("kill", cid, "9", env={"XDG_RUNTIME_DIR": ""})
    assert r.rc == 0, r
    rt.wait_status(cid, "stopped")
    r = rt("delete", "--force", cid, env={"XDG_RUNTIME_DIR": ""})
    assert r.rc == 0, r
