/* The checks of `husk check` (rootless/check_*.c) on crafted files: sysctl
 * values, subuid/subgid files, helper binaries, XDG directories with their
 * modes, cgroup trees with controller files, D-Bus sockets. Runs as root
 * (make check in the test suite) to give files other owners. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "tap.h"

#define UID 4242
static char tmp[64];

static void put(const char *rel, const char *text)
{
  char path[512], dir[600];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", path);
  if (system(dir) != 0)
    return;
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

/* A path under the test directory (kept for the whole run: the env holds
 * them; listed here so LeakSanitizer sees them reachable). */
static const char *at(const char *rel)
{
  static char *kept[1024];
  static size_t n_kept;
  char *b = NULL;
  if (asprintf(&b, "%s/%s", tmp, rel) < 0)
    abort();
  if (n_kept < sizeof kept / sizeof kept[0])
    kept[n_kept++] = b;
  return b;
}

static struct check_env base_env(void)
{
  struct check_env env = {.user = "alice", .uid = UID, .gid = UID, .rootless = true};
  env.proc_sys = at("proc");
  env.subuid = at("subuid");
  env.subgid = at("subgid");
  env.path = at("bin");
  env.run_user = at("run/user");
  env.cgroup_root = at("cg");
  env.cgroup_layout = CG_LAYOUT_V2;
  env.self_cgroup = at("self-cgroup");
  env.system_bus = at("no-bus");
  env.systemd_private = at("no-private");
  env.kernel_release = "6.1.0";
  return env;
}

/* Runs one check function and returns the status of item id (or -1). */
static int status_of(void (*fn)(const struct check_env *, struct check_report *),
                     const struct check_env *env, const char *id, char **fix, char **summary)
{
  struct check_report r = {0};
  const struct check_item *it;
  int st;
  fn(env, &r);
  it = check_find(&r, id);
  st = it ? (int)it->status : -1;
  if (fix)
    *fix = it && it->fix ? strdup(it->fix) : NULL;
  if (summary)
    *summary = it && it->summary ? strdup(it->summary) : NULL;
  check_report_free(&r);
  return st;
}

static void test_userns(void)
{
  struct check_env env = base_env();
  char *fix = NULL, *sum = NULL;
  ok(status_of(check_userns, &env, "userns.max", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "CONFIG_USER_NS"),
     "missing max_user_namespaces: no user namespaces in the kernel");
  free(fix);
  put("proc/user/max_user_namespaces", "0\n");
  ok(status_of(check_userns, &env, "userns.max", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "sysctl -w user.max_user_namespaces=15000"),
     "max_user_namespaces 0: problem with the sysctl command");
  free(fix);
  put("proc/user/max_user_namespaces", "15000\n");
  ok(status_of(check_userns, &env, "userns.max", NULL, &sum) == CHECK_OK && sum &&
         strstr(sum, "= 15000"),
     "max_user_namespaces 15000: ok");
  free(sum);
  ok(status_of(check_userns, &env, "userns.clone", NULL, NULL) == CHECK_SKIPPED,
     "no unprivileged_userns_clone (upstream kernel): skipped");
  put("proc/kernel/unprivileged_userns_clone", "0\n");
  ok(status_of(check_userns, &env, "userns.clone", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "kernel.unprivileged_userns_clone=1"),
     "unprivileged_userns_clone 0: problem for a user");
  free(fix);
  env.rootless = false;
  env.uid = 0;
  ok(status_of(check_userns, &env, "userns.clone", NULL, NULL) == CHECK_OK,
     "unprivileged_userns_clone 0 does not affect root");
  env = base_env();
  put("proc/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  ok(status_of(check_userns, &env, "userns.apparmor", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "apparmor_restrict_unprivileged_userns=0") && strstr(fix, "userns,"),
     "AppArmor restriction: sysctl or a profile with userns");
  free(fix);
  put("proc/kernel/apparmor_restrict_unprivileged_userns", "0\n");
  ok(status_of(check_userns, &env, "userns.apparmor", NULL, NULL) == CHECK_OK,
     "AppArmor restriction off: ok");
  ok(status_of(check_userns, &env, "userns.create", NULL, NULL) == -1,
     "no probe unless asked (tests never create namespaces here)");
}

