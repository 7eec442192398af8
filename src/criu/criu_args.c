/* The command lines husk gives criu, and the part of CRIU's log an error
 * shows. Pure logic: tests/unit/test_criu.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu/criu.h"

int sv_add(struct svec *s, const char *fmt, ...)
{
  va_list ap;
  char *str = NULL;
  int r;
  if (s->n + 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    char **v = realloc(s->v, cap * sizeof *v);
    if (!v)
      return -1;
    s->v = v;
    s->cap = cap;
  }
  va_start(ap, fmt);
  r = vasprintf(&str, fmt, ap);
  va_end(ap);
  if (r < 0)
    return -1;
  s->v[s->n++] = str;
  s->v[s->n] = NULL;
  return 0;
}

bool sv_has(const struct svec *s, const char *str)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], str) == 0)
      return true;
  return false;
}

void sv_free(struct svec *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = s->cap = 0;
}

int criu_valid_cgroups_mode(const char *mode)
{
  static const char *const modes[] = {"soft", "full", "strict", "ignore", NULL};
  for (const char *const *m = modes; *m; m++)
    if (strcmp(*m, mode) == 0)
      return 0;
  return -1;
}

/* runc says "network"; CRIU says "net". */
static const char *criu_ns_name(const char *ns)
{
  return strcmp(ns, "network") == 0 ? "net" : ns;
}

static int common_args(const struct criu_opts *o, const char *log, struct svec *a,
                       struct husk_err *e)
{
  const char *mode = o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft";
  if (criu_valid_cgroups_mode(mode) < 0)
    return herr(e, EINVAL, "--manage-cgroups-mode `%s`: expected soft, full, strict or ignore",
                mode);
  if (o->empty_ns && strcmp(criu_ns_name(o->empty_ns), "net") != 0)
    return herr(e, EINVAL, "--empty-ns `%s`: only network is supported", o->empty_ns);
  sv_add(a, "--images-dir");
  sv_add(a, "%s", o->image_path);
  sv_add(a, "--work-dir");
  sv_add(a, "%s", o->work_path ? o->work_path : o->image_path);
  sv_add(a, "--log-file");
  sv_add(a, "%s", log);
  sv_add(a, "-v4");
  sv_add(a, "--manage-cgroups=%s", mode);
  if (o->tcp_established)
    sv_add(a, "--tcp-established");
  if (o->ext_unix_sk)
    sv_add(a, "--ext-unix-sk");
  if (o->shell_job)
    sv_add(a, "--shell-job");
  if (o->file_locks)
    sv_add(a, "--file-locks");
  if (o->lazy_pages)
    sv_add(a, "--lazy-pages");
  if (o->auto_dedup)
    sv_add(a, "--auto-dedup");
  if (o->empty_ns) {
    sv_add(a, "--empty-ns");
    sv_add(a, "net");
  }
  return 0;
}

static int page_server_args(const char *ps, struct svec *a, struct husk_err *e)
{
  const char *colon = strrchr(ps, ':');
  if (!colon || colon == ps || !colon[1])
    return herr(e, EINVAL, "--page-server `%s`: expected ADDRESS:PORT", ps);
  sv_add(a, "--page-server");
  sv_add(a, "--address");
  sv_add(a, "%.*s", (int)(colon - ps), ps);
  sv_add(a, "--port");
  sv_add(a, "%s", colon + 1);
  return 0;
}

int criu_dump_argv(const char *criu, const struct criu_opts *o, const struct criu_dump_ctx *x,
                   struct svec *a, struct husk_err *e)
{
  sv_add(a, "%s", criu);
  sv_add(a, "%s", o->pre_dump ? "pre-dump" : "dump");
  sv_add(a, "--tree");
  sv_add(a, "%d", (int)x->pid);
  if (common_args(o, "dump.log", a, e) < 0)
    return -1;
  /* pre-dump always leaves the tasks running */
  if (o->leave_running && !o->pre_dump)
    sv_add(a, "--leave-running");
  if (x->freeze_cgroup) {
    sv_add(a, "--freeze-cgroup");
    sv_add(a, "%s", x->freeze_cgroup);
  }
  if (o->parent_path) {
    if (o->parent_path[0] == '/')
      return herr(e, EINVAL, "--parent-path `%s`: must be relative to --image-path",
                  o->parent_path);
    sv_add(a, "--prev-images-dir");
    sv_add(a, "%s", o->parent_path);
  }
  /* memory tracking makes the next dump incremental (when the kernel can) */
  if (x->track_mem)
    sv_add(a, "--track-mem");
  if (o->tcp_skip_in_flight)
    sv_add(a, "--skip-in-flight");
  if (o->link_remap)
    sv_add(a, "--link-remap");
  if (o->page_server && page_server_args(o->page_server, a, e) < 0)
    return -1;
  if (o->status_fd >= 0) {
    sv_add(a, "--status-fd");
    sv_add(a, "%d", o->status_fd);
  }
  for (size_t i = 0; i < x->external.n; i++) {
    sv_add(a, "--external");
    sv_add(a, "%s", x->external.v[i]);
  }
  return 0;
}

