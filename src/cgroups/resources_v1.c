/* linux.resources on cgroup v1 controllers (v1 hosts and the v1 part of a
 * hybrid host). Every requested limit is written or reported as an error
 * naming it; nothing is dropped silently. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroups/device_rules.h"
#include "cgroups/resources.h"
#include "util/fault.h"
#include "util/log.h"

#define L "linux.resources."

static void v1_dir(char *buf, size_t len, const char *ctrl, const char *path)
{
  snprintf(buf, len, CG_ROOT "/%s%s", ctrl, path);
}

/* Writes two files whose values constrain each other (memory+swap, rt
 * runtime+period): in order, or in the opposite order when the first fails. */
static int write_pair(const char *dir, const char *f1, int64_t v1, const char *l1, const char *f2,
                      int64_t v2, const char *l2, struct husk_err *e)
{
  if (cg_write_i64(dir, f1, v1, l1, NULL) == 0)
    return cg_write_i64(dir, f2, v2, l2, e);
  if (cg_write_i64(dir, f2, v2, l2, e) < 0)
    return -1;
  return cg_write_i64(dir, f1, v1, l1, e);
}

static int v1_limit_swap(const char *dir, const struct oci_memory *m, struct husk_err *e)
{
  static const char memsw[] = "memory.memsw.limit_in_bytes";
  if (m->swap.set && !cg_file_exists(dir, memsw))
    return herr(e, ENOENT,
                L "memory.swap: %s/%s is missing (swap accounting is disabled on this host)", dir,
                memsw);
  if (!m->swap.set)
    return cg_write_i64(dir, "memory.limit_in_bytes", m->limit.value, L "memory.limit", e);
  if (!m->limit.set)
    return cg_write_i64(dir, memsw, m->swap.value, L "memory.swap", e);
  return write_pair(dir, "memory.limit_in_bytes", m->limit.value, L "memory.limit", memsw,
                    m->swap.value, L "memory.swap", e);
}

/* Kernel memory limits are deprecated (runtime-spec) and gone from recent
 * kernels: written when the file exists, otherwise a warning (as runc). */
static int v1_kmem(const char *dir, const char *file, int64_t v, const char *limit,
                   struct husk_err *e)
{
  if (!cg_file_exists(dir, file)) {
    husk_warn("%s: %s/%s is missing; kernel memory limits are deprecated, ignored", limit, dir,
              file);
    return 0;
  }
  if (cg_write_i64(dir, file, v, limit, e) < 0)
    return -1;
  /* Since Linux 5.16 writes to memory.kmem.limit_in_bytes are accepted and
   * ignored: say so instead of pretending the limit is in place. */
  int64_t now;
  if (v >= 0 && cg_read_i64(dir, file, &now) == 0 && now > v + (1 << 20) && now >= INT64_MAX / 2)
    husk_warn("%s: the kernel ignores %s/%s (kernel memory limits are deprecated); not enforced",
              limit, dir, file);
  return 0;
}

/* The usage moves (a fork, a page fault): a limit just above it can fail
 * with EBUSY once and pass the next time. A few tries, 20 ms apart. */
static int v1_limit_swap_retry(const char *dir, const struct oci_memory *m, struct husk_err *e)
{
  int r = -1;
  for (int i = 0; i < 5; i++) {
    struct timespec ts = {0, 20000000};
    if ((r = v1_limit_swap(dir, m, e)) == 0) {
      herr_clear(e); /* an EBUSY of an earlier try is not an error now */
      return 0;
    }
    if (!e || e->errnum != EBUSY)
      return r;
    nanosleep(&ts, NULL);
  }
  return r;
}

/* EBUSY from a limit write: the usage is above it and could not be
 * reclaimed; say how much is in use. */
static int busy_hint(const char *dir, struct husk_err *e)
{
  int64_t usage;
  char *old;
  if (!e || e->errnum != EBUSY || cg_read_i64(dir, "memory.usage_in_bytes", &usage) < 0)
    return -1;
  old = e->msg;
  e->msg = NULL;
  herr(e, 0,
       "%s (the kernel could not reclaim the container's memory below the new limit; "
       "it uses %" PRId64 " bytes now)",
       old, usage);
  free(old);
  e->errnum = EBUSY;
  return -EBUSY;
}

