#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int write_all_fd(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -errno;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_err *e)
{
  int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  size_t cap = 4096, n = 0;
  char *buf;
  if (fd < 0)
    return herr_sys(e, "open `%s`", path);
  buf = malloc(cap + 1);
  for (;;) {
    ssize_t r;
    if (n == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (!nb) {
        free(buf);
        close(fd);
        return herr(e, ENOMEM, "read `%s`", path);
      }
      buf = nb;
      cap *= 2;
    }
    r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int err = errno;
      free(buf);
      close(fd);
      return herr(e, err, "read `%s`", path);
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_err *e)
{
  int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  int r;
  if (fd < 0)
    return herr_sys(e, "open `%s`", path);
  r = write_all_fd(fd, data, len);
  close(fd);
  if (r < 0)
    return herr(e, -r, "write `%s`", path);
  return 0;
}

int write_file_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                      struct husk_err *e)
{
  char tmp[PATH_MAX];
  int fd, r;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return herr_sys(e, "create `%s`", tmp);
  r = write_all_fd(fd, data, len);
  close(fd);
  if (r < 0) {
    unlinkat(dirfd, tmp, 0);
    return herr(e, -r, "write `%s`", tmp);
  }
  if (renameat(dirfd, tmp, dirfd, path) < 0) {
    int err = errno;
    unlinkat(dirfd, tmp, 0);
    return herr(e, err, "rename `%s` to `%s`", tmp, path);
  }
  return 0;
}

int mkdir_p(const char *path, mode_t mode, struct husk_err *e)
{
  char buf[PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf)
    return herr(e, ENAMETOOLONG, "mkdir `%s`", path);
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
      return herr_sys(e, "mkdir `%s`", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST)
    return herr_sys(e, "mkdir `%s`", buf);
  return 0;
}

int rm_rf_at(int parent, const char *name, struct husk_err *e)
{
  int fd;
  DIR *d;
  struct dirent *de;
  if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return herr_sys(e, "unlink `%s`", name);
  fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : herr_sys(e, "open `%s`", name);
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return herr_sys(e, "opendir `%s`", name);
  }
  while ((de = readdir(d))) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (rm_rf_at(dirfd(d), de->d_name, e) < 0) {
      closedir(d);
      return -1;
    }
  }
  closedir(d);
  if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return herr_sys(e, "rmdir `%s`", name);
  return 0;
}

char *abs_path(const char *path)
{
  char cwd[PATH_MAX], *out = NULL;
  if (path[0] == '/')
    return strdup(path);
  if (!getcwd(cwd, sizeof cwd))
    return NULL;
  while (path[0] == '.' && path[1] == '/') /* "./x" → "x" */
    path += 2;
  if (path[0] == '\0' || strcmp(path, ".") == 0) /* the bundle "." is the cwd itself */
    return strdup(cwd);
  if (asprintf(&out, "%s/%s", cwd, path) < 0)
    return NULL;
  return out;
}
