/* The processes of a container: its cgroup when it has one; otherwise (a
 * rootless container without a delegated cgroup) the processes of its pid
 * namespace, or just the init when it shares the host's. */
#ifndef HUSK_PROCS_H
#define HUSK_PROCS_H

#include <stddef.h>
#include <sys/types.h>

#include "container/state.h"
#include "util/error.h"

int container_procs(const struct container *c, pid_t **pids, size_t *n, struct husk_err *e);
/* Sends sig to every process container_procs lists. */
int container_signal_all(const struct container *c, int sig, struct husk_err *e);

#endif
