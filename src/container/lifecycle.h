/* The lifecycle operations (runtime.md) on top of the state store, the
 * sandbox and the cgroup driver. Commands are thin wrappers around these. */
#ifndef HUSK_LIFECYCLE_H
#define HUSK_LIFECYCLE_H

#include <stdbool.h>

#include "cdi/cdi.h"
#include "cmd/cmd.h"
#include "container/state.h"
#include "sandbox/sandbox.h"

struct create_opts {
  const char *id, *bundle, *config; /* config: file name inside the bundle or a path */
  const char *pid_file;
  struct sandbox_opts sb;
  struct cdi_opts cdi; /* devices requested with --device; spec directories */
  /* restore: builds the container another way (CRIU) instead of
   * sandbox_create, setting c->pid; the container is then `running`. */
  int (*spawn)(struct sandbox *sb, void *arg, struct husk_err *e);
  void *spawn_arg;
};

/* create: returns with the init blocked before exec and the container record
 * saved as `created`; on failure nothing is left behind. c stays open and
 * locked on success. */
int lifecycle_create(struct husk_globals *g, struct create_opts *o, struct container *c,
                     struct oci_spec **spec_out, struct husk_err *e);
/* start: release the init, record `running`, run poststart hooks. */
int lifecycle_start(struct container *c, const struct oci_spec *spec, struct husk_err *e);
int lifecycle_kill(struct container *c, int sig, bool all, struct husk_err *e);
/* Kills whatever is left, removes the cgroup, runs poststop hooks, removes state. */
int lifecycle_destroy(struct container *c, const struct oci_spec *spec, struct husk_err *e);
/* Serialises the state as `husk state` prints it. */
char *lifecycle_state_json(struct container *c, bool pretty, bool with_owner_name);
int write_pid_file(const char *path, pid_t pid, struct husk_err *e);

#endif
