/* One interface for every cgroup setup: the drivers (cgroupfs on v1, hybrid
 * or v2; systemd; disabled) sit behind these functions. The container record
 * stores manager + path so later commands never depend on repeated flags. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci_spec.h"
#include "util/error.h"

/* CG_LAYOUT_UNIFIED: a hybrid host of which only the unified (v2) tree is
 * used, as for a rootless container given a delegated cgroup there. */
enum cg_layout { CG_LAYOUT_NONE, CG_LAYOUT_V1, CG_LAYOUT_HYBRID, CG_LAYOUT_V2, CG_LAYOUT_UNIFIED };
#define CG_LAYOUT_LAST CG_LAYOUT_UNIFIED /* state.json readers accept up to this */
enum cg_manager { CG_MANAGER_CGROUPFS, CG_MANAGER_SYSTEMD, CG_MANAGER_DISABLED };

struct cgroup_systemd_pending;

struct cgroup {
  enum cg_manager manager;
  enum cg_layout layout;
  char *path;  /* the container's cgroup, relative to each hierarchy's root, "/a/b" */
  char *scope; /* systemd unit name, when manager is systemd (set once the unit is ours) */
  bool rootless;
  /* systemd: what cgroup_create prepared for cgroup_attach_init (not saved) */
  struct cgroup_systemd_pending *pending;
};

enum cg_layout cgroup_detect_layout(void);
const char *cgroup_manager_name(enum cg_manager m);
int cgroup_manager_parse(const char *name, enum cg_manager *out);

/* Computes layout and path from linux.cgroupsPath (or a default from the
 * id) without touching anything, so the caller can record them before any
 * directory exists (a runtime killed mid-create leaves a state that
 * `delete --force` cleans). Nothing to do when the path is already set. */
int cgroup_plan(struct cgroup *cg, const struct oci_spec *spec, const char *id, struct husk_err *e);
/* Plans (if not done yet) and creates the cgroup with the spec's resources
 * applied. Fault points: cgroup:mkdir-<hierarchy>, cgroup:wrote-<controller>. */
int cgroup_create(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                  struct husk_err *e);
/* Moves pid into the container's cgroup (every hierarchy) and verifies it.
 * Fault point: cgroup:joined. */
int cgroup_enter(const struct cgroup *cg, pid_t pid, struct husk_err *e);
/* The container's init joins at create: cgroup_enter, except that the
 * systemd driver starts the scope with this pid (and then sets the limits). */
int cgroup_attach_init(struct cgroup *cg, pid_t pid, struct husk_err *e);
/* Applies a LinuxResources update to a live container. */
int cgroup_update(const struct cgroup *cg, const struct oci_resources *r, struct husk_err *e);
/* Kills every process left and removes the cgroup (bounded retries). Missing is success. */
int cgroup_destroy(const struct cgroup *cg, struct husk_err *e);
int cgroup_signal_all(const struct cgroup *cg, int sig, struct husk_err *e);
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct husk_err *e);
int cgroup_freeze(const struct cgroup *cg, bool frozen, struct husk_err *e);
/* Whether the container's cgroup is a v2 one (pure v2, or only the unified
 * tree of a hybrid host, as rootless). */
bool cgroup_is_v2(const struct cgroup *cg);
/* The path of a controller file of the container's cgroup: in its v2
 * directory, or on v1 and hybrid in hierarchy v1ctl ("memory", "cpuacct"). */
void cgroup_file(const struct cgroup *cg, const char *v1ctl, const char *file, char *out,
                 size_t len);
/* 1 frozen, 0 not, <0 unknown. */
int cgroup_is_frozen(const struct cgroup *cg);
void cgroup_clear(struct cgroup *cg);

#endif
