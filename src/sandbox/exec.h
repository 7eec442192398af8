/* exec: start one more process in a running container. The runtime forks a
 * helper that joins the container's cgroup and every namespace of its init
 * (setns on a pidfd, the /proc/PID/ns files as fallback), then clones the real
 * process with CLONE_PARENT so it is the runtime's own child, inside the pid
 * namespace. Errors travel back over a SOCK_SEQPACKET socketpair; EOF on it
 * (close-on-exec) means the program was exec'd. */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroup_sub.h"
#include "container/state.h"
#include "oci_spec.h"
#include "util/error.h"

struct exec_opts {
  struct container *c;
  const struct oci_spec *spec; /* the container's saved config (seccomp) */
  const struct oci_process *proc;
  const struct cgroup *cgroup; /* the container's cgroup */
  const struct cg_subs *subs;  /* --cgroup sub-cgroups, or NULL */
  const char *console_socket;  /* path, or NULL */
  int console_fd_out;          /* foreground with a tty: the master is sent here; -1 */
  int preserve_fds;
};

/* Returns 0 once the program is exec'd, with its host pid in *pid (a child of
 * the caller). On failure nothing is left running. */
int sandbox_exec(const struct exec_opts *o, pid_t *pid, struct husk_err *e);

#endif
