#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "util/signals.h"

#define USAGE "kill [--all] [--regex] ID [SIGNAL]"

static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
                                     {"regex", no_argument, NULL, 'r'},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

struct kill_cli {
  bool all, regex;
  int sig;
  const char *root;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct kill_cli *k = ctx;
  if (c == 'a')
    k->all = true;
  else if (c == 'r')
    k->regex = true;
  return 0;
}

static int kill_one(const char *id, void *ctx, struct husk_err *e)
{
  struct kill_cli *k = ctx;
  struct container c;
  int r = container_open(&c, k->root, id, true, e);
  if (r == 0) {
    const char *st = container_status(&c);
    if (!k->all && strcmp(st, "stopped") == 0)
      r = herr(e, ESRCH, "container not running");
    else
      r = lifecycle_kill(&c, k->sig, k->all, e);
  }
  container_close(&c);
  return r;
}

int cmd_kill(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct kill_cli k = {.sig = SIGTERM, .root = g->root};
  int r, first = cmd_parse(argc, argv, USAGE, opts, "ar", true, on_opt, &k);
  if (first < 0)
    return first == -2 ? 0 : 1;
  /* runc stops at the ID, but --all may follow it (husk kill ID --all 9). */
  while (argc - first > 1 &&
         (strcmp(argv[first + 1], "--all") == 0 || strcmp(argv[first + 1], "-a") == 0)) {
    k.all = true;
    memmove(&argv[first + 1], &argv[first + 2], sizeof(char *) * (size_t)(argc - first - 2));
    argc--;
  }
  if (argc - first < 1 || argc - first > 2) {
    herr(&e, EINVAL, "usage: husk %s", USAGE);
    return cmd_fail(&e);
  }
  if (argc - first == 2 && (k.sig = signal_parse(argv[first + 1])) < 0) {
    herr(&e, EINVAL, "invalid signal `%s`", argv[first + 1]);
    return cmd_fail(&e);
  }
  r = k.regex ? cmd_for_each_match(g->root, argv[first], kill_one, &k, &e)
              : kill_one(argv[first], &k, &e);
  return r < 0 ? cmd_fail(&e) : 0;
}
