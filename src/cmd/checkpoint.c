/* checkpoint / restore: runc's flags (and crun's --tcp-close), CRIU driven
 * by container/checkpoint.c and container/restore.c. `checkpoint --help`
 * exits 0 and `restore --lsm-mount-context` without a value says "flag
 * needs an argument": the probes Podman and CRI-O make. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/checkpoint.h"
#include "container/lifecycle.h"
#include "container/restore_hooks.h"
#include "util/fs.h"

#define CKPT_USAGE                                                                                 \
  "checkpoint [--image-path DIR] [--work-path DIR] [--parent-path DIR] [--leave-running] "         \
  "[--tcp-established] [--ext-unix-sk] [--shell-job] [--lazy-pages] [--status-fd N] "              \
  "[--page-server ADDR:PORT] [--file-locks] [--pre-dump] [--manage-cgroups-mode MODE] "            \
  "[--empty-ns NS] [--auto-dedup] ID"
#define RESTORE_USAGE                                                                              \
  "restore [--image-path DIR] [--work-path DIR] [--tcp-established] [--tcp-close] "                \
  "[--ext-unix-sk] [--shell-job] [--file-locks] [--manage-cgroups-mode MODE] [--bundle DIR] "      \
  "[--detach] [--pid-file FILE] [--console-socket SOCK] [--no-subreaper] [--no-pivot] "            \
  "[--empty-ns NS] [--auto-dedup] [--lazy-pages] [--lsm-profile TYPE:NAME] "                       \
  "[--lsm-mount-context CTX] ID"

enum {
  O_TCP = 256,
  O_TCP_CLOSE,
  O_EXT_UNIX,
  O_SHELL,
  O_LOCKS,
  O_LAZY,
  O_CGMODE,
  O_EMPTY_NS,
  O_DEDUP,
  O_NETLOCK,
  O_PARENT,
  O_LEAVE,
  O_STATUS_FD,
  O_PAGE_SERVER,
  O_PRE_DUMP,
  O_SKIP_IN_FLIGHT,
  O_LINK_REMAP,
  O_PIDFILE,
  O_CONSOLE,
  O_NO_SUBREAPER,
  O_NO_PIVOT,
  O_NO_KEYRING,
  O_LSM_PROFILE,
  O_LSM_MOUNT
};

#define COMMON_OPTS                                                                                \
  {"image-path", required_argument, NULL, 'i'}, {"work-path", required_argument, NULL, 'w'},       \
      {"tcp-established", no_argument, NULL, O_TCP},                                               \
      {"tcp-close", no_argument, NULL, O_TCP_CLOSE},                                               \
      {"ext-unix-sk", no_argument, NULL, O_EXT_UNIX}, {"shell-job", no_argument, NULL, O_SHELL},   \
      {"file-locks", no_argument, NULL, O_LOCKS}, {"lazy-pages", no_argument, NULL, O_LAZY},       \
      {"manage-cgroups-mode", required_argument, NULL, O_CGMODE},                                  \
      {"empty-ns", required_argument, NULL, O_EMPTY_NS},                                           \
      {"auto-dedup", no_argument, NULL, O_DEDUP}, {"network-lock", no_argument, NULL, O_NETLOCK},  \
      {"parent-path", required_argument, NULL, O_PARENT}, HELP_OPTION

static const struct option ckpt_opts[] = {
    COMMON_OPTS,
    {"leave-running", no_argument, NULL, O_LEAVE},
    {"status-fd", required_argument, NULL, O_STATUS_FD},
    {"page-server", required_argument, NULL, O_PAGE_SERVER},
    {"pre-dump", no_argument, NULL, O_PRE_DUMP},
    {"tcp-skip-in-flight", no_argument, NULL, O_SKIP_IN_FLIGHT},
    {"link-remap", no_argument, NULL, O_LINK_REMAP},
    {NULL, 0, NULL, 0}};

static const struct option restore_opts[] = {
    COMMON_OPTS,
    {"bundle", required_argument, NULL, 'b'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, O_PIDFILE},
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"no-subreaper", no_argument, NULL, O_NO_SUBREAPER},
    {"no-pivot", no_argument, NULL, O_NO_PIVOT},
    {"no-new-keyring", no_argument, NULL, O_NO_KEYRING},
    {"lsm-profile", required_argument, NULL, O_LSM_PROFILE},
    {"lsm-mount-context", required_argument, NULL, O_LSM_MOUNT},
    {NULL, 0, NULL, 0}};

struct cli {
  struct criu_opts o;
  struct create_opts co;
  char *image_abs, *work_abs, *pid_file_abs;
  bool detach, no_subreaper;
};

static int criu_opt(struct criu_opts *o, int c, const char *arg)
{
  switch (c) {
  case O_TCP:
    o->tcp_established = true;
    break;
  case O_TCP_CLOSE:
    o->tcp_close = true;
    break;
  case O_EXT_UNIX:
    o->ext_unix_sk = true;
    break;
  case O_SHELL:
    o->shell_job = true;
    break;
  case O_LOCKS:
    o->file_locks = true;
    break;
  case O_LAZY:
    o->lazy_pages = true;
    break;
  case O_DEDUP:
    o->auto_dedup = true;
    break;
  case O_CGMODE:
    o->manage_cgroups_mode = arg;
    break;
  case O_EMPTY_NS:
    o->empty_ns = arg;
    break;
  case O_PARENT:
    o->parent_path = arg;
    break;
  case O_LEAVE:
    o->leave_running = true;
    break;
  case O_PAGE_SERVER:
    o->page_server = arg;
    break;
  case O_PRE_DUMP:
    o->pre_dump = true;
    break;
  case O_SKIP_IN_FLIGHT:
    o->tcp_skip_in_flight = true;
    break;
  case O_LINK_REMAP:
    o->link_remap = true;
    break;
  case O_LSM_PROFILE:
    o->lsm_profile = arg;
    break;
  case O_LSM_MOUNT:
    o->lsm_mount_context = arg;
    break;
  case O_STATUS_FD: {
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || v < 0 || v > 1 << 20) {
      fprintf(stderr, "husk: --status-fd: invalid number `%s`\n", arg);
      return -1;
    }
    o->status_fd = (int)v;
    break;
  }
  default: /* --network-lock: accepted (crun); CRIU's default applies */
    break;
  }
  return 0;
}

