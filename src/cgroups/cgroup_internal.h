/* Internal to src/cgroups: what the drivers share. cgroup_fs.c implements
 * the cgfs_* directory operations (every layout); cgroup_systemd.c the
 * systemd driver, which uses them inside the scope systemd delegates. */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include "cgroups/cgroup.h"

/* Creates the container's directory in every hierarchy (idempotent). */
int cgfs_make_dirs(const struct cgroup *cg, struct husk_err *e);
/* Writes pid into cgroup.procs of every hierarchy. */
int cgfs_join(const struct cgroup *cg, pid_t pid, struct husk_err *e);
/* Writes r into the files (create: the full initial set). */
int cgfs_apply(const struct cgroup *cg, const struct oci_resources *r, bool create,
               struct husk_err *e);
/* Kills what is left and removes the directories (bounded retries). */
int cgfs_remove(const struct cgroup *cg, struct husk_err *e);

/* The systemd driver (cgroup_systemd.c). prepare: checks cgroupsPath and the
 * properties, remembers the spec; start: the transient scope with the init's
 * pid, verified, then the limits; destroy: stops the unit. */
int cgroup_systemd_prepare(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                           struct husk_err *e);
int cgroup_systemd_start(struct cgroup *cg, pid_t pid, struct husk_err *e);
int cgroup_systemd_update(const struct cgroup *cg, const struct oci_resources *r,
                          struct husk_err *e);
int cgroup_systemd_destroy(const struct cgroup *cg, struct husk_err *e);
void cgroup_systemd_clear(struct cgroup *cg);

#endif
