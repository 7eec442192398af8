#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "util/signals.h"

#define USAGE "kill [--all] ID [SIGNAL]"

static const struct option opts[] = {
    {"all", no_argument, NULL, 'a'}, HELP_OPTION, {"regex", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0}};

static int on_opt(int c, const char *arg, void *ctx)
{
  if (c == 'a')
    *(bool *)ctx = true;
  return 0;
}

int cmd_kill(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct container c;
  bool all = false;
  int sig = SIGTERM, r;
  int first = cmd_parse(argc, argv, USAGE, opts, "ar:", true, on_opt, &all);
  if (first < 0)
    return first == -2 ? 0 : 1;
  /* runc stops at the ID, but --all may follow it (husk kill ID --all 9). */
  while (argc - first > 1 && (strcmp(argv[first + 1], "--all") == 0 ||
                              strcmp(argv[first + 1], "-a") == 0)) {
    all = true;
    memmove(&argv[first + 1], &argv[first + 2], sizeof(char *) * (size_t)(argc - first - 2));
    argc--;
  }
  if (argc - first < 1 || argc - first > 2) {
    herr(&e, EINVAL, "usage: husk %s", USAGE);
    return cmd_fail(&e);
  }
  if (argc - first == 2 && (sig = signal_parse(argv[first + 1])) < 0) {
    herr(&e, EINVAL, "invalid signal `%s`", argv[first + 1]);
    return cmd_fail(&e);
  }
  r = container_open(&c, g->root, argv[first], true, &e);
  if (r == 0) {
    const char *st = container_status(&c);
    if (!all && strcmp(st, "stopped") == 0)
      r = herr(&e, ESRCH, "container not running");
    else
      r = lifecycle_kill(&c, sig, all, &e);
  }
  container_close(&c);
  return r < 0 ? cmd_fail(&e) : 0;
}
