/* config.json "linux" (resources live in spec_parse_resources.c). */
#include <stdlib.h>
#include <string.h>

#include "spec_internal.h"

static const char *const namespace_types[] = { "pid",  "network", "mount",  "ipc", "uts",
                                               "user", "cgroup",  "time",   NULL };
static const char *const device_types[] = { "c", "b", "u", "p", NULL };
static const char *const propagations[] = { "private",  "shared",  "slave",  "unbindable",
                                            "rprivate", "rshared", "rslave", "runbindable",
                                            NULL };
static const char *const clocks[] = { "monotonic", "boottime", NULL };

static int read_namespace(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_namespace *ns = elem;
  if (jr_enum(r, o, "type", &ns->type, namespace_types, true) < 0 ||
      jr_string(r, o, "path", &ns->path, false) < 0)
    return -1;
  return 0;
}

static bool is_clock(const char *name)
{
  for (const char *const *c = clocks; *c; c++)
    if (strcmp(name, *c) == 0)
      return true;
  return false;
}

static int read_time_offset(struct jr *r, const char *key, const struct oci_json *o, void *elem)
{
  struct oci_time_offset *t = elem;
  if (!is_clock(key))
    return jr_fail(r, "invalid clock \"%.64s\" (expected one of: monotonic, boottime)", key);
  t->clock = strdup(key);
  if (!t->clock)
    return jr_fail(r, "out of memory");
  if (jr_i64(r, o, "secs", &t->secs, false) < 0 ||
      jr_u32(r, o, "nanosecs", &t->nanosecs, false) < 0)
    return -1;
  return 0;
}

