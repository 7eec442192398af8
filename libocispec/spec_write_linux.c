/* oci_spec_to_json: the "linux" object, resources and seccomp. */
#include "spec_internal.h"

static void write_namespaces(struct oci_json_gen *g, const struct oci_linux *l)
{
  if (!l->namespaces)
    return;
  oci_json_key(g, "namespaces");
  oci_json_array_open(g);
  for (size_t i = 0; i < l->n_namespaces; i++) {
    oci_json_map_open(g);
    oci_write_kv_str(g, "type", l->namespaces[i].type);
    oci_write_kv_str(g, "path", l->namespaces[i].path);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_time_offsets(struct oci_json_gen *g, const struct oci_linux *l)
{
  if (!l->time_offsets)
    return;
  oci_json_key(g, "timeOffsets");
  oci_json_map_open(g);
  for (size_t i = 0; i < l->n_time_offsets; i++) {
    oci_json_key(g, l->time_offsets[i].clock);
    oci_json_map_open(g);
    oci_json_kv_int(g, "secs", l->time_offsets[i].secs);
    oci_write_kv_uint(g, "nanosecs", l->time_offsets[i].nanosecs);
    oci_json_map_close(g);
  }
  oci_json_map_close(g);
}

static void write_devices(struct oci_json_gen *g, const struct oci_linux *l)
{
  if (!l->devices)
    return;
  oci_json_key(g, "devices");
  oci_json_array_open(g);
  for (size_t i = 0; i < l->n_devices; i++) {
    const struct oci_device *d = &l->devices[i];
    oci_json_map_open(g);
    oci_write_kv_str(g, "type", d->type);
    oci_write_kv_str(g, "path", d->path);
    oci_json_kv_int(g, "major", d->major);
    oci_json_kv_int(g, "minor", d->minor);
    oci_write_opt_u64(g, "fileMode", d->file_mode);
    oci_write_opt_u64(g, "uid", d->uid);
    oci_write_opt_u64(g, "gid", d->gid);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_net_devices(struct oci_json_gen *g, const struct oci_linux *l)
{
  if (!l->net_devices)
    return;
  oci_json_key(g, "netDevices");
  oci_json_map_open(g);
  for (size_t i = 0; i < l->n_net_devices; i++) {
    oci_json_key(g, l->net_devices[i].host_name);
    oci_json_map_open(g);
    oci_write_kv_str(g, "name", l->net_devices[i].name);
    oci_json_map_close(g);
  }
  oci_json_map_close(g);
}

static void write_syscall(struct oci_json_gen *g, const struct oci_seccomp_syscall *sc)
{
  oci_json_map_open(g);
  oci_write_strv(g, "names", sc->names);
  oci_write_kv_str(g, "action", sc->action);
  oci_write_opt_u64(g, "errnoRet", sc->errno_ret);
  if (sc->args) {
    oci_json_key(g, "args");
    oci_json_array_open(g);
    for (size_t i = 0; i < sc->n_args; i++) {
      oci_json_map_open(g);
      oci_write_kv_uint(g, "index", sc->args[i].index);
      oci_write_kv_uint(g, "value", sc->args[i].value);
      oci_write_kv_uint(g, "valueTwo", sc->args[i].value_two);
      oci_write_kv_str(g, "op", sc->args[i].op);
      oci_json_map_close(g);
    }
    oci_json_array_close(g);
  }
  oci_json_map_close(g);
}

static void write_seccomp(struct oci_json_gen *g, const struct oci_seccomp *s)
{
  if (!s->set)
    return;
  oci_json_key(g, "seccomp");
  oci_json_map_open(g);
  oci_write_kv_str(g, "defaultAction", s->default_action);
  oci_write_opt_u64(g, "defaultErrnoRet", s->default_errno_ret);
  oci_write_strv(g, "architectures", s->architectures);
  oci_write_strv(g, "flags", s->flags);
  oci_write_kv_str(g, "listenerPath", s->listener_path);
  oci_write_kv_str(g, "listenerMetadata", s->listener_metadata);
  if (s->syscalls) {
    oci_json_key(g, "syscalls");
    oci_json_array_open(g);
    for (size_t i = 0; i < s->n_syscalls; i++)
      write_syscall(g, &s->syscalls[i]);
    oci_json_array_close(g);
  }
  oci_json_map_close(g);
}

static void write_extras(struct oci_json_gen *g, const struct oci_linux *l)
{
  if (l->intel_rdt.set) {
    oci_json_key(g, "intelRdt");
    oci_json_map_open(g);
    oci_write_kv_str(g, "closID", l->intel_rdt.clos_id);
    oci_write_kv_str(g, "l3CacheSchema", l->intel_rdt.l3_cache_schema);
    oci_write_kv_str(g, "memBwSchema", l->intel_rdt.mem_bw_schema);
    oci_write_strv(g, "schemata", l->intel_rdt.schemata);
    oci_json_kv_bool(g, "enableMonitoring", l->intel_rdt.enable_monitoring);
    oci_json_map_close(g);
  }
  if (l->personality.set) {
    oci_json_key(g, "personality");
    oci_json_map_open(g);
    oci_write_kv_str(g, "domain", l->personality.domain);
    oci_write_strv(g, "flags", l->personality.flags);
    oci_json_map_close(g);
  }
  if (l->memory_policy.set) {
    oci_json_key(g, "memoryPolicy");
    oci_json_map_open(g);
    oci_write_kv_str(g, "mode", l->memory_policy.mode);
    oci_write_kv_str(g, "nodes", l->memory_policy.nodes);
    oci_write_strv(g, "flags", l->memory_policy.flags);
    oci_json_map_close(g);
  }
}

void oci_write_linux(struct oci_json_gen *g, const struct oci_linux *l)
{
  write_namespaces(g, l);
  oci_write_id_mappings(g, "uidMappings", &l->uid_mappings);
  oci_write_id_mappings(g, "gidMappings", &l->gid_mappings);
  write_time_offsets(g, l);
  write_devices(g, l);
  write_net_devices(g, l);
  oci_write_kv_str(g, "cgroupsPath", l->cgroups_path);
  if (l->has_resources) {
    oci_json_key(g, "resources");
    oci_json_map_open(g);
    oci_write_resources(g, &l->resources);
    oci_json_map_close(g);
  }
  oci_write_kv_str(g, "rootfsPropagation", l->rootfs_propagation);
  write_seccomp(g, &l->seccomp);
  oci_write_map(g, "sysctl", &l->sysctl);
  oci_write_strv(g, "maskedPaths", l->masked_paths);
  oci_write_strv(g, "readonlyPaths", l->readonly_paths);
  oci_write_kv_str(g, "mountLabel", l->mount_label);
  write_extras(g, l);
}
