#include "newidmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_name(const char *prog)
{
  return strcmp(prog, "newgidmap") == 0 ? "HUSK_NEWGIDMAP" : "HUSK_NEWUIDMAP";
}

static bool is_exec_file(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *newidmap_find(const char *prog, struct husk_err *e)
{
  const char *env = getenv(env_name(prog)), *path = getenv("PATH");
  char *copy, *save = NULL;
  if (env && *env) {
    if (is_exec_file(env))
      return strdup(env);
    return herr_msg(e, ENOENT, "%s=%s: not an executable file", env_name(prog), env), NULL;
  }
  if (!path || !*path)
    path = "/usr/local/bin:/usr/bin:/bin";
  if (!(copy = strdup(path)))
    return herr(e, ENOMEM, "find %s", prog), NULL;
  for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    char *full = NULL;
    if (asprintf(&full, "%s/%s", *dir ? dir : ".", prog) < 0)
      break;
    if (is_exec_file(full)) {
      free(copy);
      return full;
    }
    free(full);
  }
  free(copy);
  herr_msg(e, ENOENT,
           "%s not found in PATH (%s): install it (Debian/Ubuntu: apt install uidmap; Fedora: dnf "
           "install shadow-utils) or set %s to its path",
           prog, path, env_name(prog));
  return NULL;
}

static char **build_argv(const char *helper, pid_t pid, const struct oci_id_mappings *m)
{
  char **argv = calloc(3 + 3 * m->n, sizeof *argv);
  size_t k = 0;
  bool fail = !argv;
  if (fail)
    return NULL;
  argv[k++] = strdup(helper);
  fail |= asprintf(&argv[k++], "%d", pid) < 0;
  for (size_t i = 0; i < m->n && !fail; i++) {
    fail |= asprintf(&argv[k++], "%u", m->items[i].container_id) < 0;
    fail |= asprintf(&argv[k++], "%u", m->items[i].host_id) < 0;
    fail |= asprintf(&argv[k++], "%u", m->items[i].size) < 0;
  }
  if (!fail && argv[0])
    return argv;
  for (size_t i = 0; i < k; i++)
    free(argv[i]);
  free(argv);
  return NULL;
}

static void free_argv(char **argv)
{
  for (size_t i = 0; argv && argv[i]; i++)
    free(argv[i]);
  free(argv);
}

/* Reads what the helper wrote (bounded), trimmed to one line. */
static void read_output(int fd, char *buf, size_t len)
{
  size_t off = 0;
  ssize_t n;
  while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    off += (size_t)n;
  }
  buf[off] = '\0';
  while (off && (buf[off - 1] == '\n' || buf[off - 1] == ' '))
    buf[--off] = '\0';
  for (char *p = buf; *p; p++)
    if (*p == '\n')
      *p = ' ';
}

int newidmap_run(const char *helper, pid_t pid, const struct oci_id_mappings *m, struct husk_err *e)
{
  char **argv = build_argv(helper, pid, m), out[1024];
  int p[2], status = 0;
  pid_t child;
  if (!argv)
    return herr(e, ENOMEM, "run %s", helper);
  if (pipe2(p, O_CLOEXEC) < 0) {
    free_argv(argv);
    return herr_sys(e, "run %s", helper);
  }
  child = fork();
  if (child == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    execv(helper, argv);
    dprintf(2, "exec: %s", strerror(errno));
    _exit(127);
  }
  close(p[1]);
  free_argv(argv);
  if (child < 0) {
    close(p[0]);
    return herr_sys(e, "run %s", helper);
  }
  read_output(p[0], out, sizeof out);
  close(p[0]);
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  return herr_msg(e, EPERM, "%s %d ... failed (%s %d): %s", helper, pid,
                  WIFEXITED(status) ? "exit status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                  out[0] ? out : "no output");
}
