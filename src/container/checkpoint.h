/* checkpoint and restore of a container with CRIU (src/criu/ builds the
 * command lines and runs criu). */
#ifndef HUSK_CHECKPOINT_H
#define HUSK_CHECKPOINT_H

#include <stdbool.h>

#include "cmd/cmd.h"
#include "criu/criu.h"
#include "sandbox/sandbox.h"

/* Dumps a running or paused container into o->image_path. Unless
 * leave_running or pre_dump, the container is destroyed afterwards (runc). */
int lifecycle_checkpoint(struct husk_globals *g, const char *id, const struct criu_opts *o,
                         struct husk_err *e);

/* restore: create_opts.spawn with this as its argument. Image and work paths
 * must be absolute (create changes into the bundle first). */
struct restore_req {
  struct criu_opts criu;
  const char *criu_bin;
  bool detach;
  int master; /* out: the new pty's master when restoring in the foreground
                 without a console socket; -1 otherwise */
};
int restore_spawn(struct sandbox *sb, void *arg, struct husk_err *e);

/* The freezer directory of a container's cgroup (CRIU's --freeze-cgroup). */
int checkpoint_freezer_dir(const struct cgroup *cg, char *out, size_t len);

#endif
