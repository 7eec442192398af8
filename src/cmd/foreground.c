/* Foreground run and exec: relay the tty, forward signals, wait, exit code. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "sandbox/console.h"

static int exit_code(int status)
{
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int foreground_wait(pid_t pid, int master)
{
  static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  int status = 0, pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
    sigaddset(&set, fwd[i]);
  sigaddset(&set, SIGCHLD);
  /* Blocked before the relay, so a signal meant for the container never kills us. */
  sigprocmask(SIG_BLOCK, &set, NULL);
  if (master >= 0 && pidfd >= 0)
    console_relay(master, pidfd);
  for (;;) {
    siginfo_t si;
    pid_t w = waitpid(-1, &status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR))
      break;
    if (w > 0)
      continue; /* an orphan reparented to us (run is a subreaper) */
    if (sigwaitinfo(&set, &si) < 0 || si.si_signo == SIGCHLD)
      continue;
    if (pidfd >= 0)
      syscall(SYS_pidfd_send_signal, pidfd, si.si_signo, NULL, 0);
  }
  if (pidfd >= 0)
    close(pidfd);
  return exit_code(status);
}
