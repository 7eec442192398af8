/* The container's init, from clone to execve. The order is the design:
 *   1. wait for the parent (uid/gid maps written, cgroup joined)
 *   2. join namespaces by path, unshare the rest, fork again if pid/time need it
 *   3. rootfs: propagation, self-bind, mounts, /dev, devices
 *   4. parent runs prestart/createRuntime hooks; we run createContainer hooks
 *   5. masked/readonly paths, pivot_root, read-only root
 *   6. hostname, domainname, sysctl, console, rlimits, oom score, cwd, exec check
 *   7. READY → block on start.sock
 *   8. startContainer hooks, user/groups/caps, LSM label, seccomp, execve. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hooks.h"
#include "oci_state.h"
#include "sandbox/console.h"
#include "sandbox/devices.h"
#include "sandbox/mounts.h"
#include "sandbox/process.h"
#include "sandbox/procfs.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "sandbox/security.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/sync.h"

__attribute__((noreturn)) static void fail(int fd, struct husk_err *e, enum sync_type t)
{
  sync_send(fd, t, e->errnum, e->msg ? e->msg : "unknown error");
  _exit(1);
}

/* Returns the message's value (>= 0) or -1. */
static int expect(int fd, enum sync_type t, struct husk_err *e)
{
  struct sync_msg m;
  int r = sync_recv(fd, &m, -1);
  if (r < 0)
    return herr(e, -r, "init: lost the runtime");
  if (m.type != t)
    return herr(e, EPROTO, "init: unexpected message %u", m.type);
  return m.value;
}

static int write_time_offsets(const struct oci_spec *spec, struct husk_err *e)
{
  char buf[256];
  size_t off = 0;
  for (size_t i = 0; i < spec->linux_.n_time_offsets; i++) {
    const struct oci_time_offset *t = &spec->linux_.time_offsets[i];
    off += (size_t)snprintf(buf + off, sizeof buf - off, "%s %lld %u\n", t->clock,
                            (long long)t->secs, t->nanosecs);
  }
  if (off && write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, off, e) < 0)
    return herr_wrap(e, "linux.timeOffsets");
  return 0;
}

/* Step 2. Returns in the process that becomes the container's init. */
static int enter_namespaces(struct sandbox *sb, struct husk_err *e)
{
  pid_t pid;
  if (ns_join(&sb->ns, e) < 0)
    return -1;
  if (sb->ns.unshare_flags && unshare((int)sb->ns.unshare_flags) < 0)
    return herr_sys(e, "unshare namespaces");
  if (sb->ns.new_time && write_time_offsets(sb->spec, e) < 0)
    return -1;
  if (!sb->ns.fork_again)
    return 0;
  pid = fork();
  if (pid < 0)
    return herr_sys(e, "fork into the pid namespace");
  if (pid > 0) { /* the intermediate: report the real init and leave */
    sync_send(sb->sync_fd, SYNC_PID, pid, NULL);
    _exit(0);
  }
  return 0;
}

/* createContainer hooks get the host pid: they run before pivot_root, where
 * /proc is still the host's (NVIDIA's hooks find the container through it),
 * and the real rootfs path (never "", which NVIDIA's update-ldcache refuses). */
static char *creating_state(struct sandbox *sb, pid_t host_pid)
{
  struct oci_state st = {.oci_version = sb->spec->oci_version,
                         .id = sb->c->id,
                         .status = (char *)"creating",
                         .pid = host_pid,
                         .bundle = sb->c->bundle,
                         .rootfs = sb->rootfs,
                         .annotations = sb->spec->annotations};
  return oci_state_to_json(&st, false);
}

/* Steps 3-5. */
static int build_rootfs(struct sandbox *sb, bool in_userns, struct husk_err *e)
{
  const struct oci_spec *spec = sb->spec;
  struct mount_env env = {.in_userns = in_userns,
                          .new_netns = oci_linux_namespace(&spec->linux_, "network") != NULL,
                          .new_cgroupns = oci_linux_namespace(&spec->linux_, "cgroup") != NULL,
                          .cgroup = &sb->c->cgroup,
                          .mount_label = spec->linux_.mount_label};
  char *state;
  int r, devnull, host_pid;
  /* Opened in our mount namespace: a bind source must live in it. */
  if ((devnull = open_verified_devnull(e)) < 0)
    return -1;
  if ((env.rootfd = rootfs_prepare(spec, sb->rootfs, e)) < 0)
    return -1;
  if (mounts_apply(spec, &env, e) < 0 || devices_setup(env.rootfd, spec, in_userns, e) < 0)
    return -1;
  if (spec->process.terminal && console_prepare_target(env.rootfd, e) < 0)
    return -1;
  if (sync_send(sb->sync_fd, SYNC_MOUNTS_DONE, 0, NULL) < 0 ||
      (host_pid = expect(sb->sync_fd, SYNC_HOOKS_DONE, e)) < 0)
    return -1;
  /* runc runs them from the rootfs; nothing below uses relative paths */
  if (fchdir(env.rootfd) < 0)
    return herr_sys(e, "chdir to the rootfs `%s`", sb->rootfs);
  state = creating_state(sb, host_pid);
  r = hooks_run(spec, OCI_HOOK_CREATE_CONTAINER, state ? state : "{}", e);
  free(state);
  if (r < 0 || rootfs_mask_and_protect(env.rootfd, &spec->linux_, devnull, e) < 0)
    return -1;
  close(devnull);
  close(env.rootfd);
  if (rootfs_pivot(sb->rootfs, sb->opts->no_pivot, e) < 0)
    return -1;
  return rootfs_finish(spec, e);
}

