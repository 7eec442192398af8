/* exec: runc's flags; exit code of the process in the foreground, 255 when
 * husk itself fails; with -d the pid file is the only sign of success. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/exec_process.h"
#include "container/lifecycle.h"
#include "sandbox/console.h"
#include "sandbox/exec.h"
#include "util/fault.h"
#include "util/fs.h"

#define USAGE                                                                                  \
  "exec [--process FILE] [-t|--tty] [--console-socket SOCK] [--cwd DIR] "                       \
  "[-e|--env KEY=VAL]... [-u|--user UID[:GID]] [-g|--additional-gids GID]... "                  \
  "[-c|--cap CAP]... [--no-new-privs] [--apparmor PROFILE] [--process-label LABEL] "           \
  "[-d|--detach] [--pid-file FILE] [--preserve-fds N] [--cgroup [CTRL:]PATH]... [--ignore-paused] "       \
  "ID [CMD [ARG...]]"
#define EXEC_FAILED 255

enum { O_PROCESS = 256, O_CONSOLE, O_CWD, O_CAP, O_NNP, O_APPARMOR, O_LABEL, O_PIDFILE,
       O_PRESERVE, O_CGROUP, O_IGNORE_PAUSED, O_PIDFD };

static const struct option opts[] = {
    {"process", required_argument, NULL, 'p'},
    {"tty", optional_argument, NULL, 't'}, /* crun: --tty[=false] */
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"pidfd-socket", required_argument, NULL, O_PIDFD},
    {"cwd", required_argument, NULL, O_CWD},
    {"env", required_argument, NULL, 'e'},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"cap", required_argument, NULL, 'c'},
    {"no-new-privs", no_argument, NULL, O_NNP},
    {"apparmor", required_argument, NULL, O_APPARMOR},
    {"process-label", required_argument, NULL, O_LABEL},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, O_PIDFILE},
    {"preserve-fds", required_argument, NULL, O_PRESERVE},
    {"cgroup", required_argument, NULL, O_CGROUP},
    {"ignore-paused", no_argument, NULL, O_IGNORE_PAUSED},
    HELP_OPTION,
    {NULL, 0, NULL, 0}};

struct exec_cli {
  struct exec_flags f;
  char **cgroups; /* every --cgroup, parsed in run_exec */
  size_t n_cgroups;
  const char *console_socket, *preserve;
  char *pid_file;
  bool detach, ignore_paused;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct exec_cli *cli = ctx;
  int r = 0;
  switch (c) {
  case 'p': cli->f.process_file = arg; break;
  case 't': cli->f.tty = !arg || (strcmp(arg, "false") && strcmp(arg, "no")); break;
  case O_CONSOLE: cli->console_socket = arg; break;
  case O_CWD: cli->f.cwd = arg; break;
  case 'e': r = strv_push(&cli->f.env, &cli->f.n_env, arg); break;
  case 'u': cli->f.user = arg; break;
  case 'g': r = strv_push(&cli->f.gids, &cli->f.n_gids, arg); break;
  case 'c': r = strv_push(&cli->f.caps, &cli->f.n_caps, arg); break;
  case O_NNP: cli->f.no_new_privs = true; break;
  case O_APPARMOR: cli->f.apparmor = arg; break;
  case O_LABEL: cli->f.label = arg; break;
  case 'd': cli->detach = true; break;
  case O_PIDFILE: free(cli->pid_file); cli->pid_file = abs_path(arg); break;
  case O_PRESERVE: cli->preserve = arg; break;
  case O_CGROUP: r = strv_push(&cli->cgroups, &cli->n_cgroups, arg); break;
  case O_IGNORE_PAUSED: cli->ignore_paused = true; break;
  default: break; /* --pidfd-socket: accepted */
  }
  return r;
}

static int parse_preserve(const char *s, int *out, struct husk_err *e)
{
  uint32_t v;
  *out = 0;
  if (!s)
    return 0;
  if (exec_parse_id(s, &v) < 0 || v > 65536)
    return herr(e, EINVAL, "--preserve-fds `%s`: expected a number of fds", s);
  *out = (int)v;
  return 0;
}

