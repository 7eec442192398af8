#include "cgroups/cgroup_rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/resources.h"
#include "util/fs.h"
#include "util/log.h"

#define L "linux.resources."

struct lim_list {
  struct cg_limit *v;
  size_t n, max;
};

static void add(struct lim_list *l, const char *label, const char *ctrl)
{
  if (l->n < l->max) {
    snprintf(l->v[l->n].label, sizeof l->v[l->n].label, "%s", label);
    snprintf(l->v[l->n].ctrl, sizeof l->v[l->n].ctrl, "%s", ctrl);
  }
  l->n++;
}

static void memory_limits(const struct oci_memory *m, struct lim_list *l)
{
  if (m->limit.set)
    add(l, L "memory.limit", "memory");
  if (m->reservation.set)
    add(l, L "memory.reservation", "memory");
  if (m->swap.set)
    add(l, L "memory.swap", "memory");
  if (m->swappiness.set)
    add(l, L "memory.swappiness", "memory");
  if (m->disable_oom_killer.set && m->disable_oom_killer.value)
    add(l, L "memory.disableOOMKiller", "memory");
}

static void cpu_limits(const struct oci_cpu *c, struct lim_list *l)
{
  if (c->shares.set && c->shares.value)
    add(l, L "cpu.shares", "cpu");
  if (c->quota.set && c->quota.value)
    add(l, L "cpu.quota", "cpu");
  if (c->period.set && c->period.value)
    add(l, L "cpu.period", "cpu");
  if (c->burst.set)
    add(l, L "cpu.burst", "cpu");
  if (c->idle.set)
    add(l, L "cpu.idle", "cpu");
  if (c->realtime_period.set || c->realtime_runtime.set)
    add(l, L "cpu.realtimePeriod/realtimeRuntime", "cpu");
  if (c->cpus && *c->cpus)
    add(l, L "cpu.cpus", "cpuset");
  if (c->mems && *c->mems)
    add(l, L "cpu.mems", "cpuset");
}

static bool io_set(const struct oci_block_io *b)
{
  return b->weight.set || b->leaf_weight.set || b->n_weight_devices || b->read_bps.n ||
         b->write_bps.n || b->read_iops.n || b->write_iops.n;
}

size_t cg_requested_limits(const struct oci_resources *r, struct cg_limit *out, size_t max)
{
  struct lim_list l = {.v = out, .max = max};
  if (r->has_memory)
    memory_limits(&r->memory, &l);
  if (r->has_cpu)
    cpu_limits(&r->cpu, &l);
  if (r->has_pids && r->pids_limit.set)
    add(&l, L "pids.limit", "pids");
  if (r->has_block_io && io_set(&r->block_io))
    add(&l, L "blockIO", "io");
  if (r->n_hugepage_limits)
    add(&l, L "hugepageLimits", "hugetlb");
  if (r->has_network && (r->network.class_id.set || r->network.n_priorities))
    add(&l, L "network", "net_cls");
  if (r->n_rdma)
    add(&l, L "rdma", "rdma");
  for (size_t i = 0; i < r->unified.n; i++) {
    char label[160], ctrl[64];
    snprintf(label, sizeof label, L "unified[\"%s\"]", r->unified.items[i].key);
    cg_unified_key_controller(r->unified.items[i].key, ctrl, sizeof ctrl);
    add(&l, label, ctrl);
  }
  return l.n;
}

bool cg_ctrl_listed(const char *list, const char *word)
{
  size_t n = strlen(word);
  if (!n)
    return true; /* core cgroup.* files need no controller */
  for (const char *p = list ? list : ""; *p;) {
    size_t m = strcspn(p, " \n");
    if (m == n && strncmp(p, word, n) == 0)
      return true;
    p += m;
    p += strspn(p, " \n");
  }
  return false;
}

static void append(char *buf, size_t len, const struct cg_limit *lim)
{
  size_t off = strlen(buf);
  snprintf(buf + off, len > off ? len - off : 0, "%s%s (%s)", off ? ", " : "", lim->label,
           lim->ctrl);
}

static void subset_cpu(const char *avail, struct oci_resources *out)
{
  bool cpu = cg_ctrl_listed(avail, "cpu"), cpuset = cg_ctrl_listed(avail, "cpuset");
  if (!cpu) {
    out->cpu.shares.set = out->cpu.quota.set = out->cpu.period.set = false;
    out->cpu.burst.set = out->cpu.idle.set = false;
    out->cpu.realtime_period.set = out->cpu.realtime_runtime.set = false;
  }
  if (!cpuset)
    out->cpu.cpus = out->cpu.mems = NULL;
  if (!cpu && !cpuset)
    out->has_cpu = false;
}

