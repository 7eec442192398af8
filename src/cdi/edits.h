/* Applying CDI container edits to the in-memory OCI spec, with the reference
 * semantics (CDI:pkg/cdi/container-edits.go): the edits of a request are one
 * ordered list (each spec's top-level edits once, before its first device's
 * own), applied by category: env (replace by key, in place) → device nodes
 * (completed from the host node, replace by path, a cgroup allow rule) →
 * netDevices → mounts (replace by destination, then every mount stable-sorted
 * by depth) → hooks (appended to their phase) → intelRdt (replaced) →
 * additionalGids (0 skipped, no duplicates). */
#ifndef HUSK_CDI_EDITS_H
#define HUSK_CDI_EDITS_H

#include <stddef.h>

#include "cdi/spec.h"
#include "oci_spec.h"
#include "util/error.h"

int cdi_apply_edits(struct oci_spec *spec, const struct cdi_edits *const *list, size_t n,
                    struct husk_err *e);
/* One device node: lstat(hostPath) completes type, major/minor and fileMode;
 * the owner defaults to a non-root process user; hostPath is kept (private,
 * not in config.json) as the bind source for user namespaces. */
int cdi_apply_node(struct oci_spec *spec, const struct cdi_device_node *n, struct husk_err *e);
/* Stable sort of spec->mounts by the number of '/' in the cleaned destination. */
int cdi_sort_mounts(struct oci_spec *spec);
/* Go's filepath.Clean, in place-free form: returns a heap string. */
char *cdi_path_clean(const char *path);

#endif
