#include "sandbox/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/namespaces.h"
#include "util/fs.h"

int procfs_open_private(struct husk_err *e)
{
  struct statfs s;
  int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC), mnt = -1;
  if (fs >= 0) {
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
      mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    close(fs);
  }
  if (mnt < 0) /* older kernel or not permitted: /proc, verified below */
    mnt = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (mnt < 0 || fstatfs(mnt, &s) < 0 || s.f_type != PROC_SUPER_MAGIC) {
    if (mnt >= 0)
      close(mnt);
    return herr(e, EPERM, "no trustworthy procfs available");
  }
  return mnt;
}

int procfs_write(int procfd, const char *rel, const char *value, struct husk_err *e)
{
  struct open_how how = {.flags = O_WRONLY | O_TRUNC | O_CLOEXEC,
                         .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_BENEATH};
  int fd = (int)syscall(SYS_openat2, procfd, rel, &how, sizeof how), r;
  if (fd < 0 && errno == ENOSYS)
    fd = openat(procfd, rel, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return herr_sys(e, "open /proc/%s", rel);
  r = write_all_fd(fd, value, strlen(value));
  close(fd);
  if (r < 0)
    return herr(e, -r, "write `%s` to /proc/%s", value, rel);
  return 0;
}

int procfs_write_self_attr(const char *attr, const char *value, struct husk_err *e)
{
  char rel[64];
  int procfd = procfs_open_private(e), r;
  if (procfd < 0)
    return -1;
  /* By pid, not "self": the private procfs is ours and the open refuses symlinks. */
  snprintf(rel, sizeof rel, "%d/attr/%s", (int)getpid(), attr);
  r = procfs_write(procfd, rel, value, e);
  close(procfd);
  return r;
}

static bool has_ns(const struct oci_spec *spec, const char *type)
{
  const struct oci_namespace *ns = oci_linux_namespace(&spec->linux_, type);
  return ns != NULL;
}

/* runc's validation: only sysctls isolated by a namespace the container has. */
static int check_namespaced(const struct oci_spec *spec, const char *key, struct husk_err *e)
{
  static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb",          "kernel.msgmni",
                                         "kernel.sem",    "kernel.shmall",          "kernel.shmmax",
                                         "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
  for (const char *const *k = ipc_keys; *k; k++)
    if (strcmp(key, *k) == 0)
      return has_ns(spec, "ipc")
                 ? 0
                 : herr(e, EINVAL, "linux.sysctl `%s`: needs an ipc namespace", key);
  if (strncmp(key, "fs.mqueue.", 10) == 0)
    return has_ns(spec, "ipc") ? 0
                               : herr(e, EINVAL, "linux.sysctl `%s`: needs an ipc namespace", key);
  if (strncmp(key, "net.", 4) == 0)
    return has_ns(spec, "network")
               ? 0
               : herr(e, EINVAL, "linux.sysctl `%s`: needs a network namespace", key);
  if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
    return has_ns(spec, "uts") ? 0
                               : herr(e, EINVAL, "linux.sysctl `%s`: needs a uts namespace", key);
  return herr(e, EINVAL, "linux.sysctl `%s`: not namespaced, refusing to change the host", key);
}

int sysctl_apply(int procfd, const struct oci_spec *spec, struct husk_err *e)
{
  const struct oci_map *m = &spec->linux_.sysctl;
  for (size_t i = 0; i < m->n; i++) {
    char rel[512];
    size_t j = 0;
    if (check_namespaced(spec, m->items[i].key, e) < 0)
      return -1;
    if (strstr(m->items[i].key, "..") || strchr(m->items[i].key, '/') == m->items[i].key)
      return herr(e, EINVAL, "linux.sysctl `%s`: invalid key", m->items[i].key);
    j = (size_t)snprintf(rel, sizeof rel, "sys/");
    for (const char *k = m->items[i].key; *k && j + 1 < sizeof rel; k++)
      rel[j++] = *k == '.' ? '/' : *k;
    rel[j] = '\0';
    if (procfs_write(procfd, rel, m->items[i].value, e) < 0)
      return herr_wrap(e, "linux.sysctl `%s`", m->items[i].key);
  }
  return 0;
}