static int v1_memory(const char *path, const struct oci_memory *m, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "memory", path);
  if (cg_check_before_update(dir, "memory.usage_in_bytes", m, e) < 0)
    return -1;
  if ((m->limit.set || m->swap.set) && v1_limit_swap_retry(dir, m, e) < 0)
    return busy_hint(dir, e);
  if (m->reservation.set && cg_write_i64(dir, "memory.soft_limit_in_bytes", m->reservation.value,
                                         L "memory.reservation", e) < 0)
    return -1;
  if (m->kernel.set &&
      v1_kmem(dir, "memory.kmem.limit_in_bytes", m->kernel.value, L "memory.kernel", e) < 0)
    return -1;
  if (m->kernel_tcp.set && v1_kmem(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.value,
                                   L "memory.kernelTCP", e) < 0)
    return -1;
  if (m->swappiness.set && m->swappiness.value > 100)
    return herr(e, EINVAL, L "memory.swappiness: %" PRIu64 " is not in 0..100",
                m->swappiness.value);
  if (m->swappiness.set && cg_write_i64(dir, "memory.swappiness", (int64_t)m->swappiness.value,
                                        L "memory.swappiness", e) < 0)
    return -1;
  if (m->disable_oom_killer.set &&
      cg_write(dir, "memory.oom_control", m->disable_oom_killer.value ? "1" : "0",
               L "memory.disableOOMKiller", e) < 0)
    return -1;
  if (m->use_hierarchy.set &&
      cg_write(dir, "memory.use_hierarchy", m->use_hierarchy.value ? "1" : "0",
               L "memory.useHierarchy", e) < 0)
    return -1;
  return 0;
}

static int v1_cpuset(const char *path, const struct oci_cpu *c, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "cpuset", path);
  if (c->cpus && *c->cpus && cg_write(dir, "cpuset.cpus", c->cpus, L "cpu.cpus", e) < 0)
    return -1;
  if (c->mems && *c->mems && cg_write(dir, "cpuset.mems", c->mems, L "cpu.mems", e) < 0)
    return -1;
  return 0;
}

/* Real-time bandwidth: a child gets at most what its parent was granted
 * (the kernel says EINVAL); the error then names the parent's budget. */
static int v1_cpu_rt(const char *dir, const struct oci_cpu *c, struct husk_err *e)
{
  char parent[PATH_MAX], *old;
  int64_t budget;
  int r = 0;
  if (c->realtime_period.set && c->realtime_runtime.set)
    r = write_pair(dir, "cpu.rt_period_us", (int64_t)c->realtime_period.value,
                   L "cpu.realtimePeriod", "cpu.rt_runtime_us", c->realtime_runtime.value,
                   L "cpu.realtimeRuntime", e);
  else if (c->realtime_period.set)
    r = cg_write_i64(dir, "cpu.rt_period_us", (int64_t)c->realtime_period.value,
                     L "cpu.realtimePeriod", e);
  else if (c->realtime_runtime.set)
    r = cg_write_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime.value, L "cpu.realtimeRuntime",
                     e);
  if (r == 0 || !e || e->errnum != EINVAL || !c->realtime_runtime.set)
    return r;
  snprintf(parent, sizeof parent, "%s", dir);
  *strrchr(parent, '/') = '\0';
  if (cg_read_i64(parent, "cpu.rt_runtime_us", &budget) < 0 || budget >= c->realtime_runtime.value)
    return r;
  old = e->msg;
  e->msg = NULL;
  herr(e, 0,
       "%s (the parent cgroup %s is granted %" PRId64 " us of real-time runtime: grant "
       "real-time runtime to every ancestor first)",
       old, parent, budget);
  free(old);
  e->errnum = EINVAL;
  return -EINVAL;
}

