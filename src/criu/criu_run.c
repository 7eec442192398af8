/* Running the criu program and reporting its failures with its own words. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu/criu.h"
#include "util/fs.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const char *criu_binary(const char *opt)
{
  const char *env = getenv("CRIU");
  if (opt && *opt)
    return opt;
  return env && *env ? env : "criu";
}

/* In the child: report why exec did not happen, then leave. */
__attribute__((noreturn)) static void child_fail(int errfd, struct husk_err *e)
{
  const char *msg = e->msg ? e->msg : "unknown error";
  if (write(errfd, msg, strlen(msg)) < 0) {
    /* nothing more to say */
  }
  _exit(127);
}

static int null_stdio(void)
{
  int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return -1;
  for (int i = 0; i < 3; i++)
    if (dup2(fd, i) < 0)
      return -1;
  if (fd > 2)
    close(fd);
  return 0;
}

__attribute__((noreturn)) static void child(char *const *argv, const struct cgroup *cg,
                                            const int *keep_fds, bool with_stdio, int errfd)
{
  struct husk_err e = {0};
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  /* restore: CRIU runs in the container's cgroup, so what it restores starts there */
  if (cg && cgroup_enter(cg, getpid(), &e) < 0)
    child_fail(errfd, &e);
  if (!with_stdio && null_stdio() < 0) {
    herr_sys(&e, "criu: /dev/null as stdio");
    child_fail(errfd, &e);
  }
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  for (const int *k = keep_fds; k && *k >= 0; k++)
    fcntl(*k, F_SETFD, 0);
  fcntl(errfd, F_SETFD, FD_CLOEXEC);
  execvp(argv[0], argv);
  herr_sys(&e, "run criu `%s` (install CRIU, or name it with --criu PATH or $CRIU)", argv[0]);
  child_fail(errfd, &e);
}

static char *read_log(const char *log)
{
  char *text = NULL;
  size_t len;
  if (read_file_at(AT_FDCWD, log, &text, &len, NULL) < 0)
    return NULL;
  return text;
}

static int report(const char *what, int status, const char *log, struct husk_err *e)
{
  char *text = read_log(log), *lines = text ? criu_log_excerpt(text, 10) : NULL;
  char how[64];
  if (WIFEXITED(status))
    snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
  else
    snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(status));
  if (lines)
    herr(e, 0, "criu %s failed (%s); %s says:\n%s", what, how, log, lines);
  else
    herr(e, 0, "criu %s failed (%s); no log at %s", what, how, log);
  free(lines);
  free(text);
  return -1;
}

int criu_run(char *const *argv, const char *what, const char *log, const struct cgroup *cg,
             const int *keep_fds, bool with_stdio, struct husk_err *e)
{
  int pipefd[2], status;
  char msg[4096];
  ssize_t n;
  pid_t pid;
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return herr_sys(e, "criu: pipe");
  pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return herr_sys(e, "criu: fork");
  }
  if (pid == 0) {
    close(pipefd[0]);
    child(argv, cg, keep_fds, with_stdio, pipefd[1]);
  }
  close(pipefd[1]);
  do
    n = read(pipefd[0], msg, sizeof msg - 1);
  while (n < 0 && errno == EINTR);
  close(pipefd[0]);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return herr_sys(e, "wait for criu");
  if (n > 0) { /* it never became criu */
    msg[n] = '\0';
    return herr(e, 0, "%s", msg);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  return report(what, status, log, e);
}

int criu_has_feature(const char *criu, const char *feature)
{
  char *argv[] = {(char *)criu, (char *)"check", (char *)"--feature", (char *)feature, NULL};
  struct husk_err e = {0};
  int r = criu_run(argv, "check", "/dev/null", NULL, NULL, false, &e);
  herr_clear(&e);
  return r == 0;
}
