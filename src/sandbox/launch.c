/* The runtime's side of create: prepare, clone, answer the child, and on any
 * failure undo everything (kill the child; the caller removes cgroup/state). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "oci_state.h"
#include "sandbox/console.h"
#include "sandbox/rootfs.h"
#include "sandbox/sandbox.h"
#include "sandbox/security.h"
#include "sandbox/userns.h"
#include "util/fault.h"
#include "util/sync.h"

#define START_SOCK "start.sock"
#define CHILD_TIMEOUT_MS (-1) /* hooks may take long; the child dies with us */
#define EXEC_AFTER_NOTIFY_MS 2000

static pid_t clone_child(unsigned long flags)
{
  struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS)
    pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
  return pid;
}

/* The socket `start` connects to. Bound by a path relative to the state
 * directory, so long --root paths never hit sun_path's 108 bytes. */
static int listen_start_socket(struct container *c, struct husk_err *e)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = START_SOCK};
  /* SEQPACKET: the init's messages to `start` (STARTING, then maybe an exec
   * error) must not merge into one read. */
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), cwd = open(".", O_PATH | O_CLOEXEC);
  int r = -1;
  if (fd < 0 || cwd < 0 || fchdir(c->dirfd) < 0) {
    herr_sys(e, "start socket");
    goto out;
  }
  r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  if (r == 0)
    r = listen(fd, 1);
  if (r < 0)
    herr_sys(e, "bind %s/%s/" START_SOCK, c->root, c->id);
  if (fchdir(cwd) < 0 && r == 0)
    r = herr_sys(e, "return to the bundle directory");
out:
  if (cwd >= 0)
    close(cwd);
  if (r < 0 && fd >= 0)
    close(fd);
  return r < 0 ? -1 : fd;
}

static char *state_json(struct sandbox *sb, pid_t pid, const char *status)
{
  struct oci_state st = {.oci_version = sb->spec->oci_version,
                         .id = sb->c->id,
                         .status = (char *)status,
                         .pid = pid,
                         .bundle = sb->c->bundle,
                         .rootfs = sb->rootfs,
                         .annotations = sb->spec->annotations};
  return oci_state_to_json(&st, false);
}

static int run_runtime_hooks(struct sandbox *sb, pid_t pid, struct husk_err *e)
{
  char *state = state_json(sb, pid, "creating");
  int r = 0;
  if (!state)
    return herr(e, ENOMEM, "state for hooks");
  if (fault_point("create:hooks", e) < 0) {
    free(state);
    return -1;
  }
  sb->hooks_started = true;
  if (hooks_run(sb->spec, OCI_HOOK_PRESTART, state, e) < 0 ||
      hooks_run(sb->spec, OCI_HOOK_CREATE_RUNTIME, state, e) < 0)
    r = -1;
  free(state);
  return r;
}

/* Records the init's pid while the status is still `creating`: a runtime
 * killed from here on leaves a record `delete --force` can kill it by (the
 * cgroup is recorded already; this covers the disabled cgroup manager). */
static int record_init(struct sandbox *sb, pid_t init, struct husk_err *e)
{
  sb->c->pid = init;
  sb->c->pid_start = proc_start_time(init);
  if (container_save(sb->c, e) < 0)
    return -1;
  return fault_point("create:pid-recorded", e);
}

/* Why the child went away: "killed by SIGKILL" and the like (it is left reapable). */
static const char *child_end(pid_t child, char *buf, size_t len)
{
  siginfo_t si = {0};
  for (int i = 0; i < 100; i++) { /* EOF comes as it exits: give it a moment */
    if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
      break;
    usleep(10000);
  }
  if (si.si_pid && si.si_code == CLD_KILLED && si.si_status == SIGKILL)
    snprintf(buf, len, " (killed by SIGKILL: out of memory? check linux.resources.memory)");
  else if (si.si_pid && (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED))
    snprintf(buf, len, " (killed by signal %d)", si.si_status);
  else
    buf[0] = '\0';
  return buf;
}