static void test_subids(void)
{
  struct check_env env = base_env();
  char *fix = NULL, *sum = NULL;
  put("subuid", "bob:100000:65536\n");
  put("subgid", "alice:200000:65536\n");
  ok(status_of(check_subids, &env, "subuid", &fix, &sum) == CHECK_PROBLEM && fix &&
         !strcmp(fix, "usermod --add-subuids 165536-231071 alice") && strstr(sum, "no entry"),
     "no entry: problem, fix with a free range");
  free(fix);
  free(sum);
  ok(status_of(check_subids, &env, "subgid", NULL, NULL) == CHECK_OK, "subgid entry: ok");
  put("subuid", "bob:100000:65536\n4242:300000:65536\n");
  ok(status_of(check_subids, &env, "subuid", NULL, NULL) == CHECK_OK, "entry by uid: ok");
  put("subuid", "alice:100000:1000\n");
  ok(status_of(check_subids, &env, "subuid", &fix, &sum) == CHECK_WARNING &&
         strstr(sum, "1000 ids"),
     "fewer than 65536 ids: warning");
  free(fix);
  free(sum);
  put("subuid", "bob:100000:65536\nalice:150000:65536\n");
  ok(status_of(check_subids, &env, "subuid", &fix, &sum) == CHECK_PROBLEM &&
         strstr(sum, "line 2 (alice:150000:65536) overlaps line 1 (bob:100000:65536)") &&
         strstr(fix, "usermod --del-subuids 150000-215535 alice"),
     "overlap: problem naming both lines");
  free(fix);
  free(sum);
  put("subuid", "garbage\nalice:100000:65536\n");
  ok(status_of(check_subids, &env, "subuid", NULL, &sum) == CHECK_OK &&
         strstr(sum, "1 malformed line"),
     "malformed lines are reported");
  free(sum);
  env.rootless = false;
  env.uid = 0;
  ok(status_of(check_subids, &env, "subuid", NULL, NULL) == CHECK_SKIPPED, "root: skipped");
}

static void test_helpers(void)
{
  struct check_env env = base_env();
  char *fix = NULL;
  ok(status_of(check_helpers, &env, "newuidmap", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "apt install uidmap"),
     "missing newuidmap: install uidmap");
  free(fix);
  put("bin/newuidmap", "#!/bin/sh\n");
  chmod(at("bin/newuidmap"), 0755);
  ok(status_of(check_helpers, &env, "newuidmap", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "setcap cap_setuid+ep") && strstr(fix, "chmod u+s"),
     "not setuid: setcap or chmod u+s");
  free(fix);
  chown(at("bin/newuidmap"), 0, 0);
  chmod(at("bin/newuidmap"), 04755);
  ok(status_of(check_helpers, &env, "newuidmap", NULL, NULL) == CHECK_OK, "setuid root: ok");
  chown(at("bin/newuidmap"), UID, 0);
  chmod(at("bin/newuidmap"), 04755);
  ok(status_of(check_helpers, &env, "newuidmap", NULL, NULL) == CHECK_PROBLEM,
     "setuid but not root's: problem");
  env.rootless = false;
  ok(status_of(check_helpers, &env, "newgidmap", NULL, NULL) == CHECK_WARNING,
     "root: a missing helper is only a warning");
}

