/* husk: global options (runc and crun spellings) and the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config.h"
#include "container/state.h"
#include "util/exe_guard.h"
#include "util/fs.h"
#include "util/log.h"

static void print_version(void)
{
  printf("husk version %s\n", PACKAGE_VERSION);
  printf("commit: %s\n", "release");
  printf("spec: %s\n", HUSK_SPEC_VERSION);
  printf("features:"
#ifdef HAVE_SECCOMP
         " +SECCOMP"
#else
         " -SECCOMP"
#endif
#ifdef HAVE_CAP
         " +CAP"
#else
         " -CAP"
#endif
#ifdef HAVE_SYSTEMD
         " +SYSTEMD"
#else
         " -SYSTEMD"
#endif
#ifdef HAVE_SELINUX
         " +SELINUX"
#else
         " -SELINUX"
#endif
#ifdef HAVE_YAML
         " +YAML"
#else
         " -YAML"
#endif
         " +YAJL\n");
}

static void usage(FILE *out)
{
  fprintf(out, "usage: husk [global options] COMMAND [options] ARGS...\n\n"
               "Global options:\n"
               "  --root DIR              state directory (default /run/husk, or "
               "$XDG_RUNTIME_DIR/husk)\n"
               "  --log PATH              log file (also file:PATH)\n"
               "  --log-format text|json  log format\n"
               "  --log-level L           error | warning | debug (crun)\n"
               "  --debug                 debug logging\n"
               "  --systemd-cgroup        use the systemd cgroup manager\n"
               "  --cgroup-manager M      cgroupfs | systemd | disabled\n"
               "  --rootless B            true | false | auto (as runc: auto = not root, or "
               "root in a user namespace)\n"
               "  --cdi-spec-dir DIRS     CDI spec directories, ':'-separated (default "
               "$HUSK_CDI_SPEC_DIRS or /etc/cdi:/var/run/cdi)\n"
               "  --criu PATH             the criu program (default $CRIU, or criu)\n"
               "  -v, --version           print the version\n"
               "  -h, --help              print this help\n\nCommands:\n");
  for (const struct husk_cmd *c = husk_commands; c->name; c++)
    if (c->summary)
      fprintf(out, "  %-12s %s\n", c->name, c->summary);
  fprintf(out, "  %-12s %s\n\nRun `husk COMMAND --help` for the options of a command.\n", "help",
          "print this help, or a command's (husk help COMMAND)");
}

/* `husk help [COMMAND]`, as runc has it. */
static int help_command(struct husk_globals *g, int argc, char **argv)
{
  char help_opt[] = "--help", *args[] = {argc > 1 ? argv[1] : NULL, help_opt, NULL};
  if (argc < 2) {
    usage(stdout);
    return 0;
  }
  for (const struct husk_cmd *c = husk_commands; c->name; c++)
    if (strcmp(c->name, argv[1]) == 0)
      return c->fn(g, 2, args);
  fprintf(stderr, "husk: help: unknown command `%s`\n", argv[1]);
  return 1;
}

enum {
  G_ROOT = 256,
  G_LOG,
  G_LOG_FORMAT,
  G_LOG_LEVEL,
  G_DEBUG,
  G_SYSTEMD,
  G_MANAGER,
  G_ROOTLESS,
  G_CDI_DIR,
  G_CRIU
};

