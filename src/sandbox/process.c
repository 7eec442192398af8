#include "sandbox/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/procfs.h"
#include "sandbox/security.h"
#include "util/safepath.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

const char *env_get(char *const *env, const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
      return env[i] + n + 1;
  return NULL;
}

static int check_exec(const char *arg0, const char *path, struct husk_err *e)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return herr(e, errno, "exec: \"%s\": stat %s", arg0, path);
  if (S_ISDIR(st.st_mode))
    return herr(e, EACCES, "exec: \"%s\": is a directory", arg0);
  if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
    return herr(e, EACCES, "exec: \"%s\"", arg0);
  return 0;
}

int process_resolve_exec(const struct oci_process *p, char **out, struct husk_err *e)
{
  const char *arg0 = p->args ? p->args[0] : NULL, *path;
  char *dirs, *save = NULL;
  if (!arg0 || !*arg0)
    return herr(e, EINVAL, "process.args: must have at least one entry");
  if (strchr(arg0, '/')) {
    if (check_exec(arg0, arg0, e) < 0)
      return -1;
    *out = strdup(arg0);
    return 0;
  }
  path = env_get(p->env, "PATH");
  dirs = strdup(path ? path : DEFAULT_PATH);
  for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    char cand[PATH_MAX];
    snprintf(cand, sizeof cand, "%s/%s", *d ? d : ".", arg0);
    if (check_exec(arg0, cand, NULL) == 0) {
      *out = strdup(cand);
      free(dirs);
      return 0;
    }
  }
  free(dirs);
  return herr(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

static int rlimit_resource(const char *name)
{
  static const struct {
    const char *name;
    int res;
  } t[] = {{"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
           {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
           {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
           {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
           {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
           {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
           {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
           {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].name, name) == 0)
      return t[i].res;
  return -1;
}

static int rlimit_error(size_t i, const struct oci_rlimit *r, int res, struct husk_err *e)
{
  struct rlimit cur;
  if (errno == EPERM && getrlimit(res, &cur) == 0 && r->hard > cur.rlim_max)
    return herr(e, EPERM,
                "process.rlimits[%zu]: cannot raise %s hard limit to %llu (the current hard "
                "limit is %llu and CAP_SYS_RESOURCE is missing)",
                i, r->type, (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
  return herr_sys(e, "process.rlimits[%zu]: setrlimit %s (soft %llu, hard %llu)", i, r->type,
                  (unsigned long long)r->soft, (unsigned long long)r->hard);
}

/* Whether RLIMIT_NOFILE can be set later, without setting it: only a raised
 * hard limit needs a permission, and raising our own is harmless. */
static int check_nofile(size_t i, const struct oci_rlimit *r, struct husk_err *e)
{
  struct rlimit cur;
  if (r->soft > r->hard) {
    errno = EINVAL;
    return rlimit_error(i, r, RLIMIT_NOFILE, e);
  }
  if (getrlimit(RLIMIT_NOFILE, &cur) < 0 || r->hard <= cur.rlim_max)
    return 0;
  cur.rlim_max = r->hard;
  return setrlimit(RLIMIT_NOFILE, &cur) == 0 ? 0 : rlimit_error(i, r, RLIMIT_NOFILE, e);
}

int process_rlimits(const struct oci_process *p, struct husk_err *e)
{
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct oci_rlimit *r = &p->rlimits[i];
    int res = rlimit_resource(r->type);
    struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
    if (res < 0)
      return herr(e, EINVAL, "process.rlimits[%zu].type: unknown rlimit `%s`", i, r->type);
    if (res == RLIMIT_NOFILE) {
      if (check_nofile(i, r, e) < 0)
        return -1;
      continue;
    }
    if (setrlimit(res, &lim) < 0)
      return rlimit_error(i, r, res, e);
  }
  return 0;
}

int process_rlimit_nofile(const struct oci_process *p, struct husk_err *e)
{
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct oci_rlimit *r = &p->rlimits[i];
    struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
    if (rlimit_resource(r->type) == RLIMIT_NOFILE && setrlimit(RLIMIT_NOFILE, &lim) < 0)
      return rlimit_error(i, r, RLIMIT_NOFILE, e);
  }
  return 0;
}

int process_oom_score_adj(const struct oci_process *p, int procfd, struct husk_err *e)
{
  char v[32], rel[64];
  if (!p->oom_score_adj.set)
    return 0;
  snprintf(v, sizeof v, "%lld", (long long)p->oom_score_adj.value);
  /* "self" is a symlink, which the safe procfs resolver refuses; our pid in
   * the procfs instance's namespace names the same directory. */
  snprintf(rel, sizeof rel, "%d/oom_score_adj", getpid());
  if (procfs_write(procfd, rel, v, e) < 0)
    return herr_wrap(e, "process.oomScoreAdj");
  return 0;
}

int process_chdir(const struct oci_process *p, bool create, struct husk_err *e)
{
  char buf[PATH_MAX];
  const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";
  if (chdir(cwd) < 0 && errno == ENOENT && create) { /* runc creates it at create, not exec */
    int fd = safe_mkdir_in_root(AT_FDCWD, cwd, 0755, e); /* after pivot: "/" is the rootfs */
    if (fd < 0)
      return herr_wrap(e, "process.cwd");
    close(fd);
  }
  if (chdir(cwd) < 0)
    return herr_sys(e, "process.cwd: chdir to `%s`", cwd);
  /* A cwd reached through a leaked host fd is outside our root. */
  if (!getcwd(buf, sizeof buf) || buf[0] != '/')
    return herr(e, EPERM, "process.cwd `%s` is outside the container", cwd);
  return 0;
}

int process_switch_user(const struct oci_process *p, bool in_userns, struct husk_err *e)
{
  const struct oci_user *u = &p->user;
  if (caps_prepare(e) < 0)
    return -1;
  if (setgroups(u->n_additional_gids, u->additional_gids) < 0 &&
      !(errno == EPERM && in_userns && u->n_additional_gids == 0))
    return herr_sys(e, "process.user.additionalGids: setgroups");
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return herr_sys(e, "process.user.gid: setresgid %u", u->gid);
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return herr_sys(e, "process.user.uid: setresuid %u", u->uid);
  if (caps_apply(&p->capabilities, e) < 0)
    return -1;
  umask(u->umask.set ? (mode_t)u->umask.value : 022);
  return 0;
}

int process_confine(const struct oci_spec *spec, const struct oci_process *p, bool in_userns,
                    int notify_conn, struct husk_err *e)
{
  struct seccomp_filter *f = NULL;
  bool nnp = p->no_new_privileges;
  int r = -1;
  if (seccomp_prepare(spec->has_linux ? &spec->linux_.seccomp : NULL, &f, e) < 0)
    return -1;
  if (lsm_apply(p, e) < 0)
    goto out;
  /* Without no_new_privs, loading needs CAP_SYS_ADMIN: before the drop. */
  if (!nnp && seccomp_install(f, notify_conn, e) < 0)
    goto out;
  if (process_switch_user(p, in_userns, e) < 0)
    goto out;
  if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    herr_sys(e, "process.noNewPrivileges: set no_new_privs");
    goto out;
  }
  if (nnp && seccomp_install(f, notify_conn, e) < 0)
    goto out;
  r = 0;
out:
  /* Not released once loaded: nothing may run between the load and execve. */
  if (r < 0)
    seccomp_filter_free(f);
  return r;
}

int process_close_fds(int preserve_fds, struct husk_err *e)
{
  if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0)
    return herr_sys(e, "mark fds close-on-exec");
  return 0;
}

int process_exec(const struct oci_process *p, const char *path, struct husk_err *e)
{
  execve(path, p->args, p->env ? p->env : (char *[]){NULL});
  return herr(e, errno, "exec: \"%s\"", p->args[0]);
}

/* The home field (6th) of uid's line in the container's /etc/passwd. */
static char *passwd_home(uid_t uid)
{
  char line[1024], *home = NULL;
  FILE *f = fopen("/etc/passwd", "re");
  while (f && !home && fgets(line, sizeof line, f)) {
    char *fields[7] = {0}, *s = line;
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    while (n < 7 && s) { /* fields may be empty: split by hand, not strtok */
      fields[n++] = s;
      s = strchr(s, ':');
      if (s)
        *s++ = '\0';
    }
    if (n >= 6 && (uid_t)strtoul(fields[2], NULL, 10) == uid && fields[5][0])
      home = strdup(fields[5]);
  }
  if (f)
    fclose(f);
  return home;
}

int process_default_home(struct oci_process *p)
{
  size_t n = oci_strv_len(p->env);
  char *home, *kv = NULL, **env;
  if (env_get(p->env, "HOME"))
    return 0;
  home = passwd_home(p->user.uid);
  env = realloc(p->env, sizeof(char *) * (n + 2));
  if (env)
    p->env = env;
  if (!env || asprintf(&kv, "HOME=%s", home ? home : "/") < 0) {
    free(home);
    return -1;
  }
  env[n] = kv;
  env[n + 1] = NULL;
  free(home);
  return 0;
}
