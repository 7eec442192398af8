/* exec --cgroup: [CONTROLLER[,CONTROLLER...]:]PATH, sub-cgroups of the
 * container's cgroup (runc semantics; see cgroup_sub.c). */
#ifndef HUSK_CGROUP_SUB_H
#define HUSK_CGROUP_SUB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"
#include "util/error.h"

struct cg_sub {
  char *ctrl; /* NULL: every hierarchy */
  char *path; /* relative to the container's cgroup, no leading `/`, no `..` */
};

struct cg_subs {
  size_t n;
  struct cg_sub *items;
  bool any_plain; /* a PATH without controller was given */
};

/* Parses one --cgroup argument into s (errors name the argument). */
int cgroup_sub_add(struct cg_subs *s, const char *arg, struct husk_err *e);
/* Moves pid into the sub-cgroups (which must exist) and, for hierarchies no
 * argument names, into the container's own cgroup. */
int cgroup_enter_sub(const struct cgroup *cg, const struct cg_subs *s, pid_t pid,
                     struct husk_err *e);
void cgroup_sub_clear(struct cg_subs *s);

#endif