static int v1_cpu(const char *path, const struct oci_cpu *c, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "cpu", path);
  if (c->shares.set && c->shares.value &&
      cg_write_i64(dir, "cpu.shares", (int64_t)c->shares.value, L "cpu.shares", e) < 0)
    return -1;
  if (c->period.set && c->period.value &&
      cg_write_i64(dir, "cpu.cfs_period_us", (int64_t)c->period.value, L "cpu.period", e) < 0)
    return -1;
  if (c->quota.set && c->quota.value &&
      cg_write_i64(dir, "cpu.cfs_quota_us", c->quota.value, L "cpu.quota", e) < 0)
    return -1;
  if (c->burst.set &&
      cg_write_i64(dir, "cpu.cfs_burst_us", (int64_t)c->burst.value, L "cpu.burst", e) < 0)
    return -1;
  if (v1_cpu_rt(dir, c, e) < 0)
    return -1;
  if (c->idle.set && cg_write_i64(dir, "cpu.idle", c->idle.value, L "cpu.idle", e) < 0)
    return -1;
  return v1_cpuset(path, c, e);
}

static int v1_pids(const char *path, int64_t limit, struct husk_err *e)
{
  char dir[PATH_MAX], val[32];
  v1_dir(dir, sizeof dir, "pids", path);
  cg_fmt_max(limit > 0 ? limit : -1, val, sizeof val);
  return cg_write(dir, "pids.max", val, L "pids.limit", e);
}

/* blkio.weight exists with CFQ; with BFQ the files are blkio.bfq.*. */
static const char *blkio_file(const char *dir, const char *plain, const char *bfq)
{
  return !cg_file_exists(dir, plain) && cg_file_exists(dir, bfq) ? bfq : plain;
}

static int v1_throttle(const char *dir, const char *file, const struct oci_throttle_list *l,
                       const char *limit, struct husk_err *e)
{
  for (size_t i = 0; i < l->n; i++) {
    char val[96];
    snprintf(val, sizeof val, "%" PRId64 ":%" PRId64 " %" PRIu64, l->items[i].major,
             l->items[i].minor, l->items[i].rate);
    if (cg_write(dir, file, val, limit, e) < 0)
      return -1;
  }
  return 0;
}

static int v1_weight_devices(const char *dir, const struct oci_block_io *b, struct husk_err *e)
{
  for (size_t i = 0; i < b->n_weight_devices; i++) {
    const struct oci_weight_device *w = &b->weight_devices[i];
    char val[96];
    if (w->weight.set) {
      snprintf(val, sizeof val, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
               w->weight.value);
      if (cg_write(dir, blkio_file(dir, "blkio.weight_device", "blkio.bfq.weight_device"), val,
                   L "blockIO.weightDevice", e) < 0)
        return -1;
    }
    if (w->leaf_weight.set) {
      snprintf(val, sizeof val, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
               w->leaf_weight.value);
      if (cg_write(dir, "blkio.leaf_weight_device", val, L "blockIO.weightDevice.leafWeight", e) <
          0)
        return -1;
    }
  }
  return 0;
}

static int v1_blkio(const char *path, const struct oci_block_io *b, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "blkio", path);
  if (b->weight.set && cg_write_i64(dir, blkio_file(dir, "blkio.weight", "blkio.bfq.weight"),
                                    (int64_t)b->weight.value, L "blockIO.weight", e) < 0)
    return -1;
  if (b->leaf_weight.set && cg_write_i64(dir, "blkio.leaf_weight", (int64_t)b->leaf_weight.value,
                                         L "blockIO.leafWeight", e) < 0)
    return -1;
  if (v1_weight_devices(dir, b, e) < 0 ||
      v1_throttle(dir, "blkio.throttle.read_bps_device", &b->read_bps,
                  L "blockIO.throttleReadBpsDevice", e) < 0 ||
      v1_throttle(dir, "blkio.throttle.write_bps_device", &b->write_bps,
                  L "blockIO.throttleWriteBpsDevice", e) < 0 ||
      v1_throttle(dir, "blkio.throttle.read_iops_device", &b->read_iops,
                  L "blockIO.throttleReadIOPSDevice", e) < 0 ||
      v1_throttle(dir, "blkio.throttle.write_iops_device", &b->write_iops,
                  L "blockIO.throttleWriteIOPSDevice", e) < 0)
    return -1;
  return 0;
}

static int v1_hugetlb(const char *path, const struct oci_resources *r, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "hugetlb", path);
  for (size_t i = 0; i < r->n_hugepage_limits; i++) {
    char file[128];
    snprintf(file, sizeof file, "hugetlb.%s.limit_in_bytes", r->hugepage_limits[i].page_size);
    if (cg_write_i64(dir, file, (int64_t)r->hugepage_limits[i].limit, L "hugepageLimits", e) < 0)
      return -1;
  }
  return 0;
}