/* Answers the child until it reports READY; *init gets the real init pid. */
static int converse(struct sandbox *sb, int fd, pid_t child, pid_t *init, struct husk_err *e)
{
  struct sync_msg m;
  *init = child;
  for (;;) {
    int r = sync_recv(fd, &m, CHILD_TIMEOUT_MS);
    if (r < 0) {
      char why[96];
      return herr(e, -r, "container init exited during setup%s", child_end(child, why, sizeof why));
    }
    switch (m.type) {
    case SYNC_ERROR: /* the text already carries the errno description */
      return herr_take(e, m.value, strdup(m.text));
    case SYNC_PID:
      waitpid(child, NULL, 0); /* the intermediate exits right away */
      *init = m.value;
      if (record_init(sb, *init, e) < 0)
        return -1;
      break;
    case SYNC_MOUNTS_DONE:
      if (run_runtime_hooks(sb, *init, e) < 0)
        return -1;
      sync_send(fd, SYNC_HOOKS_DONE, *init, NULL); /* host pid, for createContainer */
      break;
    case SYNC_READY:
      return 0;
    default:
      return herr(e, EPROTO, "unexpected message %u from the container init", m.type);
    }
  }
}

static int parent_setup(struct sandbox *sb, pid_t child, struct husk_err *e)
{
  if (sb->ns.new_user && userns_write_maps(child, &sb->spec->linux_, e) < 0)
    return -1;
  if (cgroup_attach_init(&sb->c->cgroup, child, e) < 0)
    return -1;
  return 0;
}

static int prepare(struct sandbox *sb, struct husk_err *e)
{
  sb->console_sock = -1;
  if (sb->spec->process.terminal && !sb->opts->console_socket && sb->opts->console_fd_out < 0)
    return herr(e, EINVAL,
                "process.terminal is true but no --console-socket was given "
                "(cannot allocate a tty when husk detaches)");
  if (!sb->spec->process.terminal && sb->opts->console_socket)
    return herr(e, EINVAL, "--console-socket given but process.terminal is false");
  if (ns_plan_make(sb->spec, &sb->ns, e) < 0)
    return -1;
  if (userns_validate(sb->spec, sb->ns.new_user, e) < 0)
    return -1;
  if (sb->opts->console_socket &&
      (sb->console_sock = console_socket_connect(sb->opts->console_socket, e)) < 0)
    return -1;
  if (sb->opts->console_fd_out >= 0)
    sb->console_sock = sb->opts->console_fd_out;
  if ((sb->start_fd = listen_start_socket(sb->c, e)) < 0)
    return -1;
  return 0;
}

static void release(struct sandbox *sb)
{
  ns_plan_close(&sb->ns);
  if (sb->console_sock >= 0 && sb->console_sock != sb->opts->console_fd_out)
    close(sb->console_sock);
  if (sb->start_fd >= 0)
    close(sb->start_fd);
}

int sandbox_create(struct sandbox *sb, struct husk_err *e)
{
  int sv[2];
  pid_t child, init = -1;
  int r;
  sb->start_fd = -1;
  if (prepare(sb, e) < 0) {
    release(sb);
    return -1;
  }
  if (sb->ns.fork_again)
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* the real init must stay our descendant */
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    release(sb);
    return herr_sys(e, "socketpair");
  }
  sb->sync_fd = sv[1];
  child = clone_child(sb->ns.clone_flags);
  if (child < 0) {
    r = herr_sys(e, "clone the container init");
  } else if (child == 0) {
    close(sv[0]);
    sandbox_child(sb);
  } else {
    close(sv[1]);
    r = fault_point("create:cloned", e) < 0 ? -1 : parent_setup(sb, child, e);
    if (r == 0 && !sb->ns.fork_again)
      r = record_init(sb, child, e);
    if (r == 0 && (r = sync_send(sv[0], SYNC_MAPS_DONE, 0, NULL)) < 0) {
      /* EPIPE: it died already (a memory limit too small kills it on
       * joining the cgroup): say how, as converse does */
      char why[96];
      r = herr(e, -r, "container init exited during setup%s", child_end(child, why, sizeof why));
    }
    if (r == 0)
      r = converse(sb, sv[0], child, &init, e);
    if (r < 0) {
      kill(child, SIGKILL);
      if (init > 0 && init != child)
        kill(init, SIGKILL);
      waitpid(child, NULL, 0);
    }
  }
  close(sv[0]);
  release(sb);
  if (r == 0)
    sb->c->own_pidns = sb->ns.new_pid;
  else
    sb->c->pid = 0; /* killed and reaped above */
  return r;
}