int cg_resources_subset(const struct oci_resources *r, const char *avail, struct oci_resources *out,
                        struct oci_kv **items, char *dropped, size_t dlen)
{
  struct cg_limit lims[64];
  size_t n = cg_requested_limits(r, lims, 64);
  int count = 0;
  *out = *r;
  out->n_devices = 0; /* device rules: see cg_requested_limits */
  out->devices = NULL;
  *items = NULL;
  if (dlen)
    dropped[0] = '\0';
  for (size_t i = 0; i < n && i < 64; i++)
    if (!cg_ctrl_listed(avail, lims[i].ctrl)) {
      append(dropped, dlen, &lims[i]);
      count++;
    }
  out->has_memory = r->has_memory && cg_ctrl_listed(avail, "memory");
  subset_cpu(avail, out);
  out->has_pids = r->has_pids && cg_ctrl_listed(avail, "pids");
  out->has_block_io = r->has_block_io && cg_ctrl_listed(avail, "io");
  if (!cg_ctrl_listed(avail, "hugetlb"))
    out->n_hugepage_limits = 0;
  out->has_network = false; /* net_cls/net_prio exist only on v1 */
  if (!cg_ctrl_listed(avail, "rdma"))
    out->n_rdma = 0;
  out->unified.n = 0;
  out->unified.items = NULL;
  if (r->unified.n && !(*items = calloc(r->unified.n, sizeof **items)))
    return -1;
  for (size_t i = 0; i < r->unified.n; i++) {
    char ctrl[64];
    cg_unified_key_controller(r->unified.items[i].key, ctrl, sizeof ctrl);
    if (cg_ctrl_listed(avail, ctrl))
      (*items)[out->unified.n++] = r->unified.items[i];
  }
  out->unified.items = *items;
  return count;
}

char *cg_rootless_path(const char *own, const char *cgroups_path, const char *id)
{
  char *out = NULL;
  const char *base = own && strcmp(own, "/") != 0 ? own : "";
  if (cgroups_path && cgroups_path[0] == '/')
    return strdup(cgroups_path);
  if (cgroups_path && *cgroups_path)
    return asprintf(&out, "%s/%s", base, cgroups_path) < 0 ? NULL : out;
  return asprintf(&out, "%s/husk-%s", base, id) < 0 ? NULL : out;
}

/* ---------------------------------------------------------------- host side */

static const char *v2_mount(enum cg_layout layout)
{
  return layout == CG_LAYOUT_V2 ? CG_ROOT : CG_ROOT "/unified";
}

/* The "0::" path of this process. */
static char *own_v2_path(void)
{
  char *data = NULL, *out = NULL;
  if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &data, NULL, NULL) < 0)
    return NULL;
  for (char *line = data; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    if (strncmp(line, "0::", 3) == 0) {
      out = strdup(line + 3);
      break;
    }
    line = nl ? nl + 1 : NULL;
  }
  free(data);
  return out;
}

static char *read_line(const char *dir, const char *file)
{
  char path[PATH_MAX + 64], *data = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
    return NULL;
  data[strcspn(data, "\n")] = '\0';
  return data;
}

/* dir/file writable by us (access() uses the real ids: we are not setuid). */
static bool writable(const char *dir, const char *file)
{
  char path[PATH_MAX + 64];
  int n = snprintf(path, sizeof path, "%s%s%s", dir, file ? "/" : "", file ? file : "");
  return n > 0 && (size_t)n < sizeof path && access(path, W_OK) == 0;
}

static void parent_of(char *path)
{
  char *s = strrchr(path, '/');
  if (s && s != path)
    *s = '\0';
  else
    snprintf(path, 2, "/");
}

/* The deepest existing ancestor of the container's cgroup (host path). */
static void existing_ancestor(const char *mnt, const char *path, char *out, size_t len)
{
  snprintf(out, len, "%s%s", mnt, path);
  parent_of(out);
  while (strlen(out) > strlen(mnt) && access(out, F_OK) < 0)
    parent_of(out);
}

/* Controllers a new child of dir can use: those enabled in its
 * subtree_control, or, when we own dir and no process sits in it (the
 * "no internal processes" rule), those it may enable. */
static char *usable_controllers(const char *dir)
{
  char *sub = read_line(dir, "cgroup.subtree_control"), *procs, *avail, *out = NULL;
  if (!writable(dir, "cgroup.subtree_control"))
    return sub;
  procs = read_line(dir, "cgroup.procs");
  avail = procs && !*procs ? read_line(dir, "cgroup.controllers") : NULL;
  if (asprintf(&out, "%s %s", sub ? sub : "", avail ? avail : "") < 0)
    out = NULL;
  free(sub);
  free(procs);
  free(avail);
  return out;
}

/* Common ancestor of two cgroup paths: moving a process needs write access
 * to its cgroup.procs. */
static void common_ancestor(const char *a, const char *b, char *out, size_t len)
{
  size_t i = 0, last = 0;
  while (a[i] && a[i] == b[i]) {
    if (a[i] == '/')
      last = i;
    i++;
  }
  if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/'))
    last = i;
  snprintf(out, len, "%.*s", (int)last, a);
}

static bool is_strict(const struct oci_spec *spec)
{
  const char *v = oci_map_get(&spec->annotations, CG_STRICT_ANNOTATION);
  return v && strcmp(v, "strict") == 0;
}

