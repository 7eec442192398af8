#include "sandbox/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/mounts.h"
#include "util/safepath.h"

static unsigned long propagation_of(const char *p)
{
  static const struct {
    const char *name;
    unsigned long flags;
  } t[] = {{"private", MS_PRIVATE},          {"rprivate", MS_PRIVATE | MS_REC},
           {"shared", MS_SHARED},            {"rshared", MS_SHARED | MS_REC},
           {"slave", MS_SLAVE},              {"rslave", MS_SLAVE | MS_REC},
           {"unbindable", MS_UNBINDABLE},    {"runbindable", MS_UNBINDABLE | MS_REC}};
  for (size_t i = 0; p && i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].name, p) == 0)
      return t[i].flags;
  return 0;
}

int rootfs_prepare(const struct oci_spec *spec, const char *rootfs, struct husk_err *e)
{
  unsigned long prop = propagation_of(spec->linux_.rootfs_propagation);
  int fd;
  /* Nothing we mount may propagate back to the host: slave by default (we
   * still see host unmounts), or what rootfsPropagation asks for. */
  /* pivot_root refuses a shared new root or parent: for a shared request,
   * go private now and apply it to the new / after the pivot (rootfs_finish). */
  if (prop & MS_SHARED)
    prop = MS_PRIVATE | MS_REC;
  if (mount(NULL, "/", NULL, prop ? prop : MS_SLAVE | MS_REC, NULL) < 0)
    return herr_sys(e, "make / %s", spec->linux_.rootfs_propagation ?: "rslave");
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return herr_sys(e, "bind mount rootfs `%s`", rootfs);
  if (mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return herr_sys(e, "make the rootfs mount private");
  fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(e, "open rootfs `%s`", rootfs);
  return fd;
}

int open_verified_devnull(struct husk_err *e)
{
  struct stat st;
  int fd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(e, "open /dev/null");
  if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
      minor(st.st_rdev) != 3) {
    close(fd);
    return herr(e, EPERM, "/dev/null is not the 1:3 character device: refusing to mask with it");
  }
  return fd;
}

static int mask_one(int rootfd, const char *path, int devnull_fd, struct husk_err *e)
{
  char src[32], dst[32];
  struct stat st;
  int fd = safe_open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0, NULL), r = 0;
  if (fd < 0)
    return 0; /* absent: nothing to mask */
  if (fstat(fd, &st) < 0) {
    close(fd);
    return herr_sys(e, "stat masked path `%s`", path);
  }
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", fd_path(fd, dst), "tmpfs", MS_RDONLY, "size=0,mode=000") < 0 &&
        mount("tmpfs", dst, "tmpfs", MS_RDONLY, NULL) < 0)
      r = herr_sys(e, "mask directory `%s`", path);
  } else if (mount(fd_path(devnull_fd, src), fd_path(fd, dst), NULL, MS_BIND, NULL) < 0) {
    r = herr_sys(e, "mask `%s`", path);
  }
  close(fd);
  return r;
}

static int readonly_one(int rootfd, const char *path, struct husk_err *e)
{
  char p[32];
  int fd = safe_open_in_root(rootfd, path, O_PATH, 0, NULL), r;
  if (fd < 0)
    return 0;
  r = mount(fd_path(fd, p), p, NULL, MS_BIND | MS_REC, NULL);
  close(fd);
  if (r < 0)
    return herr_sys(e, "bind readonly path `%s`", path);
  return remount_bind(rootfd, path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, e);
}

int rootfs_mask_and_protect(int rootfd, const struct oci_linux *l, int devnull_fd,
                            struct husk_err *e)
{
  for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
    if (readonly_one(rootfd, l->readonly_paths[i], e) < 0)
      return herr_wrap(e, "linux.readonlyPaths[%zu]", i);
  for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
    if (mask_one(rootfd, l->masked_paths[i], devnull_fd, e) < 0)
      return herr_wrap(e, "linux.maskedPaths[%zu]", i);
  return 0;
}

int rootfs_pivot(const char *rootfs, bool no_pivot, struct husk_err *e)
{
  int oldroot, newroot;
  if (no_pivot) {
    if (chdir(rootfs) < 0 || mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
        chdir("/") < 0)
      return herr_sys(e, "move rootfs `%s` to / (--no-pivot)", rootfs);
    return 0;
  }
  /* pivot_root(".", ".") stacks the old root under the new one; detach it. */
  oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0 || fchdir(newroot) < 0 ||
      syscall(SYS_pivot_root, ".", ".") < 0) {
    int err = errno;
    if (oldroot >= 0)
      close(oldroot);
    if (newroot >= 0)
      close(newroot);
    return herr(e, err, "pivot_root into `%s`", rootfs);
  }
  if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
      umount2(".", MNT_DETACH) < 0 || fchdir(newroot) < 0 || chdir("/") < 0) {
    int err = errno;
    close(oldroot);
    close(newroot);
    return herr(e, err, "detach the old root after pivot_root");
  }
  close(oldroot);
  close(newroot);
  return 0;
}

int rootfs_finish(const struct oci_spec *spec, struct husk_err *e)
{
  unsigned long prop = propagation_of(spec->linux_.rootfs_propagation);
  int root, r;
  if ((prop & MS_SHARED) && mount(NULL, "/", NULL, prop, NULL) < 0)
    return herr_sys(e, "linux.rootfsPropagation `%s`", spec->linux_.rootfs_propagation);
  if (!spec->has_root || !spec->root.readonly)
    return 0;
  root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return herr_sys(e, "open /");
  r = remount_bind(root, "/", MS_RDONLY, e);
  close(root);
  return r < 0 ? herr_wrap(e, "root.readonly") : 0;
}
