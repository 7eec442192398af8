#include "cdi/registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdi/strv.h"
#include "util/fs.h"
#include "util/log.h"

char **cdi_spec_dirs(const char *option)
{
  const char *src = option && *option ? option : getenv(CDI_SPEC_DIRS_ENV);
  char *copy, *tok, *save = NULL, **out = NULL;
  if (!src || !*src)
    src = CDI_DEFAULT_SPEC_DIRS;
  if (!(copy = strdup(src)))
    return NULL;
  for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
    if (cdi_strv_push(&out, tok) < 0) {
      cdi_strv_free(out);
      out = NULL;
      break;
    }
  free(copy);
  if (!out)
    out = calloc(1, sizeof(*out));
  return out;
}

char *cdi_spec_dirs_absolute(const char *option)
{
  char **dirs = cdi_spec_dirs(option), *out = calloc(1, 1);
  size_t len = 0;
  for (size_t i = 0; dirs && out && dirs[i]; i++) {
    char *abs = abs_path(dirs[i]), *grown = abs ? realloc(out, len + strlen(abs) + 2) : NULL;
    if (!grown) {
      free(abs);
      free(out);
      out = NULL;
      break;
    }
    out = grown;
    len += (size_t)sprintf(out + len, "%s%s", len ? ":" : "", abs);
    free(abs);
  }
  cdi_strv_free(dirs);
  return dirs ? out : (free(out), NULL);
}

static int add_error(struct cdi_registry *r, const char *path, const char *msg)
{
  struct cdi_file_error *n = realloc(r->errors, (r->n_errors + 1) * sizeof(*n));
  if (!n)
    return -1;
  r->errors = n;
  n[r->n_errors].path = strdup(path);
  n[r->n_errors].msg = strdup(msg ? msg : "out of memory");
  r->n_errors++;
  return 0;
}

static bool spec_file_name(const char *name)
{
  size_t n = strlen(name);
  return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
         (n > 5 && strcmp(name + n - 5, ".yaml") == 0); /* not .yml: the reference ignores it */
}

static int cmp_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* File names of one directory worth loading, sorted. NULL + errno on error. */
static char **list_dir(const char *dir, int *err)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  char **names = calloc(1, sizeof(*names));
  *err = 0;
  if (!d || !names) {
    *err = d ? ENOMEM : errno;
    if (d)
      closedir(d);
    free(names);
    return NULL;
  }
  while ((de = readdir(d))) {
    struct stat st;
    if (!spec_file_name(de->d_name))
      continue;
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      continue; /* not recursive */
    if (cdi_strv_push(&names, de->d_name) < 0) {
      *err = ENOMEM;
      break;
    }
  }
  closedir(d);
  qsort(names, cdi_strv_len(names), sizeof(*names), cmp_name);
  return names;
}

static int add_spec(struct cdi_registry *r, struct cdi_spec *s)
{
  struct cdi_spec **n = realloc(r->specs, (r->n_specs + 1) * sizeof(*n));
  if (!n)
    return -1;
  r->specs = n;
  n[r->n_specs++] = s;
  return 0;
}

static int scan_dir(struct cdi_registry *r, const char *dir, int priority)
{
  int err;
  char **names = list_dir(dir, &err);
  if (!names && err == ENOENT)
    return 0; /* a missing directory is no error */
  if (!names) {
    char msg[256];
    snprintf(msg, sizeof msg, "scan spec directory: %s", strerror(err));
    return err == ENOMEM ? -1 : add_error(r, dir, msg);
  }
  for (size_t i = 0; names[i]; i++) {
    char *path = NULL, *why = NULL;
    struct cdi_spec *s;
    if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
      cdi_strv_free(names);
      return -1;
    }
    if (cdi_spec_load(path, priority, &s, &why) < 0) {
      husk_debug("cdi: skipping %s: %s", path, why ? why : "out of memory");
      add_error(r, path, why);
    } else if (add_spec(r, s) < 0) {
      cdi_spec_free(s);
    }
    free(why);
    free(path);
  }
  cdi_strv_free(names);
  return 0;
}

static int cmp_entry(const void *a, const void *b)
{
  return strcmp(((const struct cdi_entry *)a)->name, ((const struct cdi_entry *)b)->name);
}

struct resolver {
  struct cdi_entry *e;
  size_t n;
  char **conflicts;
};

static int conflict(struct cdi_registry *r, struct resolver *rs, const char *name,
                    const struct cdi_spec *a, const struct cdi_spec *b)
{
  char *msg = NULL;
  if (asprintf(&msg, "conflicting device `%s` (specs %s, %s)", name, a->path, b->path) < 0)
    return -1;
  add_error(r, a->path, msg);
  add_error(r, b->path, msg);
  free(msg);
  return cdi_strv_contains(rs->conflicts, name) ? 0 : cdi_strv_push(&rs->conflicts, name);
}

