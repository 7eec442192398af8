#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"

#define USAGE "delete [--force] [--regex] ID"

static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                     {"regex", no_argument, NULL, 'r'},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

struct delete_cli {
  bool force, regex;
  const char *root;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct delete_cli *d = ctx;
  if (c == 'f')
    d->force = true;
  else if (c == 'r')
    d->regex = true;
  return 0;
}

static int delete_one(const char *id, void *ctx, struct husk_err *e)
{
  struct delete_cli *d = ctx;
  struct container c;
  struct oci_spec *spec = NULL;
  const char *st;
  int r;
  if (container_open(&c, d->root, id, true, e) < 0) {
    /* delete --force of a missing container succeeds (podman, CRI-O, shim). */
    if (d->force && e->errnum == ENOENT) {
      herr_clear(e);
      return state_remove_leftovers(d->root, id, e); /* a delete killed mid-removal */
    }
    return -1;
  }
  st = container_status(&c);
  /* runc and crun delete a *created* container without --force (containerd relies on it). */
  if (!d->force && strcmp(st, "stopped") != 0 && strcmp(st, "created") != 0 &&
      strcmp(st, "creating") != 0) {
    r = herr(e, EBUSY, "cannot delete container %s that is not stopped: %s", c.id, st);
  } else {
    container_load_spec(&c, &spec, NULL);
    r = lifecycle_destroy(&c, spec, e);
  }
  oci_spec_free(spec);
  container_close(&c);
  return r;
}

int cmd_delete(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct delete_cli d = {.root = g->root};
  int first = cmd_parse(argc, argv, USAGE, opts, "fr", false, on_opt, &d), r;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  r = d.regex ? cmd_for_each_match(g->root, argv[first], delete_one, &d, &e)
              : delete_one(argv[first], &d, &e);
  return r < 0 ? cmd_fail(&e) : 0;
}
