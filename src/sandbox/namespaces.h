/* Namespaces: which to create at clone, which to join by path, in what order. */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdbool.h>

#include "oci_spec.h"
#include "util/error.h"

enum ns_kind { NS_USER, NS_CGROUP, NS_IPC, NS_UTS, NS_NET, NS_PID, NS_MNT, NS_TIME, NS_COUNT };

struct ns_plan {
  unsigned long clone_flags;   /* created by clone (user first, the kernel's order) */
  unsigned long unshare_flags; /* created after joining a user namespace by path */
  bool fork_again;             /* pid/time namespaces need a child to take effect */
  bool new_user, new_pid, new_time;
  int join_fds[NS_COUNT];      /* opened before clone; -1 when not joined */
};

/* Validates linux.namespaces (known types, no duplicates) and opens the
 * namespaces to join, so a bad path fails before anything is created. */
int ns_plan_make(const struct oci_spec *spec, struct ns_plan *plan, struct husk_err *e);
/* In the child: setns() into each joined namespace (user first). */
int ns_join(const struct ns_plan *plan, struct husk_err *e);
void ns_plan_close(struct ns_plan *plan);
int ns_kind_of(const char *type);
const char *ns_proc_name(enum ns_kind k);

#endif