static void test_xdg(void)
{
  struct check_env env = base_env();
  char *fix = NULL, *sum = NULL;
  ok(status_of(check_xdg, &env, "xdg", &fix, &sum) == CHECK_PROBLEM && fix &&
         strstr(fix, "install -d -m 0700 -o alice") && strstr(fix, "export XDG_RUNTIME_DIR="),
     "unset and no /run/user/UID: problem");
  free(fix);
  free(sum);
  mkdir(at("run"), 0755);
  mkdir(at("run/user"), 0755);
  mkdir(at("run/user/4242"), 0700);
  chown(at("run/user/4242"), UID, UID);
  ok(status_of(check_xdg, &env, "xdg", &fix, NULL) == CHECK_WARNING && fix &&
         strstr(fix, "export XDG_RUNTIME_DIR=") && strstr(fix, "run/user/4242"),
     "unset, fallback usable: warning with the export");
  free(fix);
  env.xdg = at("xdg");
  ok(status_of(check_xdg, &env, "xdg", &fix, NULL) == CHECK_PROBLEM && strstr(fix, "install -d"),
     "set but missing: problem");
  free(fix);
  mkdir(at("xdg"), 0755);
  chown(at("xdg"), UID, UID);
  ok(status_of(check_xdg, &env, "xdg", &fix, &sum) == CHECK_PROBLEM && strstr(fix, "chmod 0700") &&
         strstr(sum, "mode 0755"),
     "mode 0755: chmod 0700");
  free(fix);
  free(sum);
  chmod(at("xdg"), 0700);
  ok(status_of(check_xdg, &env, "xdg", NULL, NULL) == CHECK_OK, "owned, 0700: ok");
  chown(at("xdg"), UID + 1, UID);
  ok(status_of(check_xdg, &env, "xdg", &fix, NULL) == CHECK_PROBLEM && strstr(fix, "chown alice"),
     "someone else's: chown");
  free(fix);
}