static const struct option global_opts[] = {{"root", required_argument, NULL, G_ROOT},
                                            {"log", required_argument, NULL, G_LOG},
                                            {"log-format", required_argument, NULL, G_LOG_FORMAT},
                                            {"log-level", required_argument, NULL, G_LOG_LEVEL},
                                            {"debug", no_argument, NULL, G_DEBUG},
                                            {"systemd-cgroup", no_argument, NULL, G_SYSTEMD},
                                            {"cgroup-manager", required_argument, NULL, G_MANAGER},
                                            {"rootless", required_argument, NULL, G_ROOTLESS},
                                            {"cdi-spec-dir", required_argument, NULL, G_CDI_DIR},
                                            {"criu", required_argument, NULL, G_CRIU},
                                            {"version", no_argument, NULL, 'v'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};

static int parse_globals(int argc, char **argv, struct husk_globals *g, const char **log_level)
{
  int c;
  opterr = 0;
  while ((c = getopt_long_only(argc, argv, "+vVh", global_opts, NULL)) != -1) {
    switch (c) {
    case G_ROOT:
      free(g->root);
      g->root = abs_path(optarg);
      break;
    case G_LOG:
      g->log = optarg;
      break;
    case G_LOG_FORMAT:
      if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
        fprintf(stderr, "husk: --log-format: expected text or json, got `%s`\n", optarg);
        return -1;
      }
      g->log_json = strcmp(optarg, "json") == 0;
      break;
    case G_LOG_LEVEL:
      *log_level = optarg;
      break;
    case G_DEBUG:
      g->debug = true;
      break;
    case G_SYSTEMD:
      g->cgroup_manager = CG_MANAGER_SYSTEMD;
      break;
    case G_MANAGER:
      if (cgroup_manager_parse(optarg, &g->cgroup_manager) < 0) {
        fprintf(stderr, "husk: --cgroup-manager: expected cgroupfs, systemd or disabled\n");
        return -1;
      }
      break;
    case G_ROOTLESS:
      g->rootless = optarg;
      break;
    case G_CDI_DIR:
      g->cdi_spec_dirs = optarg;
      break;
    case G_CRIU:
      g->criu = optarg;
      break;
    case 'v':
    case 'V':
      print_version();
      exit(0);
    case 'h':
      usage(stdout);
      exit(0);
    case ':':
      fprintf(stderr, "husk: flag needs an argument: %s\n", argv[optind - 1]);
      return -1;
    default:
      fprintf(stderr, "husk: unknown global option `%s`\n", argv[optind - 1]);
      return -1;
    }
  }
  return optind;
}

static enum husk_log_level level_of(const char *s, bool debug)
{
  if (debug || (s && strcmp(s, "debug") == 0))
    return HUSK_LOG_DEBUG;
  if (s && strcmp(s, "error") == 0)
    return HUSK_LOG_ERROR;
  return HUSK_LOG_WARNING;
}

/* Commands whose processes a container can see (CVE-2019-5736). */
static bool enters_container(const char *cmd)
{
  static const char *const names[] = {"create", "run", "exec", "restore"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(cmd, names[i]) == 0)
      return true;
  return false;
}

int main(int argc, char **argv)
{
  struct husk_globals g = {.cgroup_manager = CG_MANAGER_CGROUPFS};
  const char *log_level = NULL;
  int first = parse_globals(argc, argv, &g, &log_level), r = 1;
  const struct husk_cmd *c;
  if (first < 0)
    goto out;
  if (first < argc && enters_container(argv[first])) {
    struct husk_err e = {0};
    if (exe_guard(argv, &e) < 0) {
      r = cmd_fail(&e);
      goto out;
    }
  }
  /* as runc and crun: a log we were told to write and cannot is fatal */
  if (husk_log_init(g.log, g.log_json, level_of(log_level, g.debug)) < 0) {
    fprintf(stderr, "husk: open log `%s`: %s\n", g.log, strerror(errno));
    goto out;
  }
  if (first >= argc) {
    usage(stderr);
    goto out;
  }
  if (!g.root && !(g.root = state_default_root()))
    goto out;
  if (strcmp(argv[first], "help") == 0) {
    optind = 0;
    r = help_command(&g, argc - first, argv + first);
    goto out;
  }
  for (c = husk_commands; c->name && strcmp(c->name, argv[first]) != 0; c++)
    ;
  if (c->name) {
    optind = 0; /* reset getopt for the command's own options */
    r = c->fn(&g, argc - first, argv + first);
  } else {
    struct husk_err e = {0};
    herr(&e, 0, "unknown command `%s` (see husk --help)", argv[first]);
    r = cmd_fail(&e);
  }
out:
  free(g.root);
  return r;
}
