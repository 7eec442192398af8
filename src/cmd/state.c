#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"

#define USAGE "state ID"

static const struct option opts[] = {HELP_OPTION, {NULL, 0, NULL, 0}};

static int no_opt(int c, const char *arg, void *ctx) { return 0; }

int cmd_state(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct container c;
  char *json;
  int first = cmd_parse(argc, argv, USAGE, opts, "", false, no_opt, NULL);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  if (container_open(&c, g->root, argv[first], false, &e) < 0)
    return cmd_fail(&e);
  json = lifecycle_state_json(&c, true, false);
  container_close(&c);
  if (!json)
    return 1;
  fputs(json, stdout); /* runc: indented, no trailing newline */
  free(json);
  return 0;
}
