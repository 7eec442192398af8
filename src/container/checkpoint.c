/* checkpoint: dump a running (or paused) container with CRIU.
 *   1. the container must be running or paused; its config as created
 *   2. external mounts (criu_mounts.c), the init's stdio (criu_stdio.c),
 *      a network namespace joined by path
 *   3. criu dump (or pre-dump) with the freezer cgroup; log in WORK/dump.log
 *   4. the container is destroyed afterwards unless --leave-running or
 *      --pre-dump (runc does the same; podman and containerd then delete). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "container/checkpoint.h"
#include "container/lifecycle.h"
#include "util/fault.h"
#include "util/fs.h"

#define CG_ROOT "/sys/fs/cgroup"

int checkpoint_freezer_dir(const struct cgroup *cg, char *out, size_t len)
{
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path || cg->layout == CG_LAYOUT_NONE)
    return -1;
  if (cg->layout == CG_LAYOUT_V2)
    snprintf(out, len, CG_ROOT "%s", cg->path);
  else
    snprintf(out, len, CG_ROOT "/freezer%s", cg->path);
  return 0;
}

static int check_status(struct container *c, const struct criu_opts *o, struct husk_err *e)
{
  const char *st = container_status(c);
  if (strcmp(st, "running") == 0 || (strcmp(st, "paused") == 0 && !o->pre_dump))
    return 0;
  return herr(e, EINVAL,
              "cannot checkpoint container `%s`: it is %s (only a running%s "
              "container can be checkpointed)",
              c->id, st, o->pre_dump ? "" : " or paused");
}

/* A network namespace joined by path is not the container's to dump: CRIU
 * records it as external and restore hands it back (runc: extRootNetNS). */
static int external_netns(const struct oci_spec *spec, struct svec *external, struct husk_err *e)
{
  const struct oci_namespace *ns = oci_linux_namespace(&spec->linux_, "network");
  struct stat st;
  if (!ns || !ns->path || !*ns->path)
    return 0;
  if (stat(ns->path, &st) < 0)
    return herr_sys(e, "linux.namespaces: network path `%s`", ns->path);
  return sv_add(external, "net[%lu]:extRootNetNS", (unsigned long)st.st_ino);
}

/* Incremental dumps need the kernel's soft-dirty bits (CONFIG_MEM_SOFT_DIRTY).
 * Without them a pre-dump is pointless (and CRIU aborts on it); a dump with
 * a parent still works, writing every page. */
static int track_mem(struct husk_globals *g, const struct criu_opts *o, bool *on,
                     struct husk_err *e)
{
  *on = criu_has_feature(criu_binary(g->criu), "mem_dirty_track");
  if (!*on && o->pre_dump)
    return herr(e, ENOTSUP,
                "--pre-dump needs memory dirty tracking, which this kernel does "
                "not offer (`criu check --feature mem_dirty_track` fails; the "
                "kernel lacks CONFIG_MEM_SOFT_DIRTY)");
  return 0;
}

static int make_dirs(const struct criu_opts *o, struct husk_err *e)
{
  if (mkdir_p(o->image_path, 0700, e) < 0)
    return herr_wrap(e, "--image-path");
  if (o->work_path && mkdir_p(o->work_path, 0700, e) < 0)
    return herr_wrap(e, "--work-path");
  return 0;
}

static int dump(struct husk_globals *g, struct container *c, const struct oci_spec *spec,
                const struct criu_opts *o, struct husk_err *e)
{
  struct mnt_list mounts = {0};
  struct criu_stdio stdio = {0};
  struct criu_dump_ctx x = {.pid = c->pid};
  struct svec argv = {0};
  char freezer[PATH_MAX], log[PATH_MAX];
  int r = -1;
  if (make_dirs(o, e) < 0 || mountinfo_read(c->pid, &mounts, e) < 0)
    goto out;
  if (criu_dump_mounts(spec, &mounts, &x.external) < 0 ||
      criu_stdio_inspect(c->pid, &mounts, &stdio, e) < 0 ||
      criu_stdio_dump_external(&stdio, &x.external) < 0 ||
      external_netns(spec, &x.external, e) < 0 || criu_stdio_save(o->image_path, &stdio, e) < 0) {
    if (!e->msg)
      herr(e, ENOMEM, "checkpoint");
    goto out;
  }
  if (checkpoint_freezer_dir(&c->cgroup, freezer, sizeof freezer) == 0)
    x.freeze_cgroup = freezer;
  if ((o->pre_dump || o->parent_path) && track_mem(g, o, &x.track_mem, e) < 0)
    goto out;
  if (criu_dump_argv(criu_binary(g->criu), o, &x, &argv, e) < 0 ||
      fault_point("checkpoint:before-criu", e) < 0)
    goto out;
  snprintf(log, sizeof log, "%s/dump.log", o->work_path ? o->work_path : o->image_path);
  r = criu_run(argv.v, o->pre_dump ? "pre-dump" : "dump", log, NULL, NULL, false, e);
out:
  sv_free(&argv);
  sv_free(&x.external);
  criu_stdio_free(&stdio);
  mnt_list_free(&mounts);
  return r;
}

int lifecycle_checkpoint(struct husk_globals *g, const char *id, const struct criu_opts *o,
                         struct husk_err *e)
{
  struct container c = {.dirfd = -1};
  struct oci_spec *spec = NULL;
  int r = -1;
  if (container_open(&c, g->root, id, true, e) < 0)
    return -1;
  if (check_status(&c, o, e) < 0 || container_load_spec(&c, &spec, e) < 0)
    goto out;
  if (dump(g, &c, spec, o, e) < 0)
    goto out;
  /* CRIU killed the tasks: what remains is the record and the cgroup. */
  r = o->leave_running || o->pre_dump ? 0 : lifecycle_destroy(&c, spec, e);
out:
  oci_spec_free(spec);
  container_close(&c);
  return r;
}
