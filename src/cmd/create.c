/* create and run: runc's and crun's flags. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cdi/registry.h"
#include "cdi/strv.h"
#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "sandbox/console.h"
#include "util/fault.h"
#include "util/fs.h"

#define CREATE_USAGE                                                                           \
  "create [--bundle DIR] [--config FILE] [--pid-file FILE] [--console-socket SOCK] "           \
  "[--no-pivot] [--no-new-keyring] [--preserve-fds N] [--device VENDOR/CLASS=NAME]... ID"
#define RUN_USAGE "run [create options] [--detach] [--keep] ID"

enum { O_PIDFILE = 256, O_CONSOLE, O_NOPIVOT, O_NOKEYRING, O_PRESERVE, O_NOSUBREAPER, O_KEEP,
       O_PIDFD, O_DEVICE };

static const struct option create_opts[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"config", required_argument, NULL, 'f'},
    {"pid-file", required_argument, NULL, O_PIDFILE},
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"pidfd-socket", required_argument, NULL, O_PIDFD},
    {"no-pivot", no_argument, NULL, O_NOPIVOT},
    {"no-new-keyring", no_argument, NULL, O_NOKEYRING},
    {"preserve-fds", required_argument, NULL, O_PRESERVE},
    {"no-subreaper", no_argument, NULL, O_NOSUBREAPER},
    {"detach", no_argument, NULL, 'd'},
    {"keep", no_argument, NULL, O_KEEP},
    {"device", required_argument, NULL, O_DEVICE},
    HELP_OPTION,
    {NULL, 0, NULL, 0}};

struct create_cli {
  struct create_opts o;
  bool detach, keep;
  char *pid_file_abs;
  char *cdi_dirs;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct create_cli *cli = ctx;
  char *end;
  switch (c) {
  case 'b':
    cli->o.bundle = arg;
    break;
  case 'f':
    cli->o.config = arg;
    break;
  case O_PIDFILE:
    free(cli->pid_file_abs);
    cli->pid_file_abs = abs_path(arg); /* relative to the caller's cwd, not the bundle */
    break;
  case O_CONSOLE:
    cli->o.sb.console_socket = arg;
    break;
  case O_NOPIVOT:
    cli->o.sb.no_pivot = true;
    break;
  case O_NOKEYRING:
    cli->o.sb.no_new_keyring = true;
    break;
  case O_PRESERVE:
    errno = 0;
    cli->o.sb.preserve_fds = (int)strtol(arg, &end, 10);
    if (errno || *end || cli->o.sb.preserve_fds < 0 || cli->o.sb.preserve_fds > 65536) {
      fprintf(stderr, "husk: --preserve-fds: invalid number `%s`\n", arg);
      return -1;
    }
    break;
  case 'd':
    cli->detach = true;
    break;
  case O_KEEP:
    cli->keep = true;
    break;
  case O_DEVICE: /* a CDI device; checked with the other requests at create */
    if (cdi_strv_push(&cli->o.cdi.devices, arg) < 0)
      return -1;
    break;
  default: /* --no-subreaper, --pidfd-socket: accepted */
    break;
  }
  return 0;
}

/* runc: when LISTEN_PID is ours, the LISTEN_FDS fds come first from fd 3. */
static int listen_fds(void)
{
  const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
  if (!pid || !fds || atoi(pid) != getpid())
    return 0;
  return atoi(fds) > 0 ? atoi(fds) : 0;
}

static int parse_create(struct husk_globals *g, int argc, char **argv, const char *usage,
                        struct create_cli *cli, struct husk_err *e)
{
  int first = cmd_parse(argc, argv, usage, create_opts, "b:f:d", false, on_opt, cli);
  if (first < 0)
    return first;
  if (cmd_need_args(argc, first, 1, false, usage, e) < 0)
    return -3;
  cli->o.id = argv[first];
  /* absolute now: create reads them from inside the bundle */
  if (!(cli->o.cdi.spec_dirs = cli->cdi_dirs = cdi_spec_dirs_absolute(g->cdi_spec_dirs)))
    return herr(e, ENOMEM, "--cdi-spec-dir"), -3;
  cli->o.pid_file = cli->pid_file_abs;
  cli->o.sb.preserve_fds += listen_fds();
  cli->o.sb.console_fd_out = -1;
  return 0;
}

static int parse_result(int r, struct husk_err *e)
{
  return r == -2 ? 0 : r == -3 ? cmd_fail(e) : 1;
}

int cmd_create(struct husk_globals *g, int argc, char **argv)
{
  struct create_cli cli = {0};
  struct husk_err e = {0};
  struct container c = {.dirfd = -1};
  struct oci_spec *spec = NULL;
  int r = parse_create(g, argc, argv, CREATE_USAGE, &cli, &e);
  if (r < 0)
    return parse_result(r, &e);
  r = lifecycle_create(g, &cli.o, &c, &spec, &e);
  container_close(&c);
  oci_spec_free(spec);
  free(cli.pid_file_abs);
  free(cli.cdi_dirs);
  cdi_strv_free(cli.o.cdi.devices);
  return r < 0 ? cmd_fail(&e) : 0;
}

int cmd_run(struct husk_globals *g, int argc, char **argv)
{
  struct create_cli cli = {0};
  struct husk_err e = {0};
  struct container c = {.dirfd = -1};
  struct oci_spec *spec = NULL;
  int sv[2] = {-1, -1}, master = -1, r = parse_create(g, argc, argv, RUN_USAGE, &cli, &e), code = 0;
  if (r < 0)
    return parse_result(r, &e);
  /* Foreground with a tty and no socket: we receive the master ourselves. */
  if (!cli.detach && !cli.o.sb.console_socket &&
      socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0)
    cli.o.sb.console_fd_out = sv[1];
  if (!cli.detach)
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  r = lifecycle_create(g, &cli.o, &c, &spec, &e);
  if (sv[1] >= 0)
    close(sv[1]);
  if (r == 0 && spec->process.terminal && sv[0] >= 0)
    master = recv_fd(sv[0]);
  if (r == 0 && lifecycle_start(&c, spec, &e) < 0) {
    lifecycle_destroy(&c, spec, NULL); /* created but never ran: leave nothing */
    r = -1;
  } else if (r == 0 && !cli.detach) {
    container_lock(&c, false); /* kill/state/exec must reach it meanwhile */
    if ((r = fault_point("run:started", &e)) == 0)
      code = foreground_wait(c.pid, master);
    container_lock(&c, true);
    if (r == 0 && (r = fault_point("run:exited", &e)) == 0 && !cli.keep)
      lifecycle_destroy(&c, spec, NULL);
  }
  if (sv[0] >= 0)
    close(sv[0]);
  if (master >= 0)
    close(master);
  container_close(&c);
  oci_spec_free(spec);
  free(cli.pid_file_abs);
  free(cli.cdi_dirs);
  cdi_strv_free(cli.o.cdi.devices);
  return r < 0 ? cmd_fail(&e) : code;
}
