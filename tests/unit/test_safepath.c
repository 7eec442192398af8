/* The user-space fallback walk of src/util/safepath.c (forced with
 * safe_path_force_fallback), with symlinks that try to escape the root
 * through absolute targets and "..". Also the openat2 path, for comparison. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
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
  /* O_NOFOLLOW: the last component's link itself, never its target */
  {
    struct stat st;
    fd = safe_open_in_root(rootfd, "abs", O_PATH | O_NOFOLLOW, 0, &e);
    ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
       "%s: O_PATH|O_NOFOLLOW on a final symlink opens the link", mode);
    if (fd >= 0)
      close(fd);
    herr_clear(&e);
    fd = safe_open_in_root(rootfd, "abs", O_RDONLY | O_NOFOLLOW, 0, &e);
    ok(fd < 0 && e.errnum == ELOOP, "%s: O_RDONLY|O_NOFOLLOW on a final symlink is ELOOP (%d)",
       mode, e.errnum);
    if (fd >= 0)
      close(fd);
    herr_clear(&e);
    inside(rootfd, "chain/marker", "etc/marker", mode); /* earlier links still followed */
  }
  fd = safe_mount_target(rootfd, "abs/target-file", false, &e);
  snprintf(p, sizeof p, "%s/etc/target-file", root);
  ok(fd >= 0 && same_inode(fd, p), "%s: file mount target through / symlink stays inside", mode);
  if (fd >= 0)
    close(fd);
  herr_clear(&e);
}

/* A component flipped between a directory and a symlink to the host while
 * the walk runs: whatever the walk opens must never be outside the root. */
static volatile int racing = 1;

static void *flipper(void *arg)
{
  char d[PATH_MAX * 2], l[PATH_MAX * 2], t[PATH_MAX * 2];
  (void)arg;
  snprintf(d, sizeof d, "%s/flip", root);
  snprintf(l, sizeof l, "%s/flip.link", root);
  snprintf(t, sizeof t, "%s/flip.dir", root);
  while (racing) {
    rename(l, d); /* flip is now a symlink to the host */
    rename(d, l);
    rename(t, d); /* flip is now the real directory */
    rename(d, t);
  }
  return NULL;
}

static void race(int rootfd)
{
  pthread_t th;
  char p[PATH_MAX * 2], secret[PATH_MAX * 2];
  int escaped = 0, opened = 0;
  snprintf(p, sizeof p, "%s/flip.link", root);
  if (symlink(outside, p) < 0)
    perror("symlink");
  mk("root/flip.dir", true);
  mk("root/flip.dir/secret", false);
  snprintf(secret, sizeof secret, "%s/secret", outside);
  safe_path_force_fallback(true);
  pthread_create(&th, NULL, flipper, NULL);
  for (int i = 0; i < 20000; i++) {
    struct husk_err e = {0};
    int fd = safe_open_in_root(rootfd, "flip/secret", O_RDONLY, 0, &e);
    if (fd >= 0) {
      opened++;
      escaped += same_inode(fd, secret);
      close(fd);
    }
    herr_clear(&e);
  }
  racing = 0;
  pthread_join(th, NULL);
  safe_path_force_fallback(false);
  ok(escaped == 0,
     "fallback: 20000 opens racing a dir/symlink swap: %d reached the host (%d "
     "opened inside)",
     escaped, opened);
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
  ln("/etc", "abs");                     /* absolute: must mean <root>/etc */
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
  race(rootfd);
  close(rootfd);
  {
    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "rm -rf %s", top);
    if (system(cmd) != 0)
      return 1;
  }
  return tap_done();
}
