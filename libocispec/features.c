/* `husk features` output, valid against schema/features-schema.json. */
#include "oci_features.h"
#include "spec_internal.h"

static void write_list(struct oci_json_gen *g, const char *key, const char *const *v)
{
  if (!v)
    return;
  oci_json_key(g, key);
  oci_json_array_open(g);
  for (; *v; v++)
    oci_json_string(g, *v);
  oci_json_array_close(g);
}

static void write_enabled(struct oci_json_gen *g, const char *key, bool enabled)
{
  oci_json_key(g, key);
  oci_json_map_open(g);
  oci_json_kv_bool(g, "enabled", enabled);
  oci_json_map_close(g);
}

static void write_cgroup(struct oci_json_gen *g, const struct oci_features_linux *l)
{
  oci_json_key(g, "cgroup");
  oci_json_map_open(g);
  oci_json_kv_bool(g, "v1", l->cgroup.v1);
  oci_json_kv_bool(g, "v2", l->cgroup.v2);
  oci_json_kv_bool(g, "systemd", l->cgroup.systemd);
  oci_json_kv_bool(g, "systemdUser", l->cgroup.systemd_user);
  oci_json_kv_bool(g, "rdma", l->cgroup.rdma);
  oci_json_map_close(g);
}

static void write_seccomp(struct oci_json_gen *g, const struct oci_features_linux *l)
{
  oci_json_key(g, "seccomp");
  oci_json_map_open(g);
  oci_json_kv_bool(g, "enabled", l->seccomp.enabled);
  write_list(g, "actions", l->seccomp.actions);
  write_list(g, "operators", l->seccomp.operators);
  write_list(g, "archs", l->seccomp.archs);
  write_list(g, "knownFlags", l->seccomp.known_flags);
  write_list(g, "supportedFlags", l->seccomp.supported_flags);
  oci_json_map_close(g);
}

static void write_linux_tail(struct oci_json_gen *g, const struct oci_features_linux *l)
{
  oci_json_key(g, "intelRdt");
  oci_json_map_open(g);
  oci_json_kv_bool(g, "enabled", l->intel_rdt.enabled);
  oci_json_kv_bool(g, "schemata", l->intel_rdt.schemata);
  oci_json_kv_bool(g, "monitoring", l->intel_rdt.monitoring);
  oci_json_map_close(g);
  if (l->memory_policy.modes || l->memory_policy.flags) {
    oci_json_key(g, "memoryPolicy");
    oci_json_map_open(g);
    write_list(g, "modes", l->memory_policy.modes);
    write_list(g, "flags", l->memory_policy.flags);
    oci_json_map_close(g);
  }
  oci_json_key(g, "mountExtensions");
  oci_json_map_open(g);
  write_enabled(g, "idmap", l->mount_extensions.idmap_enabled);
  oci_json_map_close(g);
  write_enabled(g, "netDevices", l->net_devices.enabled);
}

static void write_linux(struct oci_json_gen *g, const struct oci_features_linux *l)
{
  oci_json_key(g, "linux");
  oci_json_map_open(g);
  write_list(g, "namespaces", l->namespaces);
  write_list(g, "capabilities", l->capabilities);
  write_cgroup(g, l);
  write_seccomp(g, l);
  write_enabled(g, "apparmor", l->apparmor.enabled);
  write_enabled(g, "selinux", l->selinux.enabled);
  write_linux_tail(g, l);
  oci_json_map_close(g);
}

char *oci_features_to_json(const struct oci_features *f)
{
  struct oci_json_gen *g = oci_json_gen_new_indent("    ");
  char *out;

  if (!g)
    return NULL;
  oci_json_map_open(g);
  oci_json_kv_string(g, "ociVersionMin", f->oci_version_min ? f->oci_version_min : "1.0.0");
  oci_json_kv_string(g, "ociVersionMax",
                     f->oci_version_max ? f->oci_version_max : OCI_SPEC_VERSION);
  write_list(g, "hooks", f->hooks);
  write_list(g, "mountOptions", f->mount_options);
  write_linux(g, &f->linux_);
  if (f->annotations.n > 0)
    oci_write_map(g, "annotations", &f->annotations);
  write_list(g, "potentiallyUnsafeConfigAnnotations",
             f->potentially_unsafe_config_annotations);
  oci_json_map_close(g);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}
