#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"

#define USAGE "delete [--force] ID"

static const struct option opts[] = {
    {"force", no_argument, NULL, 'f'}, {"regex", required_argument, NULL, 'r'}, HELP_OPTION,
    {NULL, 0, NULL, 0}};

static int on_opt(int c, const char *arg, void *ctx)
{
  if (c == 'f')
    *(bool *)ctx = true;
  return 0;
}

int cmd_delete(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct container c;
  struct oci_spec *spec = NULL;
  bool force = false;
  int first = cmd_parse(argc, argv, USAGE, opts, "fr:", false, on_opt, &force), r;
  const char *st;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  if (container_open(&c, g->root, argv[first], true, &e) < 0) {
    /* delete --force of a missing container succeeds (podman, CRI-O, shim). */
    if (force && e.errnum == ENOENT) {
      herr_clear(&e);
      return state_remove_leftovers(g->root, argv[first], &e) < 0 ? cmd_fail(&e) : 0;
    }
    return cmd_fail(&e);
  }
  st = container_status(&c);
  /* runc and crun delete a *created* container without --force (containerd relies on it). */
  if (!force && strcmp(st, "stopped") != 0 && strcmp(st, "created") != 0 &&
      strcmp(st, "creating") != 0) {
    r = herr(&e, EBUSY, "cannot delete container %s that is not stopped: %s", c.id, st);
  } else {
    container_load_spec(&c, &spec, NULL);
    r = lifecycle_destroy(&c, spec, &e);
  }
  oci_spec_free(spec);
  container_close(&c);
  return r < 0 ? cmd_fail(&e) : 0;
}
