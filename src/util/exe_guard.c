#include "util/exe_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rootless/subid.h"
#include "util/fault.h"
#include "util/passwd.h"

extern char **environ;

#define SEALS_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

bool exe_guard_mapped_writer(const struct stat *st, uid_t uid, gid_t gid, const char *name,
                             const struct subid_file *subuid, const struct subid_file *subgid)
{
  /* an owner among our ids may chmod it; with both ids mapped, the
   * container's root also holds CAP_DAC_OVERRIDE over it */
  if (subid_covers(subuid, name, uid, uid, st->st_uid, 1))
    return true;
  return (st->st_mode & S_IWGRP) && subid_covers(subgid, name, uid, gid, st->st_gid, 1);
}

/* We cannot write the file at path; can a container we start? It holds our
 * ids and the subordinate ones newuidmap/newgidmap let us map. */
static bool container_may_write(const char *path)
{
  struct subid_file subuid = {0}, subgid = {0};
  struct passwd *pw = husk_getpwuid(geteuid());
  struct stat st;
  bool r;
  if (stat(path, &st) < 0)
    return true; /* unknown: protect */
  /* a POSIX ACL may name a subordinate id: not worth resolving, protect */
  if (getxattr(path, "system.posix_acl_access", NULL, 0) > 0)
    return true;
  if (subid_read(SUBUID_FILE, &subuid, NULL, NULL) < 0 ||
      subid_read(SUBGID_FILE, &subgid, NULL, NULL) < 0) {
    subid_file_free(&subuid);
    return true;
  }
  r = exe_guard_mapped_writer(&st, geteuid(), getegid(), pw ? pw->pw_name : NULL, &subuid, &subgid);
  subid_file_free(&subuid);
  subid_file_free(&subgid);
  return r;
}

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
  if (access(path, W_OK) < 0 && errno != EROFS && !container_may_write(path))
    return EXE_GUARD_UNWRITABLE;
  return EXE_GUARD_EXPOSED;
}

static int make_readonly(int tree)
{
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV};
  return (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
}

/* A detached, read-only bind mount of the file behind fd. */
static int readonly_clone(int fd)
{
  int tree =
      (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return -1;
  if (make_readonly(tree) < 0) {
    close(tree);
    return -1;
  }
  return tree;
}

/* What the child of userns_readonly_clone() works on: it shares our memory. */
struct ns_clone {
  const char *path; /* our exe's path */
  int self;         /* an fd of our exe */
  int tree;         /* out: the read-only detached mount */
};

static int ns_clone_child(void *arg)
{
  struct ns_clone *q = arg;
  struct stat a, b;
  /* our exe is a mount of the old namespace: reach it by its path in the
   * new one, and make sure that path still names the same file */
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, q->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return 1;
  if (fstat(tree, &a) < 0 || fstat(q->self, &b) < 0 || a.st_dev != b.st_dev ||
      a.st_ino != b.st_ino || make_readonly(tree) < 0) {
    close(tree);
    return 1;
  }
  q->tree = tree;
  return 0;
}

/* Rootless, we may not make mounts, but a child of ours in a user and mount
 * namespace of its own may. It shares our memory and fd table (a vfork: we
 * wait while it runs), makes the read-only detached mount of the binary
 * there and leaves the fd in our table. Nothing is copied. The mount's
 * anonymous namespace dissolves when that O_CLOEXEC fd closes at our
 * execveat, and from then on nobody can clear its read-only flag
 * (docs/security.md). -1 where user namespaces are refused: the caller
 * falls back to a sealed copy. */
static int userns_readonly_clone(int fd)
{
  const size_t stack_len = 64 * 1024;
  char path[PATH_MAX];
  struct ns_clone q = {.path = path, .self = fd, .tree = -1};
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  void *stack;
  pid_t pid;
  if (n <= 0 || fault_is_set("exe-guard:no-userns"))
    return -1;
  path[n] = 0;
  stack =
      mmap(NULL, stack_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  pid = clone(ns_clone_child, (char *)stack + stack_len,
              CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, &q);
  munmap(stack, stack_len); /* the child has exited: CLONE_VFORK */
  if (pid < 0)
    return -1;
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return q.tree;
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
    target = userns_readonly_clone(self);
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
