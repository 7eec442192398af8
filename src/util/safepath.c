#include "util/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fault.h"

#define MAX_SYMLINKS 40

static bool force_fallback;

void safe_path_force_fallback(bool on)
{
  force_fallback = on;
}

const char *fd_path(int fd, char buf[static 32])
{
  snprintf(buf, 32, "/proc/self/fd/%d", fd);
  return buf;
}

static int try_openat2(int rootfd, const char *path, int oflags, mode_t mode)
{
  struct open_how how = {
      .flags = (uint64_t)(oflags | O_CLOEXEC),
      .mode = (oflags & (O_CREAT | O_TMPFILE)) ? mode : 0,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;
  if (force_fallback || fault_is_set("safepath:no-openat2"))
    return -ENOSYS;
  do
    fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd < 0 ? -errno : fd;
}

/* ENOSYS: old kernel; EPERM/EACCES may come from a seccomp filter on openat2. */
static bool openat2_unusable(int r)
{
  return r == -ENOSYS || r == -EPERM || r == -E2BIG;
}

struct walk {
  int *fds; /* directory chain, fds[0] = the root */
  size_t depth, cap;
};

static int walk_push(struct walk *w, int fd)
{
  if (w->depth + 1 == w->cap) {
    int *n = realloc(w->fds, sizeof(int) * w->cap * 2);
    if (!n)
      return -ENOMEM;
    w->fds = n;
    w->cap *= 2;
  }
  w->fds[++w->depth] = fd;
  return 0;
}

static void walk_pop_to(struct walk *w, size_t depth)
{
  while (w->depth > depth)
    close(w->fds[w->depth--]);
}

/* Splits off the first component of *rest into comp; returns false at end. */
static bool next_component(char **rest, char **comp)
{
  char *p = *rest;
  while (*p == '/')
    p++;
  if (!*p)
    return false;
  *comp = p;
  while (*p && *p != '/')
    p++;
  if (*p)
    *p++ = '\0';
  *rest = p;
  return true;
}

static bool only_slashes(const char *s)
{
  while (*s == '/')
    s++;
  return *s == '\0';
}

/* Replaces the pending path with "<link>/<rest>". */
static int expand_link(char **buf, char **rest, const char *link)
{
  char *n = NULL;
  if (asprintf(&n, "%s/%s", link, *rest) < 0)
    return -ENOMEM;
  free(*buf);
  *buf = *rest = n;
  return 0;
}

/* The fallback resolver. mkdirs: create missing directories along the way
 * (the final component too, as a directory). */
static int walk_in_root(int rootfd, const char *path, int oflags, mode_t mode, bool mkdirs)
{
  struct walk w = {.fds = malloc(sizeof(int) * 16), .cap = 16};
  char *buf = strdup(path), *rest = buf, *comp, link[PATH_MAX];
  int links = 0, ret = -ENOENT;
  if (!w.fds || !buf) {
    ret = -ENOMEM;
    goto out;
  }
  w.fds[0] = rootfd;
  if (only_slashes(rest)) {
    ret = openat(rootfd, ".", oflags | O_CLOEXEC);
    ret = ret < 0 ? -errno : ret;
    goto out;
  }
  while (next_component(&rest, &comp)) {
    bool last = only_slashes(rest);
    int dir = w.fds[w.depth], fd;
    struct stat st;
    if (strcmp(comp, ".") == 0 && !last)
      continue;
    if (strcmp(comp, "..") == 0 && !last) {
      walk_pop_to(&w, w.depth ? w.depth - 1 : 0);
      continue;
    }
    if (strcmp(comp, "..") == 0 || strcmp(comp, ".") == 0) {
      if (strcmp(comp, "..") == 0)
        walk_pop_to(&w, w.depth ? w.depth - 1 : 0);
      ret = openat(w.fds[w.depth], ".", oflags | O_CLOEXEC);
      ret = ret < 0 ? -errno : ret;
      goto out;
    }
    /* O_NOFOLLOW applies to the last component only, as with openat2: the
     * open below then gets the link itself (O_PATH) or ELOOP. */
    if (!(last && (oflags & O_NOFOLLOW)) && fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
      ssize_t n = readlinkat(dir, comp, link, sizeof link - 1);
      if (n < 0 || ++links > MAX_SYMLINKS) {
        ret = n < 0 ? -errno : -ELOOP;
        goto out;
      }
      link[n] = '\0';
      if (link[0] == '/')
        walk_pop_to(&w, 0);
      if ((ret = expand_link(&buf, &rest, link)) < 0)
        goto out;
      continue;
    }
    if (mkdirs && mkdirat(dir, comp, 0755) < 0 && errno != EEXIST) {
      ret = -errno;
      goto out;
    }
    if (last) {
      fd = openat(dir, comp, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
      ret = fd < 0 ? -errno : fd;
      goto out;
    }
    fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || (ret = walk_push(&w, fd)) < 0) {
      ret = fd < 0 ? -errno : ret;
      if (fd >= 0)
        close(fd);
      goto out;
    }
  }
  /* Path ended in "/" after a symlink or similar: open the current dir. */
  ret = openat(w.fds[w.depth], ".", oflags | O_CLOEXEC);
  ret = ret < 0 ? -errno : ret;
out:
  walk_pop_to(&w, 0);
  free(w.fds);
  free(buf);
  return ret;
}

int safe_open_in_root(int rootfd, const char *path, int oflags, mode_t mode, struct husk_err *e)
{
  int fd = try_openat2(rootfd, path, oflags, mode);
  if (fd < 0 && openat2_unusable(fd))
    fd = walk_in_root(rootfd, path, oflags, mode, false);
  if (fd < 0)
    return herr(e, -fd, "open `%s` inside the rootfs", path);
  return fd;
}

int safe_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct husk_err *e)
{
  int fd = try_openat2(rootfd, path, O_PATH | O_DIRECTORY, 0);
  (void)mode;
  if (fd >= 0)
    return fd;
  if (fd == -ENOENT || openat2_unusable(fd))
    fd = walk_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, true);
  if (fd < 0)
    return herr(e, -fd, "create directory `%s` inside the rootfs", path);
  return fd;
}

/* parent is heap ("/" when none), base points into path. */
static int split_parent(const char *path, char **parent, const char **base)
{
  size_t n = strlen(path), cut;
  while (n > 1 && path[n - 1] == '/')
    n--;
  cut = n;
  while (cut > 0 && path[cut - 1] != '/')
    cut--;
  *base = path + cut;
  *parent = cut > 1 ? strndup(path, cut - 1) : strdup("/");
  return *parent ? 0 : -ENOMEM;
}

int safe_mount_target(int rootfd, const char *path, bool is_dir, struct husk_err *e)
{
  char *parent = NULL;
  const char *base;
  int fd, pfd, r;
  if (is_dir)
    return safe_mkdir_in_root(rootfd, path, 0755, e);
  fd = safe_open_in_root(rootfd, path, O_PATH, 0, NULL);
  if (fd >= 0)
    return fd;
  if ((r = split_parent(path, &parent, &base)) < 0)
    return herr(e, -r, "mount target `%s`", path);
  pfd = safe_mkdir_in_root(rootfd, parent, 0755, e);
  free(parent);
  if (pfd < 0)
    return pfd;
  /* base may carry trailing slashes only for directories; files have none. */
  fd = openat(pfd, base, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST)
    fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  r = errno;
  close(pfd);
  if (fd < 0)
    return herr(e, r, "create mount target `%s` inside the rootfs", path);
  return fd;
}
