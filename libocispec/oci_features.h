/* What `husk features` reports (runtime-spec features.md and
 * features-linux.md). The struct only points at caller-owned data (usually
 * static tables); string lists are NULL-terminated, NULL = omitted. */
#ifndef HUSK_OCI_FEATURES_H
#define HUSK_OCI_FEATURES_H

#include <stdbool.h>

#include "oci_spec.h"

struct oci_features_linux {
  const char *const *namespaces;
  const char *const *capabilities;
  struct { bool v1, v2, systemd, systemd_user, rdma; } cgroup;
  struct {
    bool enabled;
    const char *const *actions, *const *operators, *const *archs;
    const char *const *known_flags, *const *supported_flags;
  } seccomp;
  struct { bool enabled; } apparmor, selinux;
  struct { bool enabled, schemata, monitoring; } intel_rdt;
  struct { const char *const *modes, *const *flags; } memory_policy;
  struct { bool idmap_enabled; } mount_extensions;
  struct { bool enabled; } net_devices;
};

struct oci_features {
  const char *oci_version_min, *oci_version_max;
  const char *const *hooks;
  const char *const *mount_options;
  struct oci_features_linux linux_; /* always emitted */
  struct oci_map annotations;       /* omitted when empty */
  const char *const *potentially_unsafe_config_annotations;
};

/* 4-space indented like runc, no trailing newline. Heap string, NULL on ENOMEM. */
char *oci_features_to_json(const struct oci_features *f);

#endif
