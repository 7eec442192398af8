#include "util/exe_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

#define SEALS_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

enum exe_guard_state exe_guard_classify(int fd)
{
  struct statvfs vfs;
  char path[64];
  int rw, seals;
  if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
    return EXE_GUARD_READONLY;
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  rw = open(path, O_RDONLY | O_CLOEXEC);
  seals = rw < 0 ? -1 : fcntl(rw, F_GET_SEALS);
  if (rw >= 0)
    close(rw);
  if (seals >= 0 && (seals & SEALS_ALL) == SEALS_ALL)
    return EXE_GUARD_SEALED;
  /* access() follows the magic link with our real ids, as a write would */
  if (access(path, W_OK) < 0 && errno != EROFS)
    return EXE_GUARD_UNWRITABLE;
  return EXE_GUARD_EXPOSED;
}

/* A detached, read-only bind mount of the file behind fd. */
static int readonly_clone(int fd)
{
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV};
  int tree =
      (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return -1;
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
    close(tree);
    return -1;
  }
  return tree;
}

/* A write-sealed memfd copy of the file behind fd (the fallback: costs one
 * copy of the binary, so only where no mount can be made). */
static int sealed_copy(int fd)
{
  char path[64];
  struct stat st;
  int src, mfd;
  off_t off = 0;
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  src = open(path, O_RDONLY | O_CLOEXEC);
  mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (src < 0 || mfd < 0 || fstat(src, &st) < 0)
    goto fail;
  while (off < st.st_size)
    if (sendfile(mfd, src, &off, (size_t)(st.st_size - off)) <= 0)
      goto fail;
  if (fchmod(mfd, 0555) < 0 || fcntl(mfd, F_ADD_SEALS, SEALS_ALL) < 0)
    goto fail;
  close(src);
  return mfd;
fail:
  if (src >= 0)
    close(src);
  if (mfd >= 0)
    close(mfd);
  return -1;
}

int exe_guard(char **argv, struct husk_err *e)
{
  int self = open("/proc/self/exe", O_PATH | O_CLOEXEC), target;
  if (self < 0)
    return herr_sys(e, "protect the runtime binary: open /proc/self/exe");
  if (exe_guard_classify(self) != EXE_GUARD_EXPOSED) {
    close(self);
    return 0;
  }
  target = readonly_clone(self);
  if (target < 0)
    target = sealed_copy(self);
  close(self);
  if (target < 0)
    return herr_sys(e, "protect the runtime binary (CVE-2019-5736): neither a read-only mount "
                       "nor a sealed copy of /proc/self/exe could be made");
  syscall(SYS_execveat, target, "", argv, environ, AT_EMPTY_PATH);
  herr_sys(e, "protect the runtime binary (CVE-2019-5736): re-execute from a read-only copy");
  close(target);
  return -1;
}
