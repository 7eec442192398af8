#include "sandbox/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
  const char *type, *proc;
  unsigned long flag;
} kinds[NS_COUNT] = {
    [NS_USER] = {"user", "user", CLONE_NEWUSER},   [NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},       [NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [NS_NET] = {"network", "net", CLONE_NEWNET},   [NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [NS_MNT] = {"mount", "mnt", CLONE_NEWNS},      [NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

int ns_kind_of(const char *type)
{
  for (int k = 0; k < NS_COUNT; k++)
    if (strcmp(kinds[k].type, type) == 0)
      return k;
  return -1;
}

const char *ns_proc_name(enum ns_kind k) { return kinds[k].proc; }

int ns_plan_make(const struct oci_spec *spec, struct ns_plan *plan, struct husk_err *e)
{
  bool seen[NS_COUNT] = {0};
  unsigned long new_flags = 0;
  memset(plan, 0, sizeof *plan);
  for (int k = 0; k < NS_COUNT; k++)
    plan->join_fds[k] = -1;
  for (size_t i = 0; spec->has_linux && i < spec->linux_.n_namespaces; i++) {
    const struct oci_namespace *ns = &spec->linux_.namespaces[i];
    int k = ns_kind_of(ns->type);
    if (k < 0)
      return herr(e, EINVAL, "linux.namespaces[%zu].type: unknown namespace `%s`", i, ns->type);
    if (seen[k])
      return herr(e, EINVAL, "linux.namespaces[%zu]: namespace `%s` listed twice", i, ns->type);
    seen[k] = true;
    if (ns->path && *ns->path) {
      plan->join_fds[k] = open(ns->path, O_RDONLY | O_CLOEXEC);
      if (plan->join_fds[k] < 0) {
        int err = errno;
        ns_plan_close(plan);
        return herr(e, err, "linux.namespaces[%zu]: open %s namespace `%s`", i, ns->type,
                    ns->path);
      }
    } else {
      new_flags |= kinds[k].flag;
    }
  }
  plan->new_user = new_flags & CLONE_NEWUSER;
  plan->new_pid = new_flags & CLONE_NEWPID;
  plan->new_time = new_flags & CLONE_NEWTIME;
  /* A cgroup namespace is rooted where its creator sits: create it only after
   * the parent moved us into the container's cgroup. */
  plan->unshare_flags |= new_flags & CLONE_NEWCGROUP;
  new_flags &= ~(unsigned long)CLONE_NEWCGROUP;
  /* A new time namespace applies to children only, and its offsets must be
   * written before any process enters it: always unshare + fork for it. */
  new_flags &= ~(unsigned long)CLONE_NEWTIME;
  if (plan->join_fds[NS_USER] >= 0) {
    /* New namespaces must belong to the joined user namespace: create them
     * after setns(user), never at clone. */
    plan->unshare_flags |= new_flags;
  } else {
    plan->clone_flags = new_flags;
  }
  plan->fork_again = plan->new_time || plan->join_fds[NS_PID] >= 0 ||
                     (plan->unshare_flags & CLONE_NEWPID);
  if (plan->new_time)
    plan->unshare_flags |= CLONE_NEWTIME;
  /* With a second fork, the grandchild must be the new pid namespace's init:
   * were the intermediate its pid 1, its exit would kill the namespace. And
   * the pid it reports stays a host pid. */
  if (plan->fork_again && (plan->clone_flags & CLONE_NEWPID)) {
    plan->clone_flags &= ~(unsigned long)CLONE_NEWPID;
    plan->unshare_flags |= CLONE_NEWPID;
  }
  return 0;
}

int ns_join(const struct ns_plan *plan, struct husk_err *e)
{
  /* user first (it grants the rights to join the rest), mount last (joining it
   * changes how later paths resolve). */
  static const enum ns_kind order[] = {NS_USER, NS_CGROUP, NS_IPC, NS_UTS, NS_NET,
                                       NS_PID,  NS_TIME,   NS_MNT};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    enum ns_kind k = order[i];
    if (plan->join_fds[k] < 0)
      continue;
    if (setns(plan->join_fds[k], (int)kinds[k].flag) < 0)
      return herr_sys(e, "join %s namespace", kinds[k].type);
  }
  return 0;
}

void ns_plan_close(struct ns_plan *plan)
{
  for (int k = 0; k < NS_COUNT; k++) {
    if (plan->join_fds[k] >= 0)
      close(plan->join_fds[k]);
    plan->join_fds[k] = -1;
  }
}
