/* bench/measure: run one command and report how long it took and its peak RSS.
 *
 *   measure [-u UID:GID] [-e ERRFILE] [-j N] -- CMD [ARG...]
 *
 * Prints "<elapsed ns> <exit status> <ru_maxrss KiB> <user+system CPU ns>" on
 * stdout (CPU time and RSS include the descendants the command reaped). The command
 * gets /dev/null as stdin and stdout, and ERRFILE (default /dev/null) as
 * stderr; with -u it runs with that uid/gid and no supplementary groups.
 * With -j N it starts N copies at once, "{}" in an argument replaced by the
 * copy's index (0..N-1), stderr to ERRFILE.<index>; it prints the wall time
 * until the last one is reaped, the number of copies that failed, the
 * largest ru_maxrss and the CPU time of all copies.
 *
 * Why a separate static binary: ru_maxrss of a child includes the RSS of the
 * address space it had before execve. A child forked by the Python harness
 * would report Python's ~9 MB; a child of this small static process reports
 * the runtime's own peak. The clock covers fork to reap, nothing else. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
  const char *errfile;
  long uid, gid;
  int jobs;
};

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* argv with "{}" replaced by index (a fresh copy; leaks in the short-lived child only). */
static char **subst(char **argv, int index)
{
  size_t n = 0;
  char **out;
  while (argv[n])
    n++;
  out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; out && i < n; i++) {
    char *at = strstr(argv[i], "{}");
    if (!at) {
      out[i] = argv[i];
      continue;
    }
    if (asprintf(&out[i], "%.*s%d%s", (int)(at - argv[i]), argv[i], index, at + 2) < 0)
      return NULL;
  }
  return out;
}

static pid_t start(const struct opts *o, char **argv, int index)
{
  char errpath[4096];
  int in, err;
  pid_t pid;
  if (o->jobs > 0)
    snprintf(errpath, sizeof errpath, "%s.%d", o->errfile, index);
  else
    snprintf(errpath, sizeof errpath, "%s", o->errfile);
  pid = fork();
  if (pid != 0)
    return pid;
  in = open("/dev/null", O_RDWR);
  err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || err < 0 || dup2(in, 0) < 0 || dup2(in, 1) < 0 || dup2(err, 2) < 0)
    _exit(126);
  close(in);
  close(err);
  if (o->gid >= 0 &&
      (setgroups(0, NULL) < 0 || setresgid((gid_t)o->gid, (gid_t)o->gid, (gid_t)o->gid) < 0))
    _exit(126);
  if (o->uid >= 0 && setresuid((uid_t)o->uid, (uid_t)o->uid, (uid_t)o->uid) < 0)
    _exit(126);
  if (o->jobs > 0 && !(argv = subst(argv, index)))
    _exit(126);
  execvp(argv[0], argv);
  dprintf(2, "measure: exec %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

static long long tv_ns(struct timeval tv)
{
  return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

static int reap(pid_t pid, int *code, long *maxrss, long long *cpu)
{
  struct rusage ru;
  int status;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) {
      fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
      return -1;
    }
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (ru.ru_maxrss > *maxrss)
    *maxrss = ru.ru_maxrss;
  *cpu += tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
  return 0;
}

int main(int argc, char **argv)
{
  struct opts o = {.errfile = "/dev/null", .uid = -1, .gid = -1};
  int opt, code = 0, failed = 0;
  long maxrss = 0;
  long long t0, t1, cpu = 0;
  pid_t *pids;
  while ((opt = getopt(argc, argv, "+u:e:j:")) != -1) {
    if (opt == 'u' && sscanf(optarg, "%ld:%ld", &o.uid, &o.gid) == 2)
      continue;
    if (opt == 'e') {
      o.errfile = optarg;
      continue;
    }
    if (opt == 'j' && (o.jobs = atoi(optarg)) > 0)
      continue;
    fprintf(stderr, "usage: measure [-u UID:GID] [-e ERRFILE] [-j N] -- CMD [ARG...]\n");
    return 2;
  }
  if (optind >= argc) {
    fprintf(stderr, "measure: no command\n");
    return 2;
  }
  pids = calloc(o.jobs > 0 ? (size_t)o.jobs : 1, sizeof *pids);
  t0 = now_ns();
  for (int i = 0; i < (o.jobs > 0 ? o.jobs : 1); i++)
    if ((pids[i] = start(&o, argv + optind, i)) < 0) {
      fprintf(stderr, "measure: fork: %s\n", strerror(errno));
      return 2;
    }
  for (int i = 0; i < (o.jobs > 0 ? o.jobs : 1); i++) {
    if (reap(pids[i], &code, &maxrss, &cpu) < 0)
      return 2;
    failed += code != 0;
  }
  t1 = now_ns();
  printf("%lld %d %ld %lld\n", t1 - t0, o.jobs > 0 ? failed : code, maxrss, cpu);
  return 0;
}
