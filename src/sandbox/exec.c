/* exec into a running container (see exec.h for the process tree). */
#include "sandbox/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/console.h"
#include "sandbox/process.h"
#include "sandbox/procfs.h"
#include "util/fault.h"
#include "util/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* setns order for the fallback: user first (it grants the rights for the
 * rest), mount last (it changes how later paths resolve). */
static const struct {
  const char *name;
  int flag;
} ns_order[] = {{"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
                {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
                {"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS}};
#define N_NS (sizeof ns_order / sizeof ns_order[0])

static bool ns_differs(pid_t pid, const char *name)
{
  char path[64];
  struct stat theirs, ours;
  snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, name);
  if (stat(path, &theirs) < 0)
    return false; /* the kernel lacks this namespace type */
  snprintf(path, sizeof path, "/proc/self/ns/%s", name);
  if (stat(path, &ours) < 0)
    return false;
  return theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
}

/* The namespaces of the init that we are not already in. */
static int ns_flags_of(pid_t pid)
{
  int flags = 0;
  for (size_t i = 0; i < N_NS; i++)
    if (ns_differs(pid, ns_order[i].name))
      flags |= ns_order[i].flag;
  return flags;
}

static int join_by_paths(pid_t pid, int flags, struct husk_err *e)
{
  int fds[N_NS];
  int r = 0;
  for (size_t i = 0; i < N_NS; i++) {
    char path[64];
    fds[i] = -1;
    if (!(flags & ns_order[i].flag))
      continue;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, ns_order[i].name);
    if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0 && r == 0)
      r = herr_sys(e, "open %s", path);
  }
  for (size_t i = 0; r == 0 && i < N_NS; i++)
    if (fds[i] >= 0 && setns(fds[i], ns_order[i].flag) < 0)
      r = herr_sys(e, "join the container's %s namespace", ns_order[i].name);
  for (size_t i = 0; i < N_NS; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  return r;
}

static int join_namespaces(pid_t pid, int pidfd, int flags, struct husk_err *e)
{
  if (!flags)
    return 0;
  /* Linux >= 5.8: all at once, atomically, on the pidfd. */
  if (pidfd >= 0 && setns(pidfd, flags) == 0)
    return 0;
  if (pidfd >= 0 && errno != EINVAL && errno != ENOSYS)
    return herr_sys(e, "join the container's namespaces (setns on a pidfd)");
  return join_by_paths(pid, flags, e);
}

__attribute__((noreturn)) static void fail(int fd, struct husk_err *e)
{
  sync_send(fd, SYNC_ERROR, e->errnum, e->msg ? e->msg : "unknown error");
  _exit(1);
}

static int keep_preserved_fds(int n, struct husk_err *e)
{
  for (int fd = 3; fd < 3 + n; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0)
      return herr_sys(e, "--preserve-fds: fd %d", fd);
    if ((fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
      return herr_sys(e, "--preserve-fds: fd %d", fd);
  }
  return process_close_fds(n, e);
}

static int oom_score(const struct oci_process *p, struct husk_err *e)
{
  int procfd, r;
  if (!p->oom_score_adj.set)
    return 0;
  if ((procfd = procfs_open_private(e)) < 0)
    return -1;
  r = process_oom_score_adj(p, procfd, e);
  close(procfd);
  return r;
}

/* The process itself: inside every namespace, not yet in the cgroup. */
__attribute__((noreturn)) static void exec_child(const struct exec_opts *o, int fd, int console,
                                                 bool in_userns)
{
  const struct oci_process *p = o->proc;
  struct husk_err e = {0};
  struct sync_msg m;
  char *path = NULL;
  if (p->terminal && console_setup_exec(p, console, &e) < 0)
    fail(fd, &e);
  if (console >= 0)
    close(console);
  if (process_rlimits(p, &e) < 0 || oom_score(p, &e) < 0 || process_chdir(p, false, &e) < 0 ||
      process_resolve_exec(p, &path, &e) < 0)
    fail(fd, &e);
  /* The runtime moves us into the cgroup now (a frozen one stops us here). */
  if (sync_send(fd, SYNC_READY, 0, NULL) < 0 || sync_recv(fd, &m, -1) < 0 ||
      m.type != SYNC_START)
    _exit(1);
  /* Same order as the init: fds, then LSM/seccomp/user/caps (process_confine). */
  if (process_rlimit_nofile(p, &e) < 0 || keep_preserved_fds(o->preserve_fds, &e) < 0 ||
      process_confine(o->spec, p, in_userns, -1, &e) < 0)
    fail(fd, &e);
  process_exec(p, path, &e);
  fail(fd, &e);
}

/* The helper: joins the namespaces, then clones the process as a sibling
 * (CLONE_PARENT: it becomes the runtime's child) and leaves. */
__attribute__((noreturn)) static void exec_helper(const struct exec_opts *o, int pidfd, int flags,
                                                  int fd, int console)
{
  /* clone3 refuses an exit signal with CLONE_PARENT: the child inherits
   * ours (SIGCHLD, we were forked), which is what the runtime waits for. */
  struct clone_args args = {.flags = CLONE_PARENT};
  struct husk_err e = {0};
  pid_t child;
  if (join_namespaces(o->c->pid, pidfd, flags, &e) < 0)
    fail(fd, &e);
  if (pidfd >= 0)
    close(pidfd);
  child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (child < 0 && errno == ENOSYS)
    child = (pid_t)syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, NULL);
  if (child < 0) {
    herr_sys(&e, "clone the exec process into the container");
    fail(fd, &e);
  }
  if (child == 0)
    exec_child(o, fd, console, flags & CLONE_NEWUSER);
  sync_send(fd, SYNC_PID, child, NULL);
  _exit(0);
}

struct exec_talk {
  pid_t helper, pid;
  bool helper_reaped, ready, started;
};

static void got_pid(struct exec_talk *t, pid_t pid)
{
  t->pid = pid;
  waitpid(t->helper, NULL, 0); /* it leaves right after sending the pid */
  t->helper_reaped = true;
}

/* Moves the process into the cgroup and releases it to exec. Returns 1 when
 * the cgroup is frozen (--ignore-paused): the exec happens after resume. */
static int release(int fd, const struct exec_opts *o, struct exec_talk *t, struct husk_err *e)
{
  /* Checked before the join too: a v1 freezer that takes a new task reports
   * FREEZING (not FROZEN) until the task is frozen. */
  bool frozen = cgroup_is_frozen(o->cgroup) == 1;
  t->started = true;
  if (fault_point("exec:ready", e) < 0)
    return -1;
  if (o->subs && o->subs->n ? cgroup_enter_sub(o->cgroup, o->subs, t->pid, e) < 0
                            : cgroup_enter(o->cgroup, t->pid, e) < 0)
    return herr_wrap(e, "exec: join the container's cgroup");
  if (fault_point("exec:joined", e) < 0)
    return -1;
  if (sync_send(fd, SYNC_START, 0, NULL) < 0)
    return herr(e, EPIPE, "exec: the process exited during setup");
  return frozen || cgroup_is_frozen(o->cgroup) == 1;
}

/* Answers the helper and the process until exec (EOF) or an error. */
static int converse(int fd, const struct exec_opts *o, struct exec_talk *t, struct husk_err *e)
{
  struct sync_msg m;
  int r;
  for (;;) {
    r = sync_recv(fd, &m, -1);
    if (r < 0 && t->started && t->helper_reaped)
      return 0; /* EOF: close-on-exec fired, the program runs */
    if (r < 0)
      return herr(e, -r, "exec: the process exited during setup");
    if (m.type == SYNC_ERROR)
      return herr_take(e, m.value, strdup(m.text));
    if (m.type == SYNC_PID)
      got_pid(t, m.value);
    else if (m.type == SYNC_READY)
      t->ready = true; /* may overtake the helper's SYNC_PID */
    else
      return herr(e, EPROTO, "exec: unexpected message %u", m.type);
    if (t->ready && t->pid > 0 && !t->started && (r = release(fd, o, t, e)) != 0)
      return r < 0 ? -1 : 0;
  }
}

/* After a failure: kill the process, collect its pid if still unknown, reap both. */
static void cleanup(int fd, struct exec_talk *t)
{
  struct sync_msg m;
  if (t->pid > 0)
    kill(t->pid, SIGKILL);
  while (sync_recv(fd, &m, 5000) == 0)
    if (m.type == SYNC_PID && t->pid <= 0) {
      got_pid(t, m.value);
      kill(t->pid, SIGKILL);
    }
  if (!t->helper_reaped) {
    kill(t->helper, SIGKILL);
    waitpid(t->helper, NULL, 0);
  }
  if (t->pid > 0)
    waitpid(t->pid, NULL, 0);
}

static int open_console(const struct exec_opts *o, int *console, struct husk_err *e)
{
  *console = -1;
  if (!o->proc->terminal) {
    if (o->console_socket)
      return herr(e, EINVAL, "--console-socket given but the process has no terminal (use -t)");
    return 0;
  }
  if (o->console_socket) {
    int fd = console_socket_connect(o->console_socket, e);
    if (fd < 0)
      return -1;
    *console = fd;
    return 0;
  }
  if (o->console_fd_out >= 0) {
    *console = o->console_fd_out;
    return 0;
  }
  return herr(e, EINVAL, "process.terminal is true but no --console-socket was given "
                         "(cannot allocate a tty when husk detaches)");
}

int sandbox_exec(const struct exec_opts *o, pid_t *pid, struct husk_err *e)
{
  struct exec_talk t = {.pid = -1};
  int pidfd = container_pidfd(o->c), console = -1, sv[2], flags, r;
  if (pidfd < 0 && !(pidfd == -ENOSYS && container_init_alive(o->c)))
    return herr(e, ESRCH, "cannot exec in a stopped container");
  flags = ns_flags_of(o->c->pid); /* without a pidfd: joined by /proc paths */
  if (open_console(o, &console, e) < 0) {
    if (pidfd >= 0)
      close(pidfd);
    return -1;
  }
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    r = herr_sys(e, "socketpair");
    goto out;
  }
  t.helper = fork();
  if (t.helper == 0) {
    close(sv[0]);
    exec_helper(o, pidfd, flags, sv[1], console);
  }
  close(sv[1]);
  if (t.helper < 0)
    r = herr_sys(e, "fork the exec helper");
  else if ((r = fault_point("exec:forked", e)) < 0 || (r = converse(sv[0], o, &t, e)) < 0)
    cleanup(sv[0], &t);
  close(sv[0]);
  *pid = t.pid;
out:
  if (console >= 0 && console != o->console_fd_out)
    close(console);
  if (pidfd >= 0)
    close(pidfd);
  return r;
}
