/* The container's /sys/fs/cgroup. What the host has decides the shape:
 *   v2      one cgroup2 mount;
 *   v1 and hybrid
 *           a tmpfs holding one directory per hierarchy mounted on the host
 *           under /sys/fs/cgroup (the hybrid "unified" cgroup2 tree included),
 *           plus the host's symlinks (cpu -> cpu,cpuacct).
 * Each hierarchy is a fresh mount when the container has a cgroup namespace
 * (the kernel roots it at the container's cgroup, and allows it in a user
 * namespace), else a bind of the cgroup the init is in (the container's, or
 * the runtime's own when none was made, e.g. rootless without delegation).
 * The init has already been moved into its cgroup when this runs. */
#include "sandbox/cgroup_mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/safepath.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static void unescape(const char *in, char *out, size_t len)
{
  size_t o = 0;
  for (; *in && o + 1 < len; in++) {
    if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
        in[3] >= '0' && in[3] <= '7') {
      out[o++] = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
      in += 3;
    } else {
      out[o++] = *in;
    }
  }
  out[o] = '\0';
}

static bool copy_field(const char *s, size_t n, char *buf, size_t len)
{
  if (n + 1 > len)
    return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return true;
}

int cg_mountinfo_line(const char *line, char *mnt, size_t mnt_len, char *fstype, size_t fstype_len,
                      char *superopts, size_t so_len)
{
  const char *p = line, *sep = strstr(line, " - ");
  char raw[PATH_MAX];
  size_t n;
  /* id parent maj:min root MOUNTPOINT opts [optional...] - FSTYPE SOURCE SUPEROPTS */
  for (int i = 0; i < 4; i++) {
    p = strchr(p, ' ');
    if (!p)
      return -1;
    p++;
  }
  n = strcspn(p, " ");
  if (!sep || p + n > sep || !copy_field(p, n, raw, sizeof raw))
    return -1;
  unescape(raw, mnt, mnt_len);
  p = sep + 3;
  n = strcspn(p, " ");
  if (!copy_field(p, n, fstype, fstype_len) || !p[n])
    return -1;
  p += n + 1;
  p += strcspn(p, " "); /* source */
  if (*p != ' ')
    return -1;
  p++;
  return copy_field(p, strcspn(p, " \n"), superopts, so_len) ? 0 : -1;
}

void cg_v1_mount_data(const char *superopts, char *buf, size_t len)
{
  size_t o = 0;
  buf[0] = '\0';
  for (const char *p = superopts; *p;) {
    size_t n = strcspn(p, ",");
    bool skip = (n == 2 && (!strncmp(p, "rw", 2) || !strncmp(p, "ro", 2)));
    if (!skip && o + n + 2 < len) {
      if (o)
        buf[o++] = ',';
      memcpy(buf + o, p, n);
      o += n;
      buf[o] = '\0';
    }
    p += n + (p[n] == ',');
  }
}

static bool has_item(const char *list, const char *item, size_t n)
{
  for (const char *p = list; *p;) {
    size_t m = strcspn(p, ",");
    if (m == n && strncmp(p, item, n) == 0)
      return true;
    p += m + (p[m] == ',');
  }
  return false;
}

/* Every controller of "cpu,cpuacct" (or "name=systemd") is in superopts. */
static bool controllers_match(const char *ctrls, size_t len, const char *superopts)
{
  for (size_t i = 0; i < len;) {
    size_t n = strcspn(ctrls + i, ",:");
    if (n > len - i)
      n = len - i;
    if (!has_item(superopts, ctrls + i, n))
      return false;
    i += n + 1;
  }
  return len > 0;
}

