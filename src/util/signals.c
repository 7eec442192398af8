#include "util/signals.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
  const char *name;
  int num;
} signals[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},     {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},
    {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH}, {"IO", SIGIO},         {"POLL", SIGPOLL},   {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

static int parse_number(const char *s)
{
  char *end;
  long v;
  if (!*s)
    return -1;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || *end || v <= 0 || v > SIGRTMAX)
    return -1;
  return (int)v;
}

int signal_parse(const char *s)
{
  if (!s || !*s)
    return -1;
  if (s[0] >= '0' && s[0] <= '9')
    return parse_number(s);
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp(signals[i].name, s) == 0)
      return signals[i].num;
  if (strncasecmp(s, "RTMIN", 5) == 0) {
    int off = s[5] == '+' ? parse_number(s + 6) : s[5] ? -1 : 0;
    return off < 0 || SIGRTMIN + off > SIGRTMAX ? -1 : SIGRTMIN + off;
  }
  if (strncasecmp(s, "RTMAX", 5) == 0) {
    int off = s[5] == '-' ? parse_number(s + 6) : s[5] ? -1 : 0;
    return off < 0 || SIGRTMAX - off < SIGRTMIN ? -1 : SIGRTMAX - off;
  }
  return -1;
}
