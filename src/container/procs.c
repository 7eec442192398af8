#include "container/procs.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static bool has_cgroup(const struct container *c)
{
  return c->cgroup.manager != CG_MANAGER_DISABLED && c->cgroup.path;
}

static int pidns_inode(pid_t pid, ino_t *ino)
{
  char path[64];
  struct stat st;
  snprintf(path, sizeof path, "/proc/%d/ns/pid", pid);
  if (stat(path, &st) < 0)
    return -1;
  *ino = st.st_ino;
  return 0;
}

static int push(pid_t **pids, size_t *n, pid_t pid)
{
  pid_t *nv = realloc(*pids, sizeof(pid_t) * (*n + 1));
  if (!nv)
    return -1;
  *pids = nv;
  (*pids)[(*n)++] = pid;
  return 0;
}

/* Every process whose pid namespace is the init's (the init included). */
static int pidns_members(pid_t init, pid_t **pids, size_t *n, struct husk_err *e)
{
  ino_t want, ino;
  DIR *d;
  struct dirent *de;
  if (pidns_inode(init, &want) < 0)
    return errno == ENOENT || errno == ESRCH ? 0 : herr_sys(e, "pid namespace of %d", init);
  if (!(d = opendir("/proc")))
    return herr_sys(e, "open /proc");
  while ((de = readdir(d))) {
    char *end;
    long pid = strtol(de->d_name, &end, 10);
    if (*end || pid <= 0 || pidns_inode((pid_t)pid, &ino) < 0 || ino != want)
      continue;
    if (push(pids, n, (pid_t)pid) < 0) {
      closedir(d);
      return herr(e, ENOMEM, "list processes");
    }
  }
  closedir(d);
  return 0;
}

int container_procs(const struct container *c, pid_t **pids, size_t *n, struct husk_err *e)
{
  *pids = NULL;
  *n = 0;
  if (has_cgroup(c))
    return cgroup_pids(&c->cgroup, pids, n, e);
  if (!container_init_alive(c))
    return 0;
  if (c->own_pidns)
    return pidns_members(c->pid, pids, n, e);
  return push(pids, n, c->pid) < 0 ? herr(e, ENOMEM, "list processes") : 0;
}

int container_signal_all(const struct container *c, int sig, struct husk_err *e)
{
  pid_t *pids;
  size_t n;
  if (has_cgroup(c))
    return cgroup_signal_all(&c->cgroup, sig, e);
  if (container_procs(c, &pids, &n, e) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    kill(pids[i], sig);
  free(pids);
  return 0;
}
