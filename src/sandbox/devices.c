#include "sandbox/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/mounts.h"
#include "util/safepath.h"

struct devnode {
  const char *name;
  unsigned major, minor;
};

/* runtime-spec config-linux.md "Default Devices". */
static const struct devnode default_devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9},
    {"tty", 5, 0},
};

static const char *const default_links[][2] = {
    {"fd", "/proc/self/fd"},         {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},   {"stderr", "/proc/self/fd/2"},
    {"ptmx", "pts/ptmx"},
};

/* Creates one node in dirfd. In a user namespace mknod is refused: bind the
 * host's node instead (host_path must then exist). */
static int make_node(int dirfd, const char *name, mode_t mode, dev_t dev, const char *host_path,
                     bool in_userns, struct husk_err *e)
{
  struct stat st;
  int fd, r;
  /* Never trust what the image put there (it may be a symlink out). */
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if ((st.st_mode & S_IFMT) == (mode & S_IFMT) && st.st_rdev == dev && !S_ISLNK(st.st_mode))
      return 0;
    if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
      return herr_sys(e, "replace `/dev/%s`", name);
  }
  if (!in_userns && mknodat(dirfd, name, mode, dev) == 0)
    return 0;
  if (!in_userns && errno != EPERM)
    return herr_sys(e, "mknod `/dev/%s`", name);
  if (!host_path)
    return herr(e, EPERM, "create `/dev/%s`: mknod not permitted and no host node to bind",
                name);
  fd = openat(dirfd, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return herr_sys(e, "create bind target `/dev/%s`", name);
  r = bind_mount_fd(host_path, fd, false, 0, e);
  close(fd);
  return r;
}

static int default_nodes(int devfd, bool in_userns, struct husk_err *e)
{
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
    const struct devnode *d = &default_devices[i];
    char host[64];
    snprintf(host, sizeof host, "/dev/%s", d->name);
    if (make_node(devfd, d->name, S_IFCHR | 0666, makedev(d->major, d->minor), host, in_userns,
                  e) < 0)
      return -1;
    if (!in_userns)
      fchmodat(devfd, d->name, 0666, 0); /* umask-proof */
  }
  for (size_t i = 0; i < sizeof default_links / sizeof default_links[0]; i++) {
    struct stat st;
    if (fstatat(devfd, default_links[i][0], &st, AT_SYMLINK_NOFOLLOW) == 0)
      continue; /* the image or a mount already provides it */
    if (symlinkat(default_links[i][1], devfd, default_links[i][0]) < 0)
      return herr_sys(e, "symlink `/dev/%s`", default_links[i][0]);
  }
  if (mkdirat(devfd, "shm", 01777) < 0 && errno != EEXIST)
    return herr_sys(e, "mkdir `/dev/shm`");
  if (mkdirat(devfd, "pts", 0755) < 0 && errno != EEXIST)
    return herr_sys(e, "mkdir `/dev/pts`");
  return 0;
}

static mode_t device_type(const char *t)
{
  switch (t[0]) {
  case 'b':
    return S_IFBLK;
  case 'p':
    return S_IFIFO;
  default:
    return S_IFCHR; /* c and u */
  }
}

static int spec_device(int rootfd, const struct oci_device *d, bool in_userns,
                       struct husk_err *e)
{
  char *dir = strdup(d->path), *slash;
  const char *name;
  mode_t mode = device_type(d->type) | (d->file_mode.set ? (mode_t)d->file_mode.value : 0666);
  int dirfd, r;
  if (!dir)
    return herr(e, ENOMEM, "device");
  slash = strrchr(dir, '/');
  name = slash ? slash + 1 : dir;
  if (slash)
    *slash = '\0';
  dirfd = safe_mkdir_in_root(rootfd, slash && dir[0] ? dir : "/", 0755, e);
  if (dirfd < 0) {
    free(dir);
    return -1;
  }
  r = make_node(dirfd, name, mode, makedev(d->major, d->minor),
                d->host_path ? d->host_path : d->path, in_userns, e);
  if (r == 0 && !in_userns) {
    fchmodat(dirfd, name, mode & 07777, 0);
    if (fchownat(dirfd, name, d->uid.set ? (uid_t)d->uid.value : 0,
                 d->gid.set ? (gid_t)d->gid.value : 0, AT_SYMLINK_NOFOLLOW) < 0)
      r = herr_sys(e, "chown `%s`", d->path);
  }
  close(dirfd);
  free(dir);
  return r;
}

int devices_setup(int rootfd, const struct oci_spec *spec, bool in_userns, struct husk_err *e)
{
  int devfd = safe_mkdir_in_root(rootfd, "/dev", 0755, e), r = 0;
  if (devfd < 0)
    return herr_wrap(e, "devices");
  r = default_nodes(devfd, in_userns, e);
  close(devfd);
  for (size_t i = 0; r == 0 && spec->has_linux && i < spec->linux_.n_devices; i++)
    if (spec_device(rootfd, &spec->linux_.devices[i], in_userns, e) < 0)
      r = herr_wrap(e, "linux.devices[%zu] `%s`", i, spec->linux_.devices[i].path);
  return r;
}