/* One device of one spec against what earlier specs defined. */
static int offer(struct cdi_registry *r, struct resolver *rs, const struct cdi_spec *s,
                 const struct cdi_device *d)
{
  char *name = NULL;
  struct cdi_entry *n;
  if (asprintf(&name, "%s=%s", s->kind, d->name) < 0)
    return -1;
  for (size_t i = 0; i < rs->n; i++) {
    if (strcmp(rs->e[i].name, name) != 0)
      continue;
    if (s->priority == rs->e[i].spec->priority) {
      int c = conflict(r, rs, name, s, rs->e[i].spec);
      free(name);
      return c;
    }
    if (s->priority > rs->e[i].spec->priority) {
      rs->e[i].spec = s;
      rs->e[i].device = d;
    }
    free(name);
    return 0;
  }
  if (!(n = realloc(rs->e, (rs->n + 1) * sizeof(*n)))) {
    free(name);
    return -1;
  }
  rs->e = n;
  n[rs->n++] = (struct cdi_entry){name, s, d};
  return 0;
}

static int resolve(struct cdi_registry *r)
{
  struct resolver rs = {0};
  size_t keep = 0;
  for (size_t i = 0; i < r->n_specs; i++)
    for (size_t j = 0; j < r->specs[i]->n_devices; j++)
      if (offer(r, &rs, r->specs[i], &r->specs[i]->devices[j]) < 0)
        goto oom;
  for (size_t i = 0; i < rs.n; i++) { /* a conflict removes the device altogether */
    if (cdi_strv_contains(rs.conflicts, rs.e[i].name))
      free(rs.e[i].name);
    else
      rs.e[keep++] = rs.e[i];
  }
  if (keep > 1)
    qsort(rs.e, keep, sizeof(*rs.e), cmp_entry);
  r->entries = rs.e;
  r->n_entries = keep;
  cdi_strv_free(rs.conflicts);
  return 0;
oom:
  for (size_t i = 0; i < rs.n; i++)
    free(rs.e[i].name);
  free(rs.e);
  cdi_strv_free(rs.conflicts);
  return -1;
}

int cdi_registry_load(struct cdi_registry *r, const char *dirs_option, struct husk_err *e)
{
  *r = (struct cdi_registry){0};
  if (!(r->dirs = cdi_spec_dirs(dirs_option)))
    return herr(e, ENOMEM, "cdi: spec directories");
  for (size_t i = 0; r->dirs[i]; i++)
    if (scan_dir(r, r->dirs[i], (int)i) < 0)
      goto oom;
  if (resolve(r) < 0)
    goto oom;
  return 0;
oom:
  cdi_registry_free(r);
  return herr(e, ENOMEM, "cdi: load spec files");
}

const struct cdi_entry *cdi_registry_find(const struct cdi_registry *r, const char *name)
{
  struct cdi_entry key = {.name = (char *)name};
  if (!r->n_entries)
    return NULL;
  return bsearch(&key, r->entries, r->n_entries, sizeof(key), cmp_entry);
}

bool cdi_registry_has_kind(const struct cdi_registry *r, const char *kind)
{
  for (size_t i = 0; i < r->n_specs; i++)
    if (strcmp(r->specs[i]->kind, kind) == 0)
      return true;
  return false;
}

char *cdi_registry_kind_devices(const struct cdi_registry *r, const char *kind)
{
  size_t klen = strlen(kind), len = 0;
  char *out = calloc(1, 1);
  for (size_t i = 0; out && i < r->n_entries; i++) {
    const char *n = r->entries[i].name;
    char *grown;
    if (strncmp(n, kind, klen) != 0 || n[klen] != '=')
      continue;
    grown = realloc(out, len + strlen(n + klen + 1) + 3);
    if (!grown) {
      free(out);
      return NULL;
    }
    out = grown;
    len += (size_t)sprintf(out + len, "%s%s", len ? ", " : "", n + klen + 1);
  }
  return out;
}

void cdi_registry_free(struct cdi_registry *r)
{
  cdi_strv_free(r->dirs);
  for (size_t i = 0; i < r->n_specs; i++)
    cdi_spec_free(r->specs[i]);
  free(r->specs);
  for (size_t i = 0; i < r->n_entries; i++)
    free(r->entries[i].name);
  free(r->entries);
  for (size_t i = 0; i < r->n_errors; i++) {
    free(r->errors[i].path);
    free(r->errors[i].msg);
  }
  free(r->errors);
  *r = (struct cdi_registry){0};
}
