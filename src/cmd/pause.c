/* pause / resume: freeze or thaw the container's cgroup. */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"

static const struct option opts[] = {HELP_OPTION, {NULL, 0, NULL, 0}};

static int no_opt(int c, const char *arg, void *ctx)
{
  (void)c;
  (void)arg;
  (void)ctx;
  return 0;
}

static int set_frozen(struct husk_globals *g, int argc, char **argv, bool frozen)
{
  const char *usage = frozen ? "pause ID" : "resume ID";
  struct husk_err e = {0};
  struct container c;
  const char *st;
  int r, first = cmd_parse(argc, argv, usage, opts, "", false, no_opt, NULL);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, usage, &e) < 0)
    return cmd_fail(&e);
  if (container_open(&c, g->root, argv[first], true, &e) < 0)
    return cmd_fail(&e);
  st = container_status(&c);
  if (strcmp(st, "running") != 0 && strcmp(st, "paused") != 0)
    r = herr(&e, EINVAL, "container `%s` is not running (status: %s)", c.id, st);
  else if (frozen && strcmp(st, "paused") == 0)
    r = herr(&e, EINVAL, "container `%s` is already paused", c.id);
  else if (!frozen && strcmp(st, "running") == 0)
    r = herr(&e, EINVAL, "container `%s` is not paused", c.id);
  else
    r = cgroup_freeze(&c.cgroup, frozen, &e);
  container_close(&c);
  return r < 0 ? cmd_fail(&e) : 0;
}

int cmd_pause(struct husk_globals *g, int argc, char **argv)
{
  return set_frozen(g, argc, argv, true);
}

int cmd_resume(struct husk_globals *g, int argc, char **argv)
{
  return set_frozen(g, argc, argv, false);
}