/* The agent's copy of the state carries the host pid (runc's does too). */
static char *agent_state(struct container *c, const struct oci_spec *spec)
{
  struct oci_state st = {.oci_version = c->oci_version,
                         .id = c->id,
                         .status = (char *)"created",
                         .pid = c->pid,
                         .bundle = c->bundle,
                         .annotations = spec->annotations};
  return oci_state_to_json(&st, false);
}

/* After SYNC_START: EOF (close-on-exec) means the program is running, a
 * SYNC_EXEC_ERROR that it failed, a SYNC_SECCOMP that the init wants its
 * notify listener handed to the agent. Once the agent has it, the exec may
 * block on a notify target for as long as the agent likes: we wait a little
 * for an exec error and then leave. */
static int await_exec(int fd, struct container *c, const struct oci_spec *spec, bool old_init,
                      struct husk_err *e)
{
  struct sync_msg m;
  bool forwarded = false, starting = old_init; /* an older husk's init never says it */
  for (;;) {
    int r = sync_recv(fd, &m, forwarded ? EXEC_AFTER_NOTIFY_MS : -1);
    /* EOF before SYNC_STARTING: the init died (killed during the
     * startContainer hooks, or by the OOM killer) */
    if (r < 0 && !starting && !forwarded)
      return herr(e, ECHILD, "the container init exited before its program started");
    if (r < 0) /* EOF: exec'd; timeout after forwarding: blocked on the agent */
      return 0;
    if (m.type == SYNC_STARTING) {
      starting = true;
      continue;
    }
    if (m.type == SYNC_EXEC_ERROR)
      return herr_take(e, m.value, strdup(m.text));
    if (m.type != SYNC_SECCOMP || forwarded)
      return herr(e, EPROTO, "container init: unexpected message %u", m.type);
    char *state = agent_state(c, spec);
    r = seccomp_notify_forward(fd, c->pid, &spec->linux_.seccomp, state ? state : "{}", e);
    free(state);
    if (r < 0) {
      kill(c->pid, SIGKILL); /* it may be stuck on a notify target nobody will answer */
      return -1;
    }
    forwarded = true;
  }
}

int sandbox_start(struct container *c, const struct oci_spec *spec, const char *state_json,
                  struct husk_err *e)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = START_SOCK};
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), cwd = open(".", O_PATH | O_CLOEXEC);
  int r;
  bool old_init = false;
  if (fd < 0 || cwd < 0 || fchdir(c->dirfd) < 0) {
    r = herr_sys(e, "connect to the container init");
    goto out;
  }
  r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  if (r < 0 && errno == EPROTOTYPE) { /* created by a husk that listened on a stream */
    old_init = true;
    close(fd);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0)
      r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  }
  if (fchdir(cwd) < 0) { /* best effort: nothing after this uses relative paths */
  }
  if (r < 0) {
    r = herr_sys(e, "connect to the container init (%s/%s/" START_SOCK ")", c->root, c->id);
    goto out;
  }
  r = sync_send(fd, SYNC_START, 0, state_json);
  if (r < 0) {
    r = herr(e, -r, "release the container init");
    goto out;
  }
  if ((r = fault_point("start:released", e)) < 0)
    goto out;
  r = await_exec(fd, c, spec, old_init, e);
out:
  if (fd >= 0)
    close(fd);
  if (cwd >= 0)
    close(cwd);
  return r;
}
