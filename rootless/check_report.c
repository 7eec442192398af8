/* The report of `husk check`: items, text and JSON output, shared helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "oci_json.h"
#include "util/fs.h"

static const char *const names[] = {"ok", "warning", "problem", "skipped"};

const char *check_status_name(enum check_status st)
{
  return names[st];
}

void check_add(struct check_report *r, const char *id, enum check_status st, const char *fix,
               const char *fmt, ...)
{
  struct check_item *nv = realloc(r->v, sizeof *nv * (r->n + 1)), *it;
  va_list ap;
  if (!nv)
    return;
  r->v = nv;
  it = &r->v[r->n++];
  it->id = strdup(id);
  it->status = st;
  it->fix = fix ? strdup(fix) : NULL;
  va_start(ap, fmt);
  if (vasprintf(&it->summary, fmt, ap) < 0)
    it->summary = NULL;
  va_end(ap);
}

const struct check_item *check_find(const struct check_report *r, const char *id)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->v[i].id, id) == 0)
      return &r->v[i];
  return NULL;
}

size_t check_count(const struct check_report *r, enum check_status st)
{
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++)
    n += r->v[i].status == st;
  return n;
}

void check_report_free(struct check_report *r)
{
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].id);
    free(r->v[i].summary);
    free(r->v[i].fix);
  }
  free(r->v);
  r->v = NULL;
  r->n = 0;
}

/* Appends printf output to a growing buffer. */
__attribute__((format(printf, 3, 4))) static void cat(char **buf, size_t *len, const char *fmt,
                                                      ...)
{
  char *piece = NULL, *nb;
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vasprintf(&piece, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((nb = realloc(*buf, *len + (size_t)n + 1))) {
    memcpy(nb + *len, piece, (size_t)n + 1);
    *buf = nb;
    *len += (size_t)n;
  }
  free(piece);
}

char *check_report_text(const struct check_report *r, const struct check_env *env)
{
  char *out = NULL;
  size_t len = 0;
  cat(&out, &len, "husk check%s: user %s (uid %u)\n", env->rootless ? " --rootless" : "",
      env->user ? env->user : "?", (unsigned)env->uid);
  for (size_t i = 0; i < r->n; i++) {
    const struct check_item *it = &r->v[i];
    cat(&out, &len, "%-8s %-18s %s\n", names[it->status], it->id, it->summary ? it->summary : "");
    if (it->fix) /* one "fix:" line per command */
      for (const char *p = it->fix; *p;) {
        size_t n = strcspn(p, "\n");
        cat(&out, &len, "%-8s %-18s fix: %.*s\n", "", "", (int)n, p);
        p += n + (p[n] == '\n');
      }
  }
  cat(&out, &len, "%zu ok, %zu problem(s), %zu warning(s), %zu skipped\n", check_count(r, CHECK_OK),
      check_count(r, CHECK_PROBLEM), check_count(r, CHECK_WARNING), check_count(r, CHECK_SKIPPED));
  return out;
}

char *check_report_json(const struct check_report *r, const struct check_env *env)
{
  struct oci_json_gen *g = oci_json_gen_new(true);
  char *out;
  oci_json_map_open(g);
  oci_json_kv_string(g, "user", env->user);
  oci_json_kv_int(g, "uid", env->uid);
  oci_json_kv_bool(g, "rootless", env->rootless);
  oci_json_kv_bool(g, "ok", check_count(r, CHECK_PROBLEM) == 0);
  oci_json_key(g, "checks");
  oci_json_array_open(g);
  for (size_t i = 0; i < r->n; i++) {
    oci_json_map_open(g);
    oci_json_kv_string(g, "id", r->v[i].id);
    oci_json_kv_string(g, "status", names[r->v[i].status]);
    oci_json_kv_string(g, "summary", r->v[i].summary);
    oci_json_kv_string(g, "fix", r->v[i].fix);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
  oci_json_map_close(g);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}

char *check_which(const char *path, const char *prog)
{
  char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
  for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
    char *full = NULL;
    struct stat st;
    if (asprintf(&full, "%s/%s", d, prog) < 0)
      break;
    if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
      free(copy);
      return full;
    }
    free(full);
  }
  free(copy);
  return NULL;
}

char *check_read_line(const char *dir, const char *file)
{
  char *path = NULL, *data = NULL;
  if (asprintf(&path, "%s/%s", dir, file) < 0)
    return NULL;
  if (read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
    data = NULL;
  free(path);
  if (data)
    data[strcspn(data, "\n")] = '\0';
  return data;
}

void check_all(const struct check_env *env, struct check_report *r)
{
  check_userns(env, r);
  check_subids(env, r);
  check_helpers(env, r);
  check_xdg(env, r);
  check_cgroups(env, r);
  check_session(env, r);
  check_tools(env, r);
}
