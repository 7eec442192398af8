/* oci_spec_to_json: linux.resources. */
#include "spec_internal.h"

static void write_device_rules(struct oci_json_gen *g, const struct oci_resources *r)
{
  if (!r->devices)
    return;
  oci_json_key(g, "devices");
  oci_json_array_open(g);
  for (size_t i = 0; i < r->n_devices; i++) {
    const struct oci_device_rule *d = &r->devices[i];
    oci_json_map_open(g);
    oci_json_kv_bool(g, "allow", d->allow);
    oci_write_kv_str(g, "type", d->type);
    oci_write_opt_i64(g, "major", d->major);
    oci_write_opt_i64(g, "minor", d->minor);
    oci_write_kv_str(g, "access", d->access);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_memory(struct oci_json_gen *g, const struct oci_memory *m)
{
  oci_json_key(g, "memory");
  oci_json_map_open(g);
  oci_write_opt_i64(g, "limit", m->limit);
  oci_write_opt_i64(g, "reservation", m->reservation);
  oci_write_opt_i64(g, "swap", m->swap);
  oci_write_opt_i64(g, "kernel", m->kernel);
  oci_write_opt_i64(g, "kernelTCP", m->kernel_tcp);
  oci_write_opt_u64(g, "swappiness", m->swappiness);
  oci_write_opt_bool(g, "disableOOMKiller", m->disable_oom_killer);
  oci_write_opt_bool(g, "useHierarchy", m->use_hierarchy);
  oci_write_opt_bool(g, "checkBeforeUpdate", m->check_before_update);
  oci_json_map_close(g);
}

static void write_cpu(struct oci_json_gen *g, const struct oci_cpu *c)
{
  oci_json_key(g, "cpu");
  oci_json_map_open(g);
  oci_write_opt_u64(g, "shares", c->shares);
  oci_write_opt_i64(g, "quota", c->quota);
  oci_write_opt_u64(g, "burst", c->burst);
  oci_write_opt_u64(g, "period", c->period);
  oci_write_opt_i64(g, "realtimeRuntime", c->realtime_runtime);
  oci_write_opt_u64(g, "realtimePeriod", c->realtime_period);
  oci_write_kv_str(g, "cpus", c->cpus);
  oci_write_kv_str(g, "mems", c->mems);
  oci_write_opt_i64(g, "idle", c->idle);
  oci_json_map_close(g);
}

static void write_throttles(struct oci_json_gen *g, const char *key,
                            const struct oci_throttle_list *l)
{
  if (!l->items)
    return;
  oci_json_key(g, key);
  oci_json_array_open(g);
  for (size_t i = 0; i < l->n; i++) {
    oci_json_map_open(g);
    oci_json_kv_int(g, "major", l->items[i].major);
    oci_json_kv_int(g, "minor", l->items[i].minor);
    oci_write_kv_uint(g, "rate", l->items[i].rate);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_block_io(struct oci_json_gen *g, const struct oci_block_io *b)
{
  oci_json_key(g, "blockIO");
  oci_json_map_open(g);
  oci_write_opt_u64(g, "weight", b->weight);
  oci_write_opt_u64(g, "leafWeight", b->leaf_weight);
  if (b->weight_devices) {
    oci_json_key(g, "weightDevice");
    oci_json_array_open(g);
    for (size_t i = 0; i < b->n_weight_devices; i++) {
      const struct oci_weight_device *w = &b->weight_devices[i];
      oci_json_map_open(g);
      oci_json_kv_int(g, "major", w->major);
      oci_json_kv_int(g, "minor", w->minor);
      oci_write_opt_u64(g, "weight", w->weight);
      oci_write_opt_u64(g, "leafWeight", w->leaf_weight);
      oci_json_map_close(g);
    }
    oci_json_array_close(g);
  }
  write_throttles(g, "throttleReadBpsDevice", &b->read_bps);
  write_throttles(g, "throttleWriteBpsDevice", &b->write_bps);
  write_throttles(g, "throttleReadIOPSDevice", &b->read_iops);
  write_throttles(g, "throttleWriteIOPSDevice", &b->write_iops);
  oci_json_map_close(g);
}

static void write_hugepages(struct oci_json_gen *g, const struct oci_resources *r)
{
  if (!r->hugepage_limits)
    return;
  oci_json_key(g, "hugepageLimits");
  oci_json_array_open(g);
  for (size_t i = 0; i < r->n_hugepage_limits; i++) {
    oci_json_map_open(g);
    oci_write_kv_str(g, "pageSize", r->hugepage_limits[i].page_size);
    oci_write_kv_uint(g, "limit", r->hugepage_limits[i].limit);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_network(struct oci_json_gen *g, const struct oci_network *n)
{
  oci_json_key(g, "network");
  oci_json_map_open(g);
  oci_write_opt_u64(g, "classID", n->class_id);
  if (n->priorities) {
    oci_json_key(g, "priorities");
    oci_json_array_open(g);
    for (size_t i = 0; i < n->n_priorities; i++) {
      oci_json_map_open(g);
      oci_write_kv_str(g, "name", n->priorities[i].name);
      oci_write_kv_uint(g, "priority", n->priorities[i].priority);
      oci_json_map_close(g);
    }
    oci_json_array_close(g);
  }
  oci_json_map_close(g);
}

static void write_rdma(struct oci_json_gen *g, const struct oci_resources *r)
{
  if (!r->rdma)
    return;
  oci_json_key(g, "rdma");
  oci_json_map_open(g);
  for (size_t i = 0; i < r->n_rdma; i++) {
    oci_json_key(g, r->rdma[i].name);
    oci_json_map_open(g);
    oci_write_opt_u64(g, "hcaHandles", r->rdma[i].hca_handles);
    oci_write_opt_u64(g, "hcaObjects", r->rdma[i].hca_objects);
    oci_json_map_close(g);
  }
  oci_json_map_close(g);
}

void oci_write_resources(struct oci_json_gen *g, const struct oci_resources *r)
{
  write_device_rules(g, r);
  if (r->has_memory)
    write_memory(g, &r->memory);
  if (r->has_cpu)
    write_cpu(g, &r->cpu);
  if (r->has_pids || r->pids_limit.set) {
    oci_json_key(g, "pids");
    oci_json_map_open(g);
    oci_json_kv_int(g, "limit", r->pids_limit.value);
    oci_json_map_close(g);
  }
  if (r->has_block_io)
    write_block_io(g, &r->block_io);
  write_hugepages(g, r);
  if (r->has_network)
    write_network(g, &r->network);
  write_rdma(g, r);
  oci_write_map(g, "unified", &r->unified);
}
