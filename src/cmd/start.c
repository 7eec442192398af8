#include "cmd/cmd.h"
#include "container/lifecycle.h"

#define USAGE "start ID"

static const struct option opts[] = {HELP_OPTION, {NULL, 0, NULL, 0}};

static int no_opt(int c, const char *arg, void *ctx) { return 0; }

int cmd_start(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct container c;
  struct oci_spec *spec = NULL;
  int first = cmd_parse(argc, argv, USAGE, opts, "", false, no_opt, NULL), r;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  r = container_open(&c, g->root, argv[first], true, &e);
  if (r == 0)
    r = container_load_spec(&c, &spec, &e);
  if (r == 0)
    r = lifecycle_start(&c, spec, &e);
  oci_spec_free(spec);
  container_close(&c);
  return r < 0 ? cmd_fail(&e) : 0;
}