int criu_restore_argv(const char *criu, const struct criu_opts *o, const struct criu_restore_ctx *x,
                      struct svec *a, struct husk_err *e)
{
  sv_add(a, "%s", criu);
  sv_add(a, "restore");
  if (common_args(o, "restore.log", a, e) < 0)
    return -1;
  /* The restored init becomes our child (CLONE_PARENT), criu exits at once:
   * the init then belongs to whoever waits for us, as after create. */
  sv_add(a, "--restore-detached");
  sv_add(a, "--restore-sibling");
  sv_add(a, "--root");
  sv_add(a, "%s", x->root);
  sv_add(a, "--pidfile");
  sv_add(a, "%s", x->pidfile);
  if (x->cgroup_root) {
    sv_add(a, "--cgroup-root");
    sv_add(a, "%s", x->cgroup_root);
  }
  if (x->action_script) {
    sv_add(a, "--action-script");
    sv_add(a, "%s", x->action_script);
  }
  if (o->tcp_close)
    sv_add(a, "--tcp-close");
  if (o->lsm_profile) {
    sv_add(a, "--lsm-profile");
    sv_add(a, "%s", o->lsm_profile);
  }
  if (o->lsm_mount_context) {
    sv_add(a, "--lsm-mount-context");
    sv_add(a, "%s", o->lsm_mount_context);
  }
  for (size_t i = 0; i < x->external.n; i++) {
    sv_add(a, "--external");
    sv_add(a, "%s", x->external.v[i]);
  }
  /* A host file standing in for a dumped one (the caller's log file) may
   * have other permission bits; that is no reason to fail. */
  for (size_t i = 0; i < x->inherit.n; i++)
    if (strstr(x->inherit.v[i], "]:file[")) {
      sv_add(a, "--skip-file-rwx-check");
      break;
    }
  for (size_t i = 0; i < x->inherit.n; i++) {
    sv_add(a, "--inherit-fd");
    sv_add(a, "%s", x->inherit.v[i]);
  }
  return 0;
}

/* Error lines CRIU prints on every run on this kind of host (no
 * CAP_SYS_RESOURCE) that never explain a failure. */
static bool is_noise(const char *line, size_t len)
{
  static const char *const noise[] = {"Can't setup RLIMIT_NOFILE for self", NULL};
  for (const char *const *n = noise; *n; n++)
    if (memmem(line, len, *n, strlen(*n)))
      return true;
  return false;
}

static void append_line(char **out, size_t *len, const char *line, size_t n)
{
  char *p = realloc(*out, *len + n + 4);
  if (!p)
    return;
  *out = p;
  memcpy(p + *len, "  ", 2);
  memcpy(p + *len + 2, line, n);
  p[*len + 2 + n] = '\n';
  *len += n + 3;
  p[*len] = '\0';
}

/* Appends the lines [from, to) of log that match (errors_only) or all. */
static char *collect(const char *log, size_t max, bool errors_only)
{
  const char *starts[64];
  size_t lens[64], count = 0, len = 0;
  char *out = NULL;
  if (max > 64)
    max = 64;
  for (const char *p = log; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    bool keep = n > 0 && (!errors_only || (memmem(p, n, "Error (", 7) && !is_noise(p, n)));
    if (keep) { /* a ring of the last max lines */
      starts[count % max] = p;
      lens[count % max] = n;
      count++;
    }
    p += n + (nl ? 1 : 0);
  }
  for (size_t i = count > max ? count - max : 0; i < count; i++)
    append_line(&out, &len, starts[i % max], lens[i % max]);
  if (out && len)
    out[len - 1] = '\0'; /* no trailing newline */
  return out;
}

char *criu_log_excerpt(const char *log, size_t max)
{
  char *out;
  if (!log || !max)
    return NULL;
  out = collect(log, max, true);
  return out ? out : collect(log, max < 5 ? max : 5, false);
}