static void test_cgroups(void)
{
  struct check_env env = base_env();
  char *fix = NULL, *sum = NULL;
  put("self-cgroup", "0::/user.slice/u\n");
  put("cg/user.slice/u/cgroup.controllers", "cpu memory pids\n");
  put("cg/user.slice/u/cgroup.subtree_control", "\n");
  put("cg/user.slice/u/cgroup.procs", "\n");
  ok(status_of(check_cgroups, &env, "cgroups.delegation", &fix, &sum) == CHECK_WARNING && fix &&
         strstr(fix, "Delegate=yes") && strstr(sum, "not delegated"),
     "root-owned cgroup: not delegated");
  free(fix);
  free(sum);
  chown(at("cg/user.slice/u"), UID, UID);
  chown(at("cg/user.slice/u/cgroup.procs"), UID, UID);
  ok(status_of(check_cgroups, &env, "cgroups.delegation", NULL, NULL) == CHECK_OK,
     "user-owned cgroup: delegated");
  ok(status_of(check_cgroups, &env, "cgroups.controllers", &fix, &sum) == CHECK_WARNING &&
         strstr(sum, "missing cpuset io") && strstr(fix, "Delegate=cpu cpuset io memory pids"),
     "missing controllers: the systemd drop-in");
  free(fix);
  free(sum);
  put("cg/user.slice/u/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
  ok(status_of(check_cgroups, &env, "cgroups.controllers", NULL, NULL) == CHECK_OK,
     "all controllers: ok");
  env.cgroup_layout = CG_LAYOUT_HYBRID;
  ok(status_of(check_cgroups, &env, "cgroups.delegation", NULL, NULL) == CHECK_WARNING,
     "hybrid: looks under unified/ (not delegated there)");
  put("cg/unified/user.slice/u/cgroup.controllers", "hugetlb\n");
  put("cg/unified/user.slice/u/cgroup.procs", "\n");
  chown(at("cg/unified/user.slice/u"), UID, UID);
  chown(at("cg/unified/user.slice/u/cgroup.procs"), UID, UID);
  ok(status_of(check_cgroups, &env, "cgroups.controllers", &fix, &sum) == CHECK_WARNING &&
         strstr(fix, "systemd.unified_cgroup_hierarchy=1") && strstr(sum, "hybrid"),
     "hybrid: v1 controllers are never delegated, boot v2");
  free(fix);
  free(sum);
  env.cgroup_layout = CG_LAYOUT_V1;
  ok(status_of(check_cgroups, &env, "cgroups", NULL, NULL) == CHECK_WARNING, "v1 only: warning");
  env.rootless = false;
  env.uid = 0;
  ok(status_of(check_cgroups, &env, "cgroups", NULL, NULL) == CHECK_OK, "root: ok");
}

static void test_session_and_tools(void)
{
  struct check_env env = base_env();
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  int fd;
  char *fix = NULL;
  ok(status_of(check_session, &env, "systemd", NULL, NULL) == CHECK_SKIPPED,
     "cgroupfs driver: session not needed");
  env.systemd_driver = true;
  ok(status_of(check_session, &env, "systemd", &fix, NULL) == CHECK_PROBLEM && fix &&
         strstr(fix, "dbus-user-session") && strstr(fix, "--cgroup-manager cgroupfs"),
     "no user bus: problem");
  free(fix);
  env.xdg = at("xdg2");
  mkdir(env.xdg, 0700);
  snprintf(a.sun_path, sizeof a.sun_path, "%s/bus", env.xdg);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ok(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "made a bus socket");
  ok(status_of(check_session, &env, "systemd", NULL, NULL) == CHECK_OK, "user bus socket: ok");
  close(fd);
  env.rootless = false;
  env.uid = 0;
  ok(status_of(check_session, &env, "systemd", NULL, NULL) == CHECK_PROBLEM,
     "root without systemd: problem");
  env = base_env();
  env.kernel_release = "5.10.0-28-amd64";
  ok(status_of(check_tools, &env, "podman.overlay", &fix, NULL) == CHECK_WARNING && fix &&
         strstr(fix, "fuse-overlayfs"),
     "old kernel without fuse-overlayfs: warning");
  free(fix);
  put("bin/fuse-overlayfs", "");
  chmod(at("bin/fuse-overlayfs"), 0755);
  ok(status_of(check_tools, &env, "podman.overlay", NULL, NULL) == CHECK_OK, "fuse-overlayfs: ok");
  env.kernel_release = "5.11.0";
  ok(status_of(check_tools, &env, "podman.overlay", NULL, NULL) == CHECK_OK,
     "5.11: native overlay");
  ok(status_of(check_tools, &env, "podman.network", NULL, NULL) == CHECK_WARNING,
     "no pasta/slirp4netns: warning");
  put("bin/slirp4netns", "");
  chmod(at("bin/slirp4netns"), 0755);
  ok(status_of(check_tools, &env, "podman.network", NULL, NULL) == CHECK_OK, "slirp4netns: ok");
  ok(status_of(check_tools, &env, "criu", NULL, NULL) == CHECK_WARNING, "no criu: warning");
}

static void test_report(void)
{
  struct check_env env = base_env();
  struct check_report r = {0};
  char *text, *json;
  check_add(&r, "a", CHECK_OK, NULL, "fine");
  check_add(&r, "b", CHECK_PROBLEM, "cmd one\ncmd two", "broken \"quoted\"");
  text = check_report_text(&r, &env);
  json = check_report_json(&r, &env);
  ok(text && strstr(text, "problem  b") && strstr(text, "fix: cmd one") &&
         strstr(text, "fix: cmd two") && strstr(text, "1 ok, 1 problem(s)"),
     "text: status, one fix line per command, totals");
  ok(json && strstr(json, "\"ok\": false") && strstr(json, "\"fix\": \"cmd one\\ncmd two\"") &&
         strstr(json, "\"summary\": \"broken \\\"quoted\\\"\"") && strstr(json, "\"fix\": null"),
     "json: ok flag, escaped strings, null fix");
  free(text);
  free(json);
  check_report_free(&r);
}

int main(void)
{
  snprintf(tmp, sizeof tmp, "/tmp/husk-check-test.XXXXXX");
  if (!mkdtemp(tmp))
    return 1;
  if (geteuid() != 0) {
    printf("1..0 # SKIP needs root (files owned by other users)\n");
    return 0;
  }
  test_userns();
  test_subids();
  test_helpers();
  test_xdg();
  test_cgroups();
  test_session_and_tools();
  test_report();
  {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
      return 1;
  }
  return tap_done();
}
