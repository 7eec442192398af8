/* ps: the host pids in the container's cgroup, as JSON or filtered `ps` output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "container/procs.h"

#define USAGE "ps [--format table|json] ID [ps options]"

static const struct option opts[] = {
    {"format", required_argument, NULL, 'f'}, HELP_OPTION, {NULL, 0, NULL, 0}};

static int on_opt(int c, const char *arg, void *ctx)
{
  if (c != 'f')
    return 0;
  if (strcmp(arg, "table") && strcmp(arg, "json")) {
    fprintf(stderr, "husk ps: --format: expected table or json, got `%s`\n", arg);
    return -1;
  }
  *(const char **)ctx = arg;
  return 0;
}

static void print_json(const pid_t *pids, size_t n)
{
  putchar('[');
  for (size_t i = 0; i < n; i++)
    printf("%s%d", i ? "," : "", pids[i]);
  puts("]");
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* Index of the PID column in ps's header line. */
static int pid_column(char *header)
{
  char *save = NULL;
  int i = 0;
  for (char *t = strtok_r(header, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), i++)
    if (strcmp(t, "PID") == 0)
      return i;
  return -1;
}

static long field(const char *line, int col)
{
  char *copy = strdup(line), *save = NULL, *t = strtok_r(copy, " \t\n", &save);
  long v;
  for (int i = 0; t && i < col; i++)
    t = strtok_r(NULL, " \t\n", &save);
  v = t ? strtol(t, NULL, 10) : -1;
  free(copy);
  return v;
}

static int run_ps(char **args, int nargs, const pid_t *pids, size_t n, struct husk_err *e)
{
  /* "ps", the args (or "-ef") and the NULL terminator */
  char **argv = calloc((size_t)nargs + 3, sizeof(char *)), *line = NULL, *hdr;
  size_t cap = 0;
  int fds[2], status, col = -1;
  FILE *f;
  pid_t child;
  if (!argv)
    return herr(e, ENOMEM, "run ps");
  argv[0] = (char *)"ps";
  for (int i = 0; i < nargs; i++)
    argv[i + 1] = args[i];
  if (nargs == 0)
    argv[1] = (char *)"-ef";
  if (pipe(fds) < 0 || (child = fork()) < 0) {
    free(argv);
    return herr_sys(e, "run ps");
  }
  if (child == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execvp("ps", argv);
    _exit(127);
  }
  free(argv);
  close(fds[1]);
  f = fdopen(fds[0], "r");
  for (bool first = true; getline(&line, &cap, f) > 0; first = false) {
    if (first) {
      fputs(line, stdout);
      hdr = strdup(line);
      col = pid_column(hdr);
      free(hdr);
    } else if (col >= 0 && has_pid(pids, n, field(line, col))) {
      fputs(line, stdout);
    }
  }
  free(line);
  fclose(f);
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return herr(e, EINVAL, "ps %s failed (status %d)", nargs ? args[0] : "-ef", status);
  if (col < 0)
    return herr(e, EINVAL, "ps: no PID column in the output (add -o pid)");
  return 0;
}

int cmd_ps(struct husk_globals *g, int argc, char **argv)
{
  struct husk_err e = {0};
  struct container c;
  const char *format = "table";
  pid_t *pids = NULL;
  size_t n = 0;
  int r, first = cmd_parse(argc, argv, USAGE, opts, "f:", true, on_opt, &format);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, true, USAGE, &e) < 0)
    return cmd_fail(&e);
  if (container_open(&c, g->root, argv[first], false, &e) < 0)
    return cmd_fail(&e);
  r = container_procs(&c, &pids, &n, &e);
  container_close(&c);
  if (r == 0 && strcmp(format, "json") == 0)
    print_json(pids, n);
  else if (r == 0)
    r = run_ps(argv + first + 1, argc - first - 1, pids, n, &e);
  free(pids);
  fflush(stdout);
  return r < 0 ? cmd_fail(&e) : 0;
}
