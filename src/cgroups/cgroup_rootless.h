/* Internal to src/cgroups: cgroups for an unprivileged caller. Only a cgroup v2
 * tree can be delegated (pure v2, or the unified tree of a hybrid host), and
 * only the controllers its parent hands down. What cannot be enforced is
 * listed in a warning, or is an error when the config carries the annotation
 * io.github.husk.cgroups=strict (crun and runc drop such limits silently). */
#ifndef HUSK_CGROUP_ROOTLESS_H
#define HUSK_CGROUP_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroups/cgroup.h"
#include "oci_spec.h"
#include "util/error.h"

#define CG_STRICT_ANNOTATION "io.github.husk.cgroups"

/* One limit the config asks for and the v2 controller that enforces it
 * ("" for the core cgroup.* files; "net_cls" for v1-only ones). */
struct cg_limit {
  char label[160];
  char ctrl[32];
};

/* ---- pure (unit-tested) ---- */
/* Lists the limits set in r (device rules excluded: never delegated, and a
 * user namespace cannot create device nodes anyway). Returns the count,
 * at most max entries written. */
size_t cg_requested_limits(const struct oci_resources *r, struct cg_limit *out, size_t max);
/* Whether word is in a space-separated controller list. */
bool cg_ctrl_listed(const char *list, const char *word);
/* out = r without the limits whose controller is not in avail (shallow: out
 * points into r; *items is a new array for the kept unified keys, to free).
 * The dropped labels are appended to dropped ("a (ctrl), b (ctrl)"). Returns
 * the number dropped, -1 on ENOMEM. */
int cg_resources_subset(const struct oci_resources *r, const char *avail, struct oci_resources *out,
                        struct oci_kv **items, char *dropped, size_t dlen);
/* Path of the container's cgroup relative to the v2 root: cgroupsPath when
 * absolute, else below own (the caller's cgroup): own/cgroupsPath, or
 * own/husk-ID without one. Heap string. */
char *cg_rootless_path(const char *own, const char *cgroups_path, const char *id);

/* ---- on the host ---- */
/* For cgroup_create when the caller is not root: sets cg->layout and cg->path
 * (NULL: no cgroup delegated, nothing to create) and *subset, the resources
 * that can be enforced (free *items afterwards). */
int cg_rootless_prepare(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                        struct oci_resources *subset, struct oci_kv **items, struct husk_err *e);
/* For update: every limit of r must be enforceable, else an error naming them. */
int cg_rootless_check_update(const struct cgroup *cg, const struct oci_resources *r,
                             struct husk_err *e);

#endif
