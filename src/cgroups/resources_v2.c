/* linux.resources on the unified (v2) hierarchy: the whole model on a pure
 * v2 host; hugetlb and the `unified` map on a hybrid host (where every other
 * controller is v1). Controllers are enabled in cgroup.subtree_control of
 * every ancestor, only the ones a requested limit needs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/bpf_devices.h"
#include "cgroups/resources.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

#define L "linux.resources."

struct v2 {
  const char *root; /* mount point of the v2 tree */
  const char *path; /* the container's cgroup, "/a/b" */
  char dir[PATH_MAX];
};

static bool has_word(const char *list, const char *word)
{
  size_t n = strlen(word);
  for (const char *p = list; (p = strstr(p, word)); p += n)
    if ((p == list || p[-1] == ' ' || p[-1] == '+') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
      return true;
  return false;
}

static char *read_list(const char *dir, const char *file)
{
  char path[PATH_MAX], *data = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
    return NULL;
  data[strcspn(data, "\n")] = '\0';
  return data;
}

static int enable_in(const char *dir, const char *ctrl, const char *limit, struct husk_err *e)
{
  char *cur = read_list(dir, "cgroup.subtree_control"), val[64];
  bool on = cur && has_word(cur, ctrl);
  free(cur);
  if (on)
    return 0;
  snprintf(val, sizeof val, "+%s", ctrl);
  if (cg_write(dir, "cgroup.subtree_control", val, limit, e) < 0)
    return herr_wrap(e, "enable the %s controller", ctrl);
  return 0;
}

/* The controller must be offered by the hierarchy's root; then it is
 * enabled from the root down to the container's parent. */
static int need(const struct v2 *v, const char *ctrl, const char *limit, struct husk_err *e)
{
  char *avail = read_list(v->root, "cgroup.controllers"), dir[PATH_MAX];
  if (!avail || !has_word(avail, ctrl)) {
    int r = herr(e, ENOTSUP,
                 "%s: the %s controller is not available in the cgroup v2 hierarchy at %s "
                 "(cgroup.controllers: `%s`)",
                 limit, ctrl, v->root, avail ? avail : "");
    free(avail);
    return r;
  }
  free(avail);
  snprintf(dir, sizeof dir, "%s", v->root);
  for (const char *p = v->path; p && *p;) {
    const char *next = strchr(p + 1, '/');
    if (!next)
      break; /* p is the last component: the container itself */
    if (enable_in(dir, ctrl, limit, e) < 0)
      return -1;
    size_t len = strlen(dir);
    snprintf(dir + len, sizeof dir - len, "%.*s", (int)(next - p), p);
    p = next;
  }
  return enable_in(dir, ctrl, limit, e);
}

static int unsupported(const char *limit, const char *why, struct husk_err *e)
{
  return herr(e, ENOTSUP, "%s: not supported on cgroup v2 (%s)", limit, why);
}

static int v2_swap(const struct v2 *v, const struct oci_memory *m, struct husk_err *e)
{
  int64_t out = 0;
  const char *why = NULL;
  char val[32];
  int r = cg_swap_v2(m->limit.set ? m->limit.value : 0, m->swap.set ? m->swap.value : 0, &out,
                     &why);
  if (r < 0)
    return herr(e, EINVAL, L "memory.swap: %s", why);
  if (r == 0)
    return 0;
  if (!cg_file_exists(v->dir, "memory.swap.max")) {
    if (!m->swap.set)
      return 0; /* implied "max" for an unlimited memory: nothing asked */
    return herr(e, ENOENT, L "memory.swap: %s/memory.swap.max is missing (swap accounting "
                           "is disabled)", v->dir);
  }
  cg_fmt_max(out, val, sizeof val);
  return cg_write(v->dir, "memory.swap.max", val, L "memory.swap", e);
}

static int v2_memory(const struct v2 *v, const struct oci_memory *m, struct husk_err *e)
{
  char val[32];
  const char *limit = m->limit.set ? L "memory.limit" : L "memory";
  if (m->swappiness.set)
    return unsupported(L "memory.swappiness", "no memory.swappiness file", e);
  if (m->disable_oom_killer.set && m->disable_oom_killer.value)
    return unsupported(L "memory.disableOOMKiller", "the OOM killer cannot be disabled", e);
  if (m->use_hierarchy.set && !m->use_hierarchy.value)
    return unsupported(L "memory.useHierarchy", "v2 is always hierarchical", e);
  if (m->kernel.set || m->kernel_tcp.set)
    husk_warn(L "memory.kernel/kernelTCP: deprecated and not available on cgroup v2, ignored");
  if (!m->limit.set && !m->reservation.set && !m->swap.set)
    return 0;
  if (need(v, "memory", limit, e) < 0)
    return -1;
  if (cg_check_before_update(v->dir, "memory.current", m, e) < 0)
    return -1;
  if (m->limit.set) {
    cg_fmt_max(m->limit.value, val, sizeof val);
    if (cg_write(v->dir, "memory.max", val, L "memory.limit", e) < 0)
      return -1;
  }
  if (m->reservation.set) {
    cg_fmt_max(m->reservation.value, val, sizeof val);
    if (cg_write(v->dir, "memory.low", val, L "memory.reservation", e) < 0)
      return -1;
  }
  return v2_swap(v, m, e);
}

static int v2_cpuset(const struct v2 *v, const struct oci_cpu *c, struct husk_err *e)
{
  bool cpus = c->cpus && *c->cpus, mems = c->mems && *c->mems;
  if (!cpus && !mems)
    return 0;
  if (need(v, "cpuset", cpus ? L "cpu.cpus" : L "cpu.mems", e) < 0)
    return -1;
  if (cpus && cg_write(v->dir, "cpuset.cpus", c->cpus, L "cpu.cpus", e) < 0)
    return -1;
  if (mems && cg_write(v->dir, "cpuset.mems", c->mems, L "cpu.mems", e) < 0)
    return -1;
  return 0;
}

static int v2_cpu_max(const struct v2 *v, const struct oci_cpu *c, struct husk_err *e)
{
  char val[64];
  int64_t quota = c->quota.set ? c->quota.value : 0;
  uint64_t period = c->period.set ? c->period.value : 0;
  if (quota == 0 && period == 0)
    return 0;
  cg_fmt_max(quota > 0 ? quota : -1, val, sizeof val);
  if (period)
    snprintf(val + strlen(val), sizeof val - strlen(val), " %" PRIu64, period);
  return cg_write(v->dir, "cpu.max", val, quota ? L "cpu.quota" : L "cpu.period", e);
}

static int v2_cpu(const struct v2 *v, const struct oci_cpu *c, struct husk_err *e)
{
  bool weight = c->shares.set && c->shares.value;
  bool max = (c->quota.set && c->quota.value) || (c->period.set && c->period.value);
  if (c->realtime_period.set || c->realtime_runtime.set)
    return unsupported(L "cpu.realtimePeriod/realtimeRuntime", "no realtime cpu files", e);
  if (weight || max || c->burst.set || c->idle.set) {
    const char *limit = weight ? L "cpu.shares" : max ? L "cpu.quota" : L "cpu.burst";
    if (need(v, "cpu", limit, e) < 0)
      return -1;
  }
  if (weight && cg_write_i64(v->dir, "cpu.weight", (int64_t)cg_shares_to_weight(c->shares.value),
                             L "cpu.shares", e) < 0)
    return -1;
  if (v2_cpu_max(v, c, e) < 0)
    return -1;
  if (c->burst.set &&
      cg_write_i64(v->dir, "cpu.max.burst", (int64_t)c->burst.value, L "cpu.burst", e) < 0)
    return -1;
  if (c->idle.set && cg_write_i64(v->dir, "cpu.idle", c->idle.value, L "cpu.idle", e) < 0)
    return -1;
  return v2_cpuset(v, c, e);
}

static int v2_pids(const struct v2 *v, int64_t limit, struct husk_err *e)
{
  char val[32];
  if (need(v, "pids", L "pids.limit", e) < 0)
    return -1;
  cg_fmt_max(limit > 0 ? limit : -1, val, sizeof val);
  return cg_write(v->dir, "pids.max", val, L "pids.limit", e);
}

static int v2_io_max(const struct v2 *v, const struct oci_throttle_list *l, const char *key,
                     const char *limit, struct husk_err *e)
{
  for (size_t i = 0; i < l->n; i++) {
    char val[128];
    snprintf(val, sizeof val, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, l->items[i].major,
             l->items[i].minor, key, l->items[i].rate);
    if (cg_write(v->dir, "io.max", val, limit, e) < 0)
      return -1;
  }
  return 0;
}

static bool io_requested(const struct oci_block_io *b)
{
  return b->weight.set || b->n_weight_devices || b->read_bps.n || b->write_bps.n ||
         b->read_iops.n || b->write_iops.n;
}

static int v2_io_weight(const struct v2 *v, const struct oci_block_io *b, struct husk_err *e)
{
  char val[96];
  if (b->weight.set) {
    if (cg_file_exists(v->dir, "io.bfq.weight"))
      snprintf(val, sizeof val, "%" PRIu64, b->weight.value);
    else
      snprintf(val, sizeof val, "default %" PRIu64, cg_blkio_to_io_weight(b->weight.value));
    if (cg_write(v->dir, cg_file_exists(v->dir, "io.bfq.weight") ? "io.bfq.weight" : "io.weight",
                 val, L "blockIO.weight", e) < 0)
      return -1;
  }
  for (size_t i = 0; i < b->n_weight_devices; i++) {
    const struct oci_weight_device *w = &b->weight_devices[i];
    if (w->leaf_weight.set)
      return unsupported(L "blockIO.weightDevice.leafWeight", "no leaf weights", e);
    if (!w->weight.set)
      continue;
    snprintf(val, sizeof val, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
             cg_blkio_to_io_weight(w->weight.value));
    if (cg_write(v->dir, "io.weight", val, L "blockIO.weightDevice", e) < 0)
      return -1;
  }
  return 0;
}

static int v2_io(const struct v2 *v, const struct oci_block_io *b, struct husk_err *e)
{
  if (b->leaf_weight.set)
    return unsupported(L "blockIO.leafWeight", "no leaf weights", e);
  if (!io_requested(b))
    return 0;
  if (need(v, "io", L "blockIO", e) < 0 || v2_io_weight(v, b, e) < 0)
    return -1;
  if (v2_io_max(v, &b->read_bps, "rbps", L "blockIO.throttleReadBpsDevice", e) < 0 ||
      v2_io_max(v, &b->write_bps, "wbps", L "blockIO.throttleWriteBpsDevice", e) < 0 ||
      v2_io_max(v, &b->read_iops, "riops", L "blockIO.throttleReadIOPSDevice", e) < 0 ||
      v2_io_max(v, &b->write_iops, "wiops", L "blockIO.throttleWriteIOPSDevice", e) < 0)
    return -1;
  return 0;
}

static int v2_hugetlb(const struct v2 *v, const struct oci_resources *r, struct husk_err *e)
{
  if (r->n_hugepage_limits && need(v, "hugetlb", L "hugepageLimits", e) < 0)
    return -1;
  for (size_t i = 0; i < r->n_hugepage_limits; i++) {
    char file[128];
    snprintf(file, sizeof file, "hugetlb.%s.max", r->hugepage_limits[i].page_size);
    if (cg_write_i64(v->dir, file, (int64_t)r->hugepage_limits[i].limit, L "hugepageLimits",
                     e) < 0)
      return -1;
  }
  return 0;
}

static int v2_rdma(const struct v2 *v, const struct oci_resources *r, struct husk_err *e)
{
  if (r->n_rdma && need(v, "rdma", L "rdma", e) < 0)
    return -1;
  for (size_t i = 0; i < r->n_rdma; i++) {
    char val[256], h[32], o[32];
    const struct oci_rdma *d = &r->rdma[i];
    cg_fmt_max(d->hca_handles.set ? (int64_t)d->hca_handles.value : -1, h, sizeof h);
    cg_fmt_max(d->hca_objects.set ? (int64_t)d->hca_objects.value : -1, o, sizeof o);
    snprintf(val, sizeof val, "%s hca_handle=%s hca_object=%s", d->name, h, o);
    if (cg_write(v->dir, "rdma.max", val, L "rdma", e) < 0)
      return -1;
  }
  return 0;
}

/* linux.resources.unified: file name -> value, written verbatim. */
static int v2_unified(const struct v2 *v, const struct oci_map *u, struct husk_err *e)
{
  for (size_t i = 0; i < u->n; i++) {
    const char *key = u->items[i].key, *why = NULL;
    char ctrl[64], limit[320];
    if (cg_unified_key_check(key, &why) < 0)
      return herr(e, EINVAL, L "unified: key `%s`: %s", key ? key : "", why);
    snprintf(limit, sizeof limit, L "unified[\"%s\"]", key);
    cg_unified_key_controller(key, ctrl, sizeof ctrl);
    if (ctrl[0] && need(v, ctrl, limit, e) < 0)
      return -1;
    if (cg_write(v->dir, key, u->items[i].value, limit, e) < 0)
      return -1;
  }
  return 0;
}

static int v2_full(const struct v2 *v, const struct oci_resources *r, struct husk_err *e)
{
  if (r->has_memory && v2_memory(v, &r->memory, e) < 0)
    return -1;
  if (r->has_cpu && v2_cpu(v, &r->cpu, e) < 0)
    return -1;
  if (r->has_pids && r->pids_limit.set && v2_pids(v, r->pids_limit.value, e) < 0)
    return -1;
  if (r->has_block_io && v2_io(v, &r->block_io, e) < 0)
    return -1;
  if (r->has_network && (r->network.class_id.set || r->network.n_priorities))
    return unsupported(L "network", "net_cls/net_prio are v1-only controllers", e);
  if (v2_rdma(v, r, e) < 0)
    return -1;
  return 0;
}

int cg_apply_v2(const char *root, const char *path, const struct oci_resources *r, bool hybrid,
                struct husk_err *e)
{
  struct v2 v = {.root = root, .path = path};
  snprintf(v.dir, sizeof v.dir, "%s%s", root, path);
  if (!hybrid && (v2_full(&v, r, e) < 0 || fault_point("cgroup:wrote-v2", e) < 0))
    return -1;
  if (v2_hugetlb(&v, r, e) < 0 || fault_point("cgroup:wrote-hugetlb", e) < 0)
    return -1;
  if (v2_unified(&v, &r->unified, e) < 0)
    return -1;
  return fault_point("cgroup:wrote-unified", e);
}

int cg_apply_v2_devices(const char *root, const char *path, const struct oci_resources *r,
                        struct husk_err *e)
{
  char dir[PATH_MAX];
  struct cg_dev_rule *rules = NULL;
  size_t n = 0;
  int ret;
  snprintf(dir, sizeof dir, "%s%s", root, path);
  if (cg_dev_rules_effective(r, &rules, &n, e) < 0)
    return -1;
  ret = cg_bpf_dev_apply(dir, rules, n, e);
  free(rules);
  if (ret == 0)
    return fault_point("cgroup:wrote-devices", e);
  /* Rootless: no eBPF without CAP_BPF; the container can only reach the
   * devices it was given anyway (runc and crun skip it the same way). */
  if (ret < 0 && geteuid() != 0 && e && e->errnum == EPERM) {
    husk_warn("%s; device rules not enforced (rootless)", e->msg);
    herr_clear(e);
    return 0;
  }
  return ret;
}