static int on_opt(int c, const char *arg, void *ctx)
{
  struct cli *cli = ctx;
  switch (c) {
  case 'i': /* paths are the caller's: restore changes into the bundle */
    free(cli->image_abs);
    cli->o.image_path = cli->image_abs = abs_path(arg);
    return 0;
  case 'w':
    free(cli->work_abs);
    cli->o.work_path = cli->work_abs = abs_path(arg);
    return 0;
  case 'b':
    cli->co.bundle = arg;
    return 0;
  case 'd':
    cli->detach = true;
    return 0;
  case O_PIDFILE:
    free(cli->pid_file_abs);
    cli->co.pid_file = cli->pid_file_abs = abs_path(arg);
    return 0;
  case O_CONSOLE:
    cli->co.sb.console_socket = arg;
    return 0;
  case O_NO_PIVOT:
    cli->co.sb.no_pivot = true;
    return 0;
  case O_NO_SUBREAPER:
    cli->no_subreaper = true;
    return 0;
  case O_NO_KEYRING:
    return 0; /* conmon sends it; meaningless here */
  default:
    return criu_opt(&cli->o, c, arg);
  }
}

static void cli_free(struct cli *cli)
{
  free(cli->image_abs);
  free(cli->work_abs);
  free(cli->pid_file_abs);
}

/* Parses into cli; returns the id's index, or -2 (help shown) / -1 (error shown) / -3 (e). */
static int parse(int argc, char **argv, const char *usage, const struct option *opts,
                 const char *shortopts, struct cli *cli, struct husk_err *e)
{
  int first;
  cli->o.status_fd = -1;
  first = cmd_parse(argc, argv, usage, opts, shortopts, false, on_opt, cli);
  if (first < 0)
    return first;
  if (cmd_need_args(argc, first, 1, false, usage, e) < 0)
    return -3;
  if (!cli->o.image_path) /* runc's default: ./checkpoint */
    cli->o.image_path = cli->image_abs = abs_path("checkpoint");
  if (!cli->o.image_path)
    return herr(e, ENOMEM, "--image-path"), -3;
  return first;
}

static int parse_result(int r, struct husk_err *e)
{
  return r == -2 ? 0 : r == -3 ? cmd_fail(e) : 1;
}

int cmd_checkpoint(struct husk_globals *g, int argc, char **argv)
{
  struct cli cli = {0};
  struct husk_err e = {0};
  int first = parse(argc, argv, CKPT_USAGE, ckpt_opts, "i:w:", &cli, &e), r;
  if (first < 0) {
    cli_free(&cli);
    return parse_result(first, &e);
  }
  r = lifecycle_checkpoint(g, argv[first], &cli.o, &e);
  cli_free(&cli);
  return r < 0 ? cmd_fail(&e) : 0;
}

int cmd_restore(struct husk_globals *g, int argc, char **argv)
{
  struct cli cli = {0};
  struct husk_err e = {0};
  struct container c = {.dirfd = -1};
  struct oci_spec *spec = NULL;
  struct restore_req req = {.master = -1};
  int first = parse(argc, argv, RESTORE_USAGE, restore_opts, "i:w:b:d", &cli, &e), r, code = 0;
  if (first < 0) {
    cli_free(&cli);
    return parse_result(first, &e);
  }
  req.criu = cli.o;
  req.criu_bin = criu_binary(g->criu);
  req.detach = cli.detach;
  cli.co.id = argv[first];
  cli.co.sb.console_fd_out = -1;
  cli.co.spawn = restore_spawn;
  cli.co.spawn_arg = &req;
  if (!cli.detach && !cli.no_subreaper)
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  r = lifecycle_create(g, &cli.co, &c, &spec, &e);
  if (r == 0 && !cli.detach) { /* like run: wait, then remove the container */
    container_lock(&c, false);
    code = foreground_wait(c.pid, req.master);
    container_lock(&c, true);
    lifecycle_destroy(&c, spec, NULL);
  }
  if (req.master >= 0)
    close(req.master);
  container_close(&c);
  oci_spec_free(spec);
  cli_free(&cli);
  return r < 0 ? cmd_fail(&e) : code;
}

/* CRIU's action script during restore (restore_hooks.h): `restore-hooks ID`. */
int cmd_restore_hooks(struct husk_globals *g, int argc, char **argv)
{
  static const char usage[] = "usage: husk restore-hooks ID (internal: CRIU runs it during "
                              "restore)\n";
  struct husk_err e = {0};
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return 0;
  }
  if (argc != 2) {
    fputs(usage, stderr);
    return 2;
  }
  return restore_hooks_run(g->root, argv[1], &e) < 0 ? cmd_fail(&e) : 0;
}