static int set_names(const struct oci_spec *spec, struct husk_err *e)
{
  if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
    return herr_sys(e, "hostname `%s`", spec->hostname);
  if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
    return herr_sys(e, "domainname `%s`", spec->domainname);
  return 0;
}

/* Step 6. */
static int finish_setup(struct sandbox *sb, int procfd, struct husk_err *e)
{
  const struct oci_process *p = &sb->spec->process;
  if (set_names(sb->spec, e) < 0 || sysctl_apply(procfd, sb->spec, e) < 0)
    return -1;
  if (p->terminal && console_setup(p, sb->console_sock, e) < 0)
    return -1;
  /* As runc: the init leads its own session (the pty path does this itself).
   * CRIU refuses a tree whose session leader is outside its pid namespace. */
  if (!p->terminal && setsid() < 0)
    return herr_sys(e, "setsid");
  if (process_rlimits(p, e) < 0 || process_oom_score_adj(p, procfd, e) < 0)
    return -1;
  if (process_chdir(p, true, e) < 0 || process_default_home((struct oci_process *)p) < 0)
    return -1; /* (p is our private copy after clone: adding HOME is safe) */
  return process_resolve_exec(p, &sb->exec_path, e);
}

/* Steps 7-8: wait for `start`, then become the user's program. */
__attribute__((noreturn)) static void wait_start_and_exec(struct sandbox *sb, bool in_userns)
{
  struct husk_err e = {0};
  struct sync_msg m;
  int conn;
  do
    conn = accept4(sb->start_fd, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0 || sync_recv(conn, &m, -1) < 0 || m.type != SYNC_START)
    _exit(1);
  close(sb->start_fd);
  if (hooks_run(sb->spec, OCI_HOOK_START_CONTAINER, m.text, &e) < 0)
    fail(conn, &e, SYNC_EXEC_ERROR);
  sync_send(conn, SYNC_STARTING, 0, NULL); /* `start` may be gone: exec regardless */
  /* close-on-exec marking first: close_range may be outside a seccomp profile. */
  if (process_rlimit_nofile(&sb->spec->process, &e) < 0 ||
      process_close_fds(sb->opts->preserve_fds, &e) < 0 ||
      process_confine(sb->spec, &sb->spec->process, in_userns, conn, &e) < 0)
    fail(conn, &e, SYNC_EXEC_ERROR);
  process_exec(&sb->spec->process, sb->exec_path, &e);
  fail(conn, &e, SYNC_EXEC_ERROR);
}

/* The private procfs is only for sysctl and oomScoreAdj writes: making one
 * costs a superblock, and closing it (a detached mount) an RCU grace period,
 * 0.05-0.7 ms measured here. */
#define NO_PROCFS (-2)
static bool needs_procfs(const struct oci_spec *spec)
{
  return spec->linux_.sysctl.n > 0 || spec->process.oom_score_adj.set;
}

void sandbox_child(struct sandbox *sb)
{
  struct husk_err e = {0};
  bool in_userns = sb->ns.new_user || sb->ns.join_fds[NS_USER] >= 0;
  int procfd;
  /* The state directory's lock belongs to the runtime, not to us. */
  close(sb->c->dirfd);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (expect(sb->sync_fd, SYNC_MAPS_DONE, &e) < 0)
    fail(sb->sync_fd, &e, SYNC_ERROR);
  if (sb->ns.new_user && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
    herr_sys(&e, "become root in the user namespace (is uid/gid 0 mapped?)");
    fail(sb->sync_fd, &e, SYNC_ERROR);
  }
  if (enter_namespaces(sb, &e) < 0)
    fail(sb->sync_fd, &e, SYNC_ERROR);
  ns_plan_close(&sb->ns);
  procfd = needs_procfs(sb->spec) ? procfs_open_private(&e) : NO_PROCFS;
  if (procfd == -1 || build_rootfs(sb, in_userns, &e) < 0 || finish_setup(sb, procfd, &e) < 0)
    fail(sb->sync_fd, &e, SYNC_ERROR);
  if (procfd >= 0)
    close(procfd);
  if (sb->console_sock >= 0)
    close(sb->console_sock);
  prctl(PR_SET_PDEATHSIG, 0);
  if (fault_point("init:before-ready", &e) < 0)
    fail(sb->sync_fd, &e, SYNC_ERROR);
  /* No runtime to hear READY (it was killed): nobody would ever start or
   * reap us, so leave instead of blocking in accept(). */
  if (sync_send(sb->sync_fd, SYNC_READY, getpid(), NULL) < 0)
    _exit(1);
  close(sb->sync_fd);
  wait_start_and_exec(sb, in_userns);
}
