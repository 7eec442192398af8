/* check: the rootless doctor (rootless/check*.c) for the calling user, or
 * for --user NAME when root checks on someone's behalf. Exit status 1 when
 * any item is a problem. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"
#include "cmd/cmd.h"

#define USAGE "check [--rootless] [--json] [--user NAME] [--systemd-cgroup]"

struct check_cli {
  bool rootless, json, systemd;
  const char *user;
};

static const struct option opts[] = {{"rootless", no_argument, NULL, 'r'},
                                     {"json", no_argument, NULL, 'j'},
                                     {"user", required_argument, NULL, 'u'},
                                     {"systemd-cgroup", no_argument, NULL, 's'},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct check_cli *cli = ctx;
  if (c == 'r')
    cli->rootless = true;
  else if (c == 'j')
    cli->json = true;
  else if (c == 'u')
    cli->user = arg;
  else if (c == 's')
    cli->systemd = true;
  return 0;
}

static int fill_env(struct check_env *env, const struct check_cli *cli, bool systemd,
                    struct utsname *u, struct husk_err *e)
{
  struct passwd *pw = cli->user ? getpwnam(cli->user) : getpwuid(geteuid());
  bool self;
  if (cli->user && !pw)
    return herr_msg(e, ENOENT, "check --user: no user `%s` in the passwd database", cli->user);
  env->user = pw ? pw->pw_name : NULL;
  env->uid = pw ? pw->pw_uid : geteuid();
  env->gid = pw ? pw->pw_gid : getegid();
  self = env->uid == geteuid();
  env->rootless = cli->rootless || env->uid != 0;
  env->systemd_driver = systemd;
  env->proc_sys = "/proc/sys";
  env->subuid = "/etc/subuid";
  env->subgid = "/etc/subgid";
  env->path = getenv("PATH");
  env->xdg = self ? getenv("XDG_RUNTIME_DIR") : NULL;
  env->run_user = "/run/user";
  env->cgroup_root = "/sys/fs/cgroup";
  env->cgroup_layout = cgroup_detect_layout();
  env->self_cgroup = self ? "/proc/self/cgroup" : NULL;
  env->dbus = self ? getenv("DBUS_SESSION_BUS_ADDRESS") : NULL;
  env->system_bus = "/run/dbus/system_bus_socket";
  env->systemd_private = "/run/systemd/private";
  env->kernel_release = uname(u) == 0 ? u->release : NULL;
  env->probe_userns = self;
  return 0;
}

int cmd_check(struct husk_globals *g, int argc, char **argv)
{
  struct check_cli cli = {0};
  struct check_env env = {0};
  struct check_report rep = {0};
  struct husk_err e = {0};
  struct utsname u;
  char *out;
  int problems, first = cmd_parse(argc, argv, USAGE, opts, "", false, on_opt, &cli);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 0, false, USAGE, &e) < 0 ||
      fill_env(&env, &cli, cli.systemd || g->cgroup_manager == CG_MANAGER_SYSTEMD, &u, &e) < 0)
    return cmd_fail(&e);
  check_all(&env, &rep);
  out = cli.json ? check_report_json(&rep, &env) : check_report_text(&rep, &env);
  if (out)
    printf("%s%s", out, cli.json ? "\n" : "");
  free(out);
  problems = (int)check_count(&rep, CHECK_PROBLEM);
  check_report_free(&rep);
  fflush(stdout);
  return problems ? 1 : 0;
}
