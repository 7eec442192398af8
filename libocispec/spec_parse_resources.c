/* linux.resources (also a whole resources.json for update --resources). */
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"

static int read_device_rule(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_device_rule *d = elem;
  if (jr_require(r, o, "allow") < 0 || jr_bool(r, o, "allow", &d->allow) < 0 ||
      jr_string(r, o, "type", &d->type, false) < 0 ||
      jr_opt_i64(r, o, "major", &d->major) < 0 || jr_opt_i64(r, o, "minor", &d->minor) < 0 ||
      jr_string(r, o, "access", &d->access, false) < 0)
    return -1;
  return 0;
}

static int read_memory(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  struct oci_memory *m = &res->memory;
  res->has_memory = true;
  if (jr_opt_i64(r, o, "limit", &m->limit) < 0 ||
      jr_opt_i64(r, o, "reservation", &m->reservation) < 0 ||
      jr_opt_i64(r, o, "swap", &m->swap) < 0 || jr_opt_i64(r, o, "kernel", &m->kernel) < 0 ||
      jr_opt_i64(r, o, "kernelTCP", &m->kernel_tcp) < 0 ||
      jr_opt_uint(r, o, "swappiness", UINT64_MAX, &m->swappiness) < 0 ||
      jr_opt_bool(r, o, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
      jr_opt_bool(r, o, "useHierarchy", &m->use_hierarchy) < 0 ||
      jr_opt_bool(r, o, "checkBeforeUpdate", &m->check_before_update) < 0)
    return -1;
  return 0;
}

static int read_cpu(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  struct oci_cpu *c = &res->cpu;
  res->has_cpu = true;
  if (jr_opt_uint(r, o, "shares", UINT64_MAX, &c->shares) < 0 ||
      jr_opt_i64(r, o, "quota", &c->quota) < 0 ||
      jr_opt_uint(r, o, "burst", UINT64_MAX, &c->burst) < 0 ||
      jr_opt_uint(r, o, "period", UINT64_MAX, &c->period) < 0 ||
      jr_opt_i64(r, o, "realtimeRuntime", &c->realtime_runtime) < 0 ||
      jr_opt_uint(r, o, "realtimePeriod", UINT64_MAX, &c->realtime_period) < 0 ||
      jr_string(r, o, "cpus", &c->cpus, false) < 0 ||
      jr_string(r, o, "mems", &c->mems, false) < 0 || jr_opt_i64(r, o, "idle", &c->idle) < 0)
    return -1;
  return 0;
}

static int read_pids(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  res->has_pids = true;
  res->pids_limit.set = true;
  return jr_i64(r, o, "limit", &res->pids_limit.value, true);
}

static int read_weight_device(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_weight_device *w = elem;
  if (jr_i64(r, o, "major", &w->major, true) < 0 || jr_i64(r, o, "minor", &w->minor, true) < 0 ||
      jr_opt_uint(r, o, "weight", UINT16_MAX, &w->weight) < 0 ||
      jr_opt_uint(r, o, "leafWeight", UINT16_MAX, &w->leaf_weight) < 0)
    return -1;
  return 0;
}

static int read_throttle(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_throttle_device *t = elem;
  if (jr_i64(r, o, "major", &t->major, true) < 0 || jr_i64(r, o, "minor", &t->minor, true) < 0 ||
      jr_u64(r, o, "rate", &t->rate, false) < 0)
    return -1;
  return 0;
}

static int read_throttles(struct jr *r, const struct oci_json *o, const char *key,
                          struct oci_throttle_list *l)
{
  return jr_array_of(r, o, key, sizeof(*l->items), &l->items, &l->n, read_throttle);
}

static int read_block_io(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  struct oci_block_io *b = &res->block_io;
  res->has_block_io = true;
  if (jr_opt_uint(r, o, "weight", UINT16_MAX, &b->weight) < 0 ||
      jr_opt_uint(r, o, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0 ||
      jr_array_of(r, o, "weightDevice", sizeof(*b->weight_devices), &b->weight_devices,
                  &b->n_weight_devices, read_weight_device) < 0 ||
      read_throttles(r, o, "throttleReadBpsDevice", &b->read_bps) < 0 ||
      read_throttles(r, o, "throttleWriteBpsDevice", &b->write_bps) < 0 ||
      read_throttles(r, o, "throttleReadIOPSDevice", &b->read_iops) < 0 ||
      read_throttles(r, o, "throttleWriteIOPSDevice", &b->write_iops) < 0)
    return -1;
  return 0;
}

static int read_hugepage(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_hugepage_limit *h = elem;
  if (jr_string(r, o, "pageSize", &h->page_size, true) < 0 ||
      jr_u64(r, o, "limit", &h->limit, true) < 0)
    return -1;
  return 0;
}

static int read_priority(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_net_priority *p = elem;
  if (jr_string(r, o, "name", &p->name, true) < 0 ||
      jr_u32(r, o, "priority", &p->priority, true) < 0)
    return -1;
  return 0;
}

static int read_network(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  struct oci_network *n = &res->network;
  res->has_network = true;
  if (jr_opt_uint(r, o, "classID", UINT32_MAX, &n->class_id) < 0 ||
      jr_array_of(r, o, "priorities", sizeof(*n->priorities), &n->priorities, &n->n_priorities,
                  read_priority) < 0)
    return -1;
  return 0;
}

static int read_rdma(struct jr *r, const char *key, const struct oci_json *o, void *elem)
{
  struct oci_rdma *d = elem;
  d->name = strdup(key);
  if (!d->name)
    return jr_fail(r, "out of memory");
  if (jr_opt_uint(r, o, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0 ||
      jr_opt_uint(r, o, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
    return -1;
  return 0;
}

int oci_read_resources(struct jr *r, const struct oci_json *o, struct oci_resources *res)
{
  if (jr_array_of(r, o, "devices", sizeof(*res->devices), &res->devices, &res->n_devices,
                  read_device_rule) < 0 ||
      JR_SUB(r, o, "memory", read_memory, res) < 0 || JR_SUB(r, o, "cpu", read_cpu, res) < 0 ||
      JR_SUB(r, o, "pids", read_pids, res) < 0 ||
      JR_SUB(r, o, "blockIO", read_block_io, res) < 0 ||
      jr_array_of(r, o, "hugepageLimits", sizeof(*res->hugepage_limits), &res->hugepage_limits,
                  &res->n_hugepage_limits, read_hugepage) < 0 ||
      JR_SUB(r, o, "network", read_network, res) < 0 ||
      jr_object_of(r, o, "rdma", sizeof(*res->rdma), &res->rdma, &res->n_rdma, read_rdma) < 0 ||
      jr_map(r, o, "unified", &res->unified) < 0)
    return -1;
  return 0;
}

static int resources_doc(struct jr *r, const struct oci_json *root, void *out)
{
  return oci_read_resources(r, root, out);
}

int oci_resources_parse(const char *data, size_t len, const char *name,
                        struct oci_resources **out, char **errmsg)
{
  struct oci_resources *res = calloc(1, sizeof(*res));
  *out = NULL;
  *errmsg = NULL;
  if (!res)
    return -1;
  if (oci_parse_document(data, len, name, resources_doc, res, errmsg) < 0) {
    oci_resources_free(res);
    return -1;
  }
  *out = res;
  return 0;
}