bool cg_self_path(const char *proc_cgroup, bool v2, const char *superopts, char *buf, size_t len)
{
  for (const char *line = proc_cgroup; line && *line;) {
    const char *end = strchr(line, '\n'), *c1 = strchr(line, ':'), *c2;
    size_t llen = end ? (size_t)(end - line) : strlen(line);
    if (c1 && (c2 = memchr(c1 + 1, ':', llen - (size_t)(c1 + 1 - line)))) {
      size_t clen = (size_t)(c2 - c1 - 1);
      bool match = v2 ? (clen == 0 && strncmp(line, "0:", 2) == 0)
                      : controllers_match(c1 + 1, clen, superopts);
      if (match)
        return copy_field(c2 + 1, llen - (size_t)(c2 + 1 - line), buf, len);
    }
    line = end ? end + 1 : NULL;
  }
  return false;
}

/* Binds the cgroup this process is in (host path) onto target. *self is
 * /proc/self/cgroup, read on first use and kept for the next hierarchy
 * (the caller frees it): a hybrid host has a dozen. */
static int bind_own_cgroup(const char *mnt, bool v2, const char *superopts, int target, char **self,
                           struct husk_err *e)
{
  char rel[PATH_MAX], host[PATH_MAX * 2], t[32];
  if (!*self && read_file_at(AT_FDCWD, "/proc/self/cgroup", self, NULL, e) < 0)
    return -1;
  if (!cg_self_path(*self, v2, superopts, rel, sizeof rel))
    snprintf(rel, sizeof rel, "/");
  snprintf(host, sizeof host, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
  if (mount(host, fd_path(target, t), NULL, MS_BIND | MS_REC, NULL) < 0)
    return herr_sys(e, "bind cgroup `%s`", host);
  return 0;
}

/* Mounts one hierarchy on dirfd/name (or on target_fd itself when name is
 * NULL), then applies flags to the new mount (re-opened: the old fd still
 * names the directory underneath). */
static int mount_hierarchy(int dirfd, const char *name, const char *mnt, const char *fstype,
                           const char *superopts, bool cgroupns, unsigned long flags,
                           char **self_cgroup, struct husk_err *e)
{
  char t[32], data[512];
  bool v2 = strcmp(fstype, "cgroup2") == 0;
  int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;
  if (fd < 0)
    return herr_sys(e, "open cgroup mount point `%s`", name);
  cg_v1_mount_data(superopts, data, sizeof data);
  r = cgroupns ? mount(fstype, fd_path(fd, t), fstype, flags, v2 ? NULL : data) : -1;
  if (r < 0 && (!cgroupns || errno == EPERM || errno == EACCES))
    r = bind_own_cgroup(mnt, v2, superopts, fd, self_cgroup, e);
  else if (r < 0)
    r = herr_sys(e, "mount %s `%s`", fstype, mnt);
  close(fd);
  if (r < 0 || cgroupns) /* a fresh mount already has its flags */
    return r;
  fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(e, "open cgroup mount `%s`", name);
  r = mount(NULL, fd_path(fd, t), NULL, MS_REMOUNT | MS_BIND | flags, NULL);
  close(fd);
  return r < 0 ? herr_sys(e, "remount cgroup `%s`", mnt) : 0;
}

/* Re-creates the host's co-mount symlinks (cpu -> cpu,cpuacct). */
static void copy_symlinks(int dirfd)
{
  DIR *d = opendir(CG_ROOT);
  struct dirent *de;
  if (!d)
    return;
  while ((de = readdir(d))) {
    char target[PATH_MAX], path[PATH_MAX];
    ssize_t n;
    if (de->d_type != DT_LNK)
      continue;
    snprintf(path, sizeof path, CG_ROOT "/%s", de->d_name);
    n = readlink(path, target, sizeof target - 1);
    if (n <= 0)
      continue;
    target[n] = '\0';
    if (symlinkat(target, dirfd, de->d_name) < 0 && errno != EEXIST)
      continue; /* cosmetic: the hierarchies themselves are mounted */
  }
  closedir(d);
}

/* Every hierarchy the host mounts directly under /sys/fs/cgroup. */
static int mount_hierarchies(int dirfd, bool cgroupns, unsigned long flags, struct husk_err *e)
{
  FILE *f = fopen("/proc/self/mountinfo", "re");
  char *line = NULL, *self_cgroup = NULL;
  size_t cap = 0;
  int r = 0;
  if (!f)
    return herr_sys(e, "open /proc/self/mountinfo");
  while (r == 0 && getline(&line, &cap, f) > 0) {
    char mnt[PATH_MAX], fstype[64], so[512];
    const char *name;
    if (cg_mountinfo_line(line, mnt, sizeof mnt, fstype, sizeof fstype, so, sizeof so) < 0 ||
        (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")) ||
        strncmp(mnt, CG_ROOT "/", sizeof CG_ROOT) != 0)
      continue;
    name = mnt + sizeof CG_ROOT;
    if (!*name || strchr(name, '/') || name[0] == '.')
      continue;
    if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
      r = herr_sys(e, "mkdir cgroup mount point `%s`", name);
    else
      r = mount_hierarchy(dirfd, name, mnt, fstype, so, cgroupns, flags, &self_cgroup, e);
  }
  free(self_cgroup);
  free(line);
  fclose(f);
  copy_symlinks(dirfd);
  return r;
}

static int mount_v2(const struct oci_mount *m, const struct mount_env *env, unsigned long flags,
                    struct husk_err *e)
{
  int fd = safe_mkdir_in_root(env->rootfd, m->destination, 0755, e), parent, r;
  char *slash, *dir, *self_cgroup = NULL;
  if (fd < 0)
    return -1;
  close(fd);
  /* mount_hierarchy works on (dirfd, name): split the destination. */
  if (!(dir = strdup(m->destination)))
    return herr(e, ENOMEM, "cgroup mount");
  slash = strrchr(dir, '/');
  *slash = '\0';
  parent = safe_open_in_root(env->rootfd, *dir ? dir : "/", O_PATH | O_DIRECTORY, 0, e);
  r = parent < 0 ? -1
                 : mount_hierarchy(parent, slash + 1, CG_ROOT, "cgroup2", "", env->new_cgroupns,
                                   flags, &self_cgroup, e);
  if (parent >= 0)
    close(parent);
  free(self_cgroup);
  free(dir);
  return r;
}

int mount_cgroup_tree(const struct oci_mount *m, const struct mount_opts *o,
                      const struct mount_env *env, struct husk_err *e)
{
  char t[32];
  unsigned long flags = CG_FLAGS | (o->flags & MS_RDONLY);
  enum cg_layout layout = cgroup_detect_layout();
  int fd, dfd, r;
  if (layout == CG_LAYOUT_NONE)
    return herr(e, ENOENT, "no cgroup filesystem mounted at " CG_ROOT " on the host");
  if (layout == CG_LAYOUT_V2)
    return mount_v2(m, env, flags, e);
  if ((fd = safe_mkdir_in_root(env->rootfd, m->destination, 0755, e)) < 0)
    return -1;
  r = mount("tmpfs", fd_path(fd, t), "tmpfs", CG_FLAGS, "mode=755");
  close(fd);
  if (r < 0)
    return herr_sys(e, "mount tmpfs for the cgroup v1 hierarchies");
  dfd = safe_open_in_root(env->rootfd, m->destination, O_PATH | O_DIRECTORY, 0, e);
  if (dfd < 0)
    return -1;
  /* O_PATH fds cannot create entries: open the tmpfs for real. */
  fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(dfd);
  if (fd < 0)
    return herr_sys(e, "open the cgroup tmpfs");
  r = mount_hierarchies(fd, env->new_cgroupns, flags, e);
  close(fd);
  if (r == 0 && (flags & MS_RDONLY))
    r = remount_bind(env->rootfd, m->destination, CG_FLAGS | MS_RDONLY, e);
  return r;
}
