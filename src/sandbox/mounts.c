#include "sandbox/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/cgroup_mount.h"
#include "sandbox/mount_opts.h"
#include "util/safepath.h"

static bool is_bind(const struct oci_mount *m, const struct mount_opts *o)
{
  return o->bind || (m->type && strcmp(m->type, "bind") == 0);
}

bool spec_mounts_dest(const struct oci_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const char *d = spec->mounts[i].destination;
    while (d[0] == '/' && d[1] == '/')
      d++;
    if (strcmp(d, dest) == 0)
      return true;
  }
  return false;
}

static unsigned long statvfs_locked(const char *path)
{
  struct statvfs s;
  unsigned long out = 0;
  if (statvfs(path, &s) < 0)
    return 0;
  if (s.f_flag & ST_NOSUID)
    out |= MS_NOSUID;
  if (s.f_flag & ST_NODEV)
    out |= MS_NODEV;
  if (s.f_flag & ST_NOEXEC)
    out |= MS_NOEXEC;
  if (s.f_flag & ST_RDONLY)
    out |= MS_RDONLY;
  return out;
}

int remount_bind(int rootfd, const char *dest, unsigned long flags, struct husk_err *e)
{
  char p[32];
  int fd = safe_open_in_root(rootfd, dest, O_PATH, 0, e);
  int r;
  if (fd < 0)
    return -1;
  r = mount(NULL, fd_path(fd, p), NULL, MS_REMOUNT | MS_BIND | flags, NULL);
  if (r < 0 && errno == EPERM) /* keep flags the kernel locked on us */
    r = mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags | statvfs_locked(p), NULL);
  if (r < 0)
    r = herr_sys(e, "remount `%s`", dest);
  close(fd);
  return r;
}

int bind_mount_fd(const char *src, int target_fd, bool recursive, unsigned long flags,
                  struct husk_err *e)
{
  char t[32];
  if (mount(src, fd_path(target_fd, t), NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return herr_sys(e, "bind mount `%s`", src);
  (void)flags;
  return 0;
}

/* mount_setattr for the recursive options (rro, rnosuid, ...). */
static int apply_rec_attrs(int rootfd, const char *dest, const struct mount_opts *o,
                           struct husk_err *e)
{
  struct mount_attr attr = {.attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr};
  int fd, r;
  if (!o->rec_attr_set && !o->rec_attr_clr)
    return 0;
  if ((fd = safe_open_in_root(rootfd, dest, O_PATH, 0, e)) < 0)
    return -1;
  r = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
  if (r < 0)
    r = herr_sys(e, "mount_setattr (recursive options) on `%s`", dest);
  close(fd);
  return r;
}

static int apply_propagation(int rootfd, const char *dest, unsigned long prop,
                             struct husk_err *e)
{
  char p[32];
  int fd, r = 0;
  if (!prop)
    return 0;
  if ((fd = safe_open_in_root(rootfd, dest, O_PATH, 0, e)) < 0)
    return -1;
  if (mount(NULL, fd_path(fd, p), NULL, prop, NULL) < 0)
    r = herr_sys(e, "set propagation of `%s`", dest);
  close(fd);
  return r;
}

static int mount_bind(const struct oci_mount *m, const struct mount_opts *o,
                      const struct mount_env *env, struct husk_err *e)
{
  struct stat st;
  int fd, r;
  unsigned long flags = o->flags & ~(unsigned long)(MS_REMOUNT | MS_BIND);
  if (!m->source)
    return herr(e, EINVAL, "bind mount needs a source");
  if (stat(m->source, &st) < 0)
    return herr_sys(e, "bind source `%s`", m->source);
  fd = safe_mount_target(env->rootfd, m->destination, S_ISDIR(st.st_mode), e);
  if (fd < 0)
    return -1;
  r = bind_mount_fd(m->source, fd, o->recursive_bind, 0, e);
  close(fd);
  if (r == 0 && flags)
    r = remount_bind(env->rootfd, m->destination, flags, e);
  return r;
}

/* CVE-2019-16884 / CVE-2019-19921: a /proc (or /sys) that the image made a
 * symlink or a file must not be followed, even within the rootfs: procfs
 * would land somewhere else than the path masks, readonly paths and anything
 * that trusts "/proc" refer to. runc refuses it the same way. */
static int check_plain_dir(int rootfd, const char *dest, const char *type, struct husk_err *e)
{
  struct husk_err ignore = {0};
  struct stat st;
  int fd = safe_open_in_root(rootfd, dest, O_PATH | O_NOFOLLOW, 0, &ignore), r = 0;
  herr_clear(&ignore);
  if (fd < 0)
    return 0; /* missing: created as a directory */
  if (fstat(fd, &st) < 0)
    r = herr_sys(e, "stat `%s`", dest);
  else if (!S_ISDIR(st.st_mode))
    r = herr(e, ENOTDIR, "filesystem \"%s\" must be mounted on an ordinary directory, `%s` "
                         "in the rootfs is a %s",
             type, dest, S_ISLNK(st.st_mode) ? "symlink" : "non-directory");
  close(fd);
  return r;
}

static int mount_fs(const struct oci_mount *m, const struct mount_opts *o,
                    const struct mount_env *env, struct husk_err *e)
{
  char t[32];
  const char *type = m->type;
  int fd, r = 0;
  if (!type || !*type)
    return herr(e, EINVAL, "missing mount type");
  if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
    return mount_cgroup_tree(m, o, env, e);
  if (strcmp(type, "sysfs") == 0 && env->in_userns && !env->new_netns) {
    /* sysfs can only be mounted by the owner of the network namespace. */
    struct oci_mount b = *m;
    struct mount_opts bo = *o;
    b.source = (char *)"/sys";
    bo.recursive_bind = true;
    return mount_bind(&b, &bo, env, e);
  }
  if ((strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) &&
      check_plain_dir(env->rootfd, m->destination, type, e) < 0)
    return -1;
  fd = safe_mkdir_in_root(env->rootfd, m->destination, 0755, e);
  if (fd < 0)
    return -1;
  if (mount(m->source ? m->source : type, fd_path(fd, t), type, o->flags & ~MS_REMOUNT,
            o->data) < 0)
    r = herr_sys(e, "mount %s", type);
  close(fd);
  return r;
}

int mounts_apply(const struct oci_spec *spec, const struct mount_env *env, struct husk_err *e)
{
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct oci_mount *m = &spec->mounts[i];
    struct mount_opts o;
    const char *bad = NULL;
    int r;
    if (mount_opts_parse(m->options, &o, &bad) < 0)
      return herr(e, EINVAL, "mounts[%zu] (%s): invalid option `%s`", i, m->destination,
                  bad ? bad : "");
    if (o.idmap)
      r = herr(e, ENOTSUP, "idmapped mounts are not supported yet");
    else
      r = is_bind(m, &o) ? mount_bind(m, &o, env, e) : mount_fs(m, &o, env, e);
    if (r == 0)
      r = apply_rec_attrs(env->rootfd, m->destination, &o, e);
    if (r == 0)
      r = apply_propagation(env->rootfd, m->destination, o.propagation, e);
    mount_opts_clear(&o);
    if (r < 0)
      return herr_wrap(e, "mounts[%zu] `%s` on `%s`", i, m->source ? m->source : "",
                       m->destination);
  }
  return 0;
}