static int report(const struct oci_spec *spec, const char *why, const char *dropped,
                  struct husk_err *e)
{
  if (!*dropped)
    return 0;
  if (is_strict(spec))
    return herr_msg(e, EPERM,
                    "rootless: cannot enforce %s: %s (annotation " CG_STRICT_ANNOTATION
                    "=strict; see `husk check --rootless`)",
                    dropped, why);
  husk_warn_visible("rootless: not enforced: %s: %s (set the annotation " CG_STRICT_ANNOTATION
                    "=strict to make this an error; see `husk check --rootless`)",
                    dropped, why);
  return 0;
}

/* Why the container cannot have a cgroup at path, or NULL when it can. */
static const char *refusal(const char *mnt, const char *own, const char *path, char *why,
                           size_t len)
{
  char dir[PATH_MAX], anc[PATH_MAX + 64];
  existing_ancestor(mnt, path, dir, sizeof dir);
  snprintf(anc, sizeof anc, "%s%s", mnt, path);
  if (access(anc, F_OK) == 0 ? !writable(anc, "cgroup.procs") : !writable(dir, NULL)) {
    snprintf(why, len, "%s is not delegated to uid %u (not writable)",
             access(anc, F_OK) == 0 ? anc : dir, getuid());
    return why;
  }
  common_ancestor(own, path, dir, sizeof dir);
  snprintf(anc, sizeof anc, "%s%s", mnt, dir);
  if (!writable(anc, "cgroup.procs")) {
    snprintf(why, len,
             "moving the container from this process's cgroup %s needs write access to "
             "%s/cgroup.procs",
             own, anc);
    return why;
  }
  return NULL;
}

static const struct oci_resources *spec_res(const struct oci_spec *spec)
{
  static const struct oci_resources none;
  return spec->has_linux && spec->linux_.has_resources ? &spec->linux_.resources : &none;
}

int cg_rootless_prepare(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                        struct oci_resources *subset, struct oci_kv **items, struct husk_err *e)
{
  enum cg_layout layout = cgroup_detect_layout();
  char why[PATH_MAX * 2 + 128], dropped[2048], dir[PATH_MAX], *own = NULL, *avail;
  const char *mnt = v2_mount(layout), *no;
  int r;
  cg->path = NULL;
  *items = NULL;
  if (layout == CG_LAYOUT_V1 || layout == CG_LAYOUT_NONE || !(own = own_v2_path())) {
    cg_resources_subset(spec_res(spec), "", subset, items, dropped, sizeof dropped);
    free(own);
    return report(spec,
                  "no cgroup v2 hierarchy to delegate (cgroup v1 is never delegated to "
                  "unprivileged users)",
                  dropped, e);
  }
  cg->layout = layout == CG_LAYOUT_V2 ? CG_LAYOUT_V2 : CG_LAYOUT_UNIFIED;
  cg->path = cg_rootless_path(own, spec->has_linux ? spec->linux_.cgroups_path : NULL, id);
  if (!cg->path) {
    free(own);
    return herr(e, ENOMEM, "cgroups: path");
  }
  if ((no = refusal(mnt, own, cg->path, why, sizeof why))) {
    free(own);
    free(cg->path);
    cg->path = NULL;
    cg_resources_subset(spec_res(spec), "", subset, items, dropped, sizeof dropped);
    r = report(spec, no, dropped, e);
    husk_debug("rootless: no cgroup for the container: %s", no);
    return r;
  }
  free(own);
  existing_ancestor(mnt, cg->path, dir, sizeof dir);
  avail = usable_controllers(dir);
  r = cg_resources_subset(spec_res(spec), avail ? avail : "", subset, items, dropped,
                          sizeof dropped);
  snprintf(why, sizeof why, "%s hands down only `%s`%s", dir, avail ? avail : "",
           layout == CG_LAYOUT_HYBRID ? " (a hybrid host: every other controller is v1, "
                                        "which is never delegated)"
                                      : "");
  free(avail);
  if (r < 0)
    return herr(e, ENOMEM, "cgroups");
  return report(spec, why, dropped, e);
}

int cg_rootless_check_update(const struct cgroup *cg, const struct oci_resources *r,
                             struct husk_err *e)
{
  struct oci_resources sub;
  struct oci_kv *items = NULL;
  char dropped[2048], dir[PATH_MAX], *avail;
  int n;
  existing_ancestor(v2_mount(cg->layout), cg->path, dir, sizeof dir);
  avail = usable_controllers(dir);
  n = cg_resources_subset(r, avail ? avail : "", &sub, &items, dropped, sizeof dropped);
  free(items);
  if (n > 0)
    herr_msg(e, EPERM, "update: cannot enforce %s: %s hands down only `%s` to the container",
             dropped, dir, avail ? avail : "");
  free(avail);
  return n > 0 ? -1 : n < 0 ? herr(e, ENOMEM, "update") : 0;
}