static int read_device(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_device *d = elem;
  if (jr_enum(r, o, "type", &d->type, device_types, true) < 0 ||
      jr_string(r, o, "path", &d->path, true) < 0 ||
      jr_i64(r, o, "major", &d->major, false) < 0 || jr_i64(r, o, "minor", &d->minor, false) < 0 ||
      jr_opt_uint(r, o, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
      jr_opt_uint(r, o, "uid", UINT32_MAX, &d->uid) < 0 ||
      jr_opt_uint(r, o, "gid", UINT32_MAX, &d->gid) < 0)
    return -1;
  return 0;
}

static int read_net_device(struct jr *r, const char *key, const struct oci_json *o, void *elem)
{
  struct oci_net_device *d = elem;
  d->host_name = strdup(key);
  if (!d->host_name)
    return jr_fail(r, "out of memory");
  return jr_string(r, o, "name", &d->name, false);
}

static int read_syscall_arg(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_seccomp_arg *a = elem;
  if (jr_u32(r, o, "index", &a->index, true) < 0 || jr_u64(r, o, "value", &a->value, true) < 0 ||
      jr_u64(r, o, "valueTwo", &a->value_two, false) < 0 ||
      jr_string(r, o, "op", &a->op, true) < 0)
    return -1;
  return 0;
}

static int read_syscall(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_seccomp_syscall *s = elem;
  if (jr_require(r, o, "names") < 0 || jr_strv(r, o, "names", &s->names) < 0 ||
      jr_string(r, o, "action", &s->action, true) < 0 ||
      jr_opt_uint(r, o, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
      jr_array_of(r, o, "args", sizeof(*s->args), &s->args, &s->n_args, read_syscall_arg) < 0)
    return -1;
  return 0;
}

int oci_read_seccomp(struct jr *r, const struct oci_json *o, struct oci_seccomp *s)
{
  s->set = true;
  if (jr_string(r, o, "defaultAction", &s->default_action, true) < 0 ||
      jr_opt_uint(r, o, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0 ||
      jr_strv(r, o, "architectures", &s->architectures) < 0 ||
      jr_strv(r, o, "flags", &s->flags) < 0 ||
      jr_string(r, o, "listenerPath", &s->listener_path, false) < 0 ||
      jr_string(r, o, "listenerMetadata", &s->listener_metadata, false) < 0 ||
      jr_array_of(r, o, "syscalls", sizeof(*s->syscalls), &s->syscalls, &s->n_syscalls,
                  read_syscall) < 0)
    return -1;
  return 0;
}

static int read_intel_rdt(struct jr *r, const struct oci_json *o, struct oci_intel_rdt *i)
{
  i->set = true;
  if (jr_string(r, o, "closID", &i->clos_id, false) < 0 ||
      jr_string(r, o, "l3CacheSchema", &i->l3_cache_schema, false) < 0 ||
      jr_string(r, o, "memBwSchema", &i->mem_bw_schema, false) < 0 ||
      jr_strv(r, o, "schemata", &i->schemata) < 0 ||
      jr_bool(r, o, "enableMonitoring", &i->enable_monitoring) < 0)
    return -1;
  return 0;
}

static int read_personality(struct jr *r, const struct oci_json *o, struct oci_personality *p)
{
  p->set = true;
  if (jr_string(r, o, "domain", &p->domain, false) < 0 || jr_strv(r, o, "flags", &p->flags) < 0)
    return -1;
  return 0;
}

static int read_memory_policy(struct jr *r, const struct oci_json *o, struct oci_memory_policy *m)
{
  m->set = true;
  if (jr_string(r, o, "mode", &m->mode, true) < 0 ||
      jr_string(r, o, "nodes", &m->nodes, false) < 0 || jr_strv(r, o, "flags", &m->flags) < 0)
    return -1;
  return 0;
}

static int read_resources(struct jr *r, const struct oci_json *o, struct oci_linux *l)
{
  l->has_resources = true;
  return oci_read_resources(r, o, &l->resources);
}

static int read_tables(struct jr *r, const struct oci_json *o, struct oci_linux *l)
{
  if (jr_array_of(r, o, "namespaces", sizeof(*l->namespaces), &l->namespaces, &l->n_namespaces,
                  read_namespace) < 0 ||
      oci_read_id_mappings(r, o, "uidMappings", &l->uid_mappings) < 0 ||
      oci_read_id_mappings(r, o, "gidMappings", &l->gid_mappings) < 0 ||
      jr_object_of(r, o, "timeOffsets", sizeof(*l->time_offsets), &l->time_offsets,
                   &l->n_time_offsets, read_time_offset) < 0 ||
      jr_array_of(r, o, "devices", sizeof(*l->devices), &l->devices, &l->n_devices,
                  read_device) < 0 ||
      jr_object_of(r, o, "netDevices", sizeof(*l->net_devices), &l->net_devices,
                   &l->n_net_devices, read_net_device) < 0)
    return -1;
  return 0;
}

int oci_read_linux(struct jr *r, const struct oci_json *o, struct oci_linux *l)
{
  if (read_tables(r, o, l) < 0 || jr_string(r, o, "cgroupsPath", &l->cgroups_path, false) < 0 ||
      JR_SUB(r, o, "resources", read_resources, l) < 0 ||
      jr_enum(r, o, "rootfsPropagation", &l->rootfs_propagation, propagations, false) < 0 ||
      JR_SUB(r, o, "seccomp", oci_read_seccomp, &l->seccomp) < 0 ||
      jr_map(r, o, "sysctl", &l->sysctl) < 0 ||
      jr_strv(r, o, "maskedPaths", &l->masked_paths) < 0 ||
      jr_strv(r, o, "readonlyPaths", &l->readonly_paths) < 0 ||
      jr_string(r, o, "mountLabel", &l->mount_label, false) < 0 ||
      JR_SUB(r, o, "intelRdt", read_intel_rdt, &l->intel_rdt) < 0 ||
      JR_SUB(r, o, "personality", read_personality, &l->personality) < 0 ||
      JR_SUB(r, o, "memoryPolicy", read_memory_policy, &l->memory_policy) < 0)
    return -1;
  return 0;
}
