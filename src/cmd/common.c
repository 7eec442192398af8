#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/log.h"

int cmd_fail(struct husk_err *e)
{
  husk_log_error(e->msg ? e->msg : "unknown error");
  herr_clear(e);
  return 1;
}

int cmd_parse(int argc, char **argv, const char *usage, const struct option *longopts,
              const char *shortopts, bool in_order, opt_fn fn, void *ctx)
{
  char spec[64];
  int c, idx;
  snprintf(spec, sizeof spec, "%s:h%s", in_order ? "+" : "", shortopts);
  opterr = 0;
  optind = 0; /* 0, not 1: also resets glibc's ordering mode from the global parse */
  while ((c = getopt_long_only(argc, argv, spec, longopts, &idx)) != -1) {
    if (c == 'h') {
      cmd_help(argv[0], usage, longopts, spec);
      return -2;
    }
    if (c == ':') {
      fprintf(stderr, "husk %s: flag needs an argument: %s (requires an argument)\n", argv[0],
              argv[optind - 1]);
      return -1;
    }
    if (c == '?') {
      fprintf(stderr, "husk %s: unknown option `%s`\nusage: husk %s\n", argv[0],
              argv[optind - 1], usage);
      return -1;
    }
    if (fn(c, optarg, ctx) < 0)
      return -1;
  }
  return optind;
}

int cmd_need_args(int argc, int first, int n, bool at_least, const char *usage,
                  struct husk_err *e)
{
  int have = argc - first;
  if (have == n || (at_least && have > n))
    return 0;
  return herr(e, EINVAL, "expected %s%d argument%s, got %d (usage: husk %s)",
              at_least ? "at least " : "", n, n == 1 ? "" : "s", have, usage);
}
