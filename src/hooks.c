#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

static const char *const phase_names[OCI_HOOK_PHASES] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};

const char *hook_phase_name(enum oci_hook_phase phase) { return phase_names[phase]; }

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A hook starts like a fresh program: default signal dispositions and an
 * empty mask, whatever the runtime (or the container init) had set. */
static void reset_signals(void)
{
  sigset_t none;
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal(sig, SIG_DFL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

__attribute__((noreturn)) static void exec_hook(const struct oci_hook *h, int in, int err)
{
  char *default_args[] = {h->path, NULL};
  char *empty_env[] = {NULL};
  reset_signals();
  dup2(in, 0);
  dup2(err, 2);
  /* A hook's stdout is not ours to share (callers may wait for its EOF). */
  dup2(err, 1);
  syscall(SYS_close_range, 3, ~0U, 0);
  execve(h->path, h->args ? h->args : default_args, h->env ? h->env : empty_env);
  dprintf(2, "exec %s: %s", h->path, strerror(errno));
  _exit(127);
}

/* Collects up to sizeof buf of the hook's stderr for the error message. */
static void drain(int fd, char *buf, size_t cap, size_t *len)
{
  char tmp[1024];
  ssize_t n;
  while ((n = read(fd, tmp, sizeof tmp)) > 0) {
    size_t take = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;
    memcpy(buf + *len, tmp, take);
    *len += take;
  }
  buf[*len] = '\0';
}

static int wait_hook(pid_t pid, int errfd, long long deadline, int *status, char *out, size_t cap)
{
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  size_t len = 0;
  struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = errfd, .events = POLLIN}};
  out[0] = '\0';
  for (;;) {
    int timeout = deadline < 0 ? -1 : (int)(deadline - now_ms());
    if (deadline >= 0 && timeout <= 0) {
      kill(pid, SIGKILL);
      waitpid(pid, status, 0);
      if (pidfd >= 0)
        close(pidfd);
      return -ETIMEDOUT;
    }
    /* No pidfd (Linux < 5.3, valgrind) and stderr closed: look every 10 ms. */
    if (pidfd < 0 && p[1].fd < 0) {
      if (waitpid(pid, status, WNOHANG) == pid)
        goto reaped;
      poll(NULL, 0, timeout < 0 || timeout > 10 ? 10 : timeout);
      continue;
    }
    if (poll(p, 2, timeout) < 0 && errno != EINTR)
      break;
    if (p[1].revents) {
      drain(errfd, out, cap, &len);
      p[1].fd = -1;
    }
    if (p[0].revents)
      break;
  }
  while (waitpid(pid, status, 0) < 0 && errno == EINTR)
    ;
reaped:
  if (pidfd >= 0)
    close(pidfd);
  drain(errfd, out, cap, &len);
  while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
    out[--len] = '\0';
  return 0;
}

static int run_one(const struct oci_hook *h, enum oci_hook_phase phase, size_t idx,
                   const char *state, struct husk_err *e)
{
  int in[2], err[2], status = 0, r;
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
  char out[2048];
  long long deadline = h->timeout.set ? now_ms() + h->timeout.value * 1000 : -1;
  pid_t pid;
  if (h->timeout.set && h->timeout.value <= 0)
    return herr(e, EINVAL, "hooks.%s[%zu].timeout: must be positive", phase_names[phase], idx);
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
    return herr_sys(e, "hook pipes");
  pid = fork();
  if (pid < 0)
    return herr_sys(e, "fork hook");
  if (pid == 0)
    exec_hook(h, in[0], err[1]);
  close(in[0]);
  close(err[1]);
  /* A hook may ignore its stdin. SIGPIPE is ignored only meanwhile: the
   * container init runs hooks too, and its program must not inherit SIG_IGN. */
  sigaction(SIGPIPE, &ign, &old_pipe);
  write_all_fd(in[1], state, strlen(state));
  close(in[1]);
  sigaction(SIGPIPE, &old_pipe, NULL);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  r = wait_hook(pid, err[0], deadline, &status, out, sizeof out);
  close(err[0]);
  if (r == -ETIMEDOUT)
    return herr(e, ETIMEDOUT, "%s hook #%zu `%s` timed out after %lld s", phase_names[phase], idx,
                h->path, (long long)h->timeout.value);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (WIFSIGNALED(status))
    return herr(e, ECHILD, "%s hook #%zu `%s` killed by signal %d%s%s", phase_names[phase], idx,
                h->path, WTERMSIG(status), out[0] ? ": " : "", out);
  return herr(e, ECHILD, "%s hook #%zu `%s` exited with status %d%s%s", phase_names[phase], idx,
              h->path, WEXITSTATUS(status), out[0] ? ": " : "", out);
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_phase phase, const char *state_json,
              struct husk_err *e)
{
  const struct oci_hook_list *l = &spec->hooks[phase];
  char point[64];
  /* "hooks:<phase>": in the runtime for the host phases, in the container's
   * init for createContainer and startContainer. */
  snprintf(point, sizeof point, "hooks:%s", phase_names[phase]);
  if (l->n && fault_point(point, e) < 0)
    return -1;
  for (size_t i = 0; i < l->n; i++) {
    if (run_one(&l->items[i], phase, i, state_json, e) == 0)
      continue;
    if (phase != OCI_HOOK_POSTSTOP)
      return -1;
    /* runtime.md: a failed poststop hook is a warning; the rest still run */
    husk_warn("%s", e && e->msg ? e->msg : "poststop hook failed");
    herr_clear(e);
  }
  return 0;
}