/* The process to run: --process as given, else the config's with the flags. */
static int build_process(struct exec_cli *cli, struct oci_spec *spec, int argc, char **argv,
                         struct oci_process **owned, struct oci_process **p, struct husk_err *e)
{
  if (cli->f.process_file) {
    if (exec_read_process(cli->f.process_file, owned, e) < 0)
      return -1;
    *p = *owned;
    return 0;
  }
  if (!spec->has_process)
    return herr(e, EINVAL, "the container's config has no process to start from");
  *p = &spec->process;
  if (exec_set_args(*p, argc, argv, e) < 0)
    return -1;
  return exec_apply_flags(*p, &cli->f, e);
}

/* Every --cgroup [CONTROLLER[,CONTROLLER...]:]PATH (cgroups/cgroup_sub.h). */
static int parse_cgroups(const struct exec_cli *cli, struct cg_subs *subs, struct husk_err *e)
{
  for (size_t i = 0; i < cli->n_cgroups; i++)
    if (cgroup_sub_add(subs, cli->cgroups[i], e) < 0)
      return -1;
  return 0;
}

static int check_status(struct container *c, bool ignore_paused, struct husk_err *e)
{
  const char *st = container_status(c);
  if (strcmp(st, "stopped") == 0 || strcmp(st, "creating") == 0)
    return herr(e, EINVAL, "cannot exec in a stopped container");
  if (strcmp(st, "paused") == 0 && !ignore_paused)
    return herr(e, EINVAL, "cannot exec in a paused container (pass --ignore-paused, or resume it)");
  return 0;
}

static int run_exec(struct husk_globals *g, struct exec_cli *cli, int argc, char **argv,
                    struct husk_err *e)
{
  struct container c = {.dirfd = -1};
  struct oci_spec *spec = NULL;
  struct oci_process *owned = NULL;
  struct cg_subs subs = {0};
  struct exec_opts o = {.console_fd_out = -1};
  int sv[2] = {-1, -1}, master = -1, r;
  pid_t pid = -1;
  if ((r = container_open(&c, g->root, argv[0], false, e)) < 0 ||
      (r = check_status(&c, cli->ignore_paused, e)) < 0 ||
      (r = container_load_spec(&c, &spec, e)) < 0 ||
      (r = build_process(cli, spec, argc - 1, argv + 1, &owned, (struct oci_process **)&o.proc,
                         e)) < 0 ||
      (r = parse_preserve(cli->preserve, &o.preserve_fds, e)) < 0 ||
      (r = parse_cgroups(cli, &subs, e)) < 0)
    goto out;
  o.c = &c;
  o.spec = spec;
  o.cgroup = &c.cgroup;
  o.subs = &subs;
  o.console_socket = cli->console_socket;
  if (o.proc->terminal && !cli->detach && !cli->console_socket &&
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
    o.console_fd_out = sv[1];
  r = sandbox_exec(&o, &pid, e);
  if (sv[1] >= 0)
    close(sv[1]);
  if (r == 0 && cli->pid_file && (r = write_pid_file(cli->pid_file, pid, e)) < 0) {
    kill(pid, SIGKILL);
    if (!cli->detach)
      waitpid(pid, NULL, 0);
  }
  if (r == 0 && o.console_fd_out >= 0)
    master = recv_fd(sv[0]);
  container_close(&c); /* never hold the state directory while we wait */
  if (r == 0 && (r = fault_point("exec:started", e)) < 0) {
    kill(pid, SIGKILL);
    if (!cli->detach)
      waitpid(pid, NULL, 0);
  }
  if (r == 0 && !cli->detach)
    r = foreground_wait(pid, master);
out:
  if (sv[0] >= 0)
    close(sv[0]);
  if (master >= 0)
    close(master);
  container_close(&c);
  oci_process_free(owned);
  oci_spec_free(spec);
  cgroup_sub_clear(&subs);
  return r;
}

int cmd_exec(struct husk_globals *g, int argc, char **argv)
{
  struct exec_cli cli = {0};
  struct husk_err e = {0};
  int r, first = cmd_parse(argc, argv, USAGE, opts, "p:te:u:g:c:d", true, on_opt, &cli);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (argc - first < 1) {
    herr(&e, EINVAL, "exec: missing container ID (usage: husk %s)", USAGE);
    r = -1;
  } else {
    r = run_exec(g, &cli, argc - first, argv + first, &e);
  }
  strv_free(cli.f.env);
  strv_free(cli.f.gids);
  strv_free(cli.f.caps);
  strv_free(cli.cgroups);
  free(cli.pid_file);
  if (r < 0) {
    cmd_fail(&e);
    return EXEC_FAILED;
  }
  return r;
}