static int v1_network(const char *path, const struct oci_network *n, struct husk_err *e)
{
  char dir[PATH_MAX];
  if (n->class_id.set) {
    v1_dir(dir, sizeof dir, "net_cls", path);
    if (cg_write_i64(dir, "net_cls.classid", (int64_t)n->class_id.value, L "network.classID", e) <
        0)
      return -1;
  }
  v1_dir(dir, sizeof dir, "net_prio", path);
  for (size_t i = 0; i < n->n_priorities; i++) {
    char val[128];
    snprintf(val, sizeof val, "%s %" PRIu32, n->priorities[i].name, n->priorities[i].priority);
    if (cg_write(dir, "net_prio.ifpriomap", val, L "network.priorities", e) < 0)
      return -1;
  }
  return 0;
}

static int v1_rdma(const char *path, const struct oci_resources *r, struct husk_err *e)
{
  char dir[PATH_MAX];
  v1_dir(dir, sizeof dir, "rdma", path);
  for (size_t i = 0; i < r->n_rdma; i++) {
    char val[256], h[32], o[32];
    const struct oci_rdma *d = &r->rdma[i];
    cg_fmt_max(d->hca_handles.set ? (int64_t)d->hca_handles.value : -1, h, sizeof h);
    cg_fmt_max(d->hca_objects.set ? (int64_t)d->hca_objects.value : -1, o, sizeof o);
    snprintf(val, sizeof val, "%s hca_handle=%s hca_object=%s", d->name, h, o);
    if (cg_write(dir, "rdma.max", val, L "rdma", e) < 0)
      return -1;
  }
  return 0;
}

/* devices.deny "a", then the effective rule list (device_rules.h): the
 * defaults survive a leading deny-all, and later spec rules still win (a
 * spec rule can deny /dev/null). */
static int v1_devices(const char *path, const struct oci_resources *r, struct husk_err *e)
{
  char dir[PATH_MAX], rule[96];
  struct cg_dev_rule *list = NULL;
  size_t n = 0;
  int ret = 0;
  v1_dir(dir, sizeof dir, "devices", path);
  if (cg_dev_rules_effective(r, &list, &n, e) < 0)
    return -1;
  for (size_t i = 0; i < n && ret == 0; i++) {
    cg_dev_rule_format(&list[i], rule, sizeof rule);
    ret = cg_write(dir, list[i].allow ? "devices.allow" : "devices.deny", rule, L "devices", e);
  }
  free(list);
  return ret;
}

/* Each controller's writes, then its fault point "cgroup:wrote-<name>". */
int cg_apply_v1(const char *path, const struct oci_resources *r, bool hugetlb_in_unified,
                bool create, struct husk_err *e)
{
  if ((r->has_memory && v1_memory(path, &r->memory, e) < 0) ||
      fault_point("cgroup:wrote-memory", e) < 0)
    return -1;
  if ((r->has_cpu && v1_cpu(path, &r->cpu, e) < 0) || fault_point("cgroup:wrote-cpu", e) < 0)
    return -1;
  if ((r->has_pids && r->pids_limit.set && v1_pids(path, r->pids_limit.value, e) < 0) ||
      fault_point("cgroup:wrote-pids", e) < 0)
    return -1;
  if ((r->has_block_io && v1_blkio(path, &r->block_io, e) < 0) ||
      fault_point("cgroup:wrote-blkio", e) < 0)
    return -1;
  if (!hugetlb_in_unified &&
      (v1_hugetlb(path, r, e) < 0 || fault_point("cgroup:wrote-hugetlb", e) < 0))
    return -1;
  if ((r->has_network && v1_network(path, &r->network, e) < 0) ||
      fault_point("cgroup:wrote-network", e) < 0)
    return -1;
  if (v1_rdma(path, r, e) < 0 || fault_point("cgroup:wrote-rdma", e) < 0)
    return -1;
  if (!create && r->n_devices == 0)
    return 0;
  if (v1_devices(path, r, e) < 0)
    return -1;
  return fault_point("cgroup:wrote-devices", e);
}
