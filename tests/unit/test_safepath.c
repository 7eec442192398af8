/* The user-space fallback walk of src/util/safepath.c (forced with
 * safe_path_force_fallback), with symlinks that try to escape the root
 * through absolute targets and "..". Also the openat2 path, for comparison. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/safepath.h"

static char top[PATH_MAX], root[PATH_MAX + 8], outside[PATH_MAX + 16];

static void mk(const char *rel, bool dir)
{
  char p[PATH_MAX * 2];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  if (dir)
    mkdir(p, 0755);
  else
    close(open(p, O_CREAT | O_WRONLY, 0644));
}

static void ln(const char *target, const char *rel)
{
  char p[PATH_MAX * 2];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  if (symlink(target, p) < 0)
    perror("symlink");
}

static bool same_inode(int fd, const char *host_path)
{
  struct stat a, b;
  return fd >= 0 && fstat(fd, &a) == 0 && stat(host_path, &b) == 0 && a.st_ino == b.st_ino &&
         a.st_dev == b.st_dev;
}

static void inside(int rootfd, const char *path, const char *want_rel, const char *mode)
{
  struct husk_err e = {0};
  char want[PATH_MAX * 2];
  int fd = safe_open_in_root(rootfd, path, O_PATH, 0, &e);
  snprintf(want, sizeof want, "%s/%s", root, want_rel);
  ok(same_inode(fd, want), "%s: %s resolves to <root>/%s%s%s", mode, path, want_rel,
     e.msg ? " — " : "", e.msg ? e.msg : "");
  if (fd >= 0)
    close(fd);
  herr_clear(&e);
}

static void run(int rootfd, const char *mode)
{
  struct husk_err e = {0};
  char p[PATH_MAX * 2];
  int fd;
  inside(rootfd, "abs", "etc", mode);
  inside(rootfd, "abs/marker", "etc/marker", mode);
  inside(rootfd, "dotdot/marker", "etc/marker", mode);
  inside(rootfd, "sub/deep/etc/marker", "etc/marker", mode);
  inside(rootfd, "../../../etc/marker", "etc/marker", mode);
  inside(rootfd, "/sub/../../etc/marker", "etc/marker", mode);
  inside(rootfd, "chain/marker", "etc/marker", mode);
  inside(rootfd, "self_outside", "", mode);
  /* a file only the host has must not be reachable */
  fd = safe_open_in_root(rootfd, "abs/../../outside/secret", O_RDONLY, 0, &e);
  ok(fd < 0, "%s: the host's secret stays out of reach", mode);
  if (fd >= 0)
    close(fd);
  herr_clear(&e);
  fd = safe_open_in_root(rootfd, "loop1/x", O_RDONLY, 0, &e);
  ok(fd < 0 && e.errnum == ELOOP, "%s: a symlink loop fails with ELOOP (%d)", mode, e.errnum);
  herr_clear(&e);
  /* mkdir through an escaping symlink lands inside */
  fd = safe_mkdir_in_root(rootfd, "dotdot/made-by-walk", 0755, &e);
  snprintf(p, sizeof p, "%s/etc/made-by-walk", root);
  ok(fd >= 0 && same_inode(fd, p), "%s: mkdir through ../ symlink stays inside", mode);
  snprintf(p, sizeof p, "%s/made-by-walk", outside);
  ok(access(p, F_OK) < 0, "%s: nothing created outside", mode);
  if (fd >= 0)
    close(fd);
  herr_clear(&e);
  fd = safe_mount_target(rootfd, "abs/target-file", false, &e);
  snprintf(p, sizeof p, "%s/etc/target-file", root);
  ok(fd >= 0 && same_inode(fd, p), "%s: file mount target through / symlink stays inside", mode);
  if (fd >= 0)
    close(fd);
  herr_clear(&e);
}

int main(void)
{
  char tmpl[] = "/tmp/husk-safepath.XXXXXX";
  int rootfd;
  if (!mkdtemp(tmpl))
    return 1;
  snprintf(top, sizeof top, "%s", tmpl);
  snprintf(root, sizeof root, "%s/root", top);
  snprintf(outside, sizeof outside, "%s/outside", top);
  mk("root", true);
  mk("root/etc", true);
  mk("root/etc/marker", false);
  mk("root/sub", true);
  mk("outside", true);
  mk("outside/secret", false);
  mk("outside/marker", false);
  ln("/etc", "abs");                   /* absolute: must mean <root>/etc */
  ln("../../../../../../etc", "dotdot"); /* ".." past the root clamps at it */
  ln("../../..", "sub/deep");
  ln("abs", "chain");
  ln("..", "self_outside");
  ln("loop2", "loop1");
  ln("loop1", "loop2");
  rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  safe_path_force_fallback(true);
  run(rootfd, "fallback");
  safe_path_force_fallback(false);
  {
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "rm -rf %s/etc/made-by-walk %s/etc/target-file", root, root);
    if (system(cmd) != 0)
      ok(0, "cleanup between modes");
  }
  run(rootfd, "openat2");
  close(rootfd);
  {
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    if (system(cmd) != 0)
      return 1;
  }
  return tap_done();
}
