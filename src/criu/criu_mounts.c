/* Which of the container's mounts CRIU must treat as external, and where
 * each comes from on restore. CRIU rebuilds a mount from the images only
 * when its source lives inside the container (proc, a tmpfs, a bind of
 * another container mount); a bind of a host path is recorded at dump as
 * mnt[MOUNTPOINT] and given a host path again at restore. The key is the
 * mount point (as runc does), so a restore from another bundle maps it to
 * that bundle's source.
 *
 * At dump (from the container's mountinfo and its config):
 *   - the config's bind mounts
 *   - devtmpfs mounts: host device nodes bound in a user namespace, and
 *     masked files (bound from the host's /dev/null)
 *   - cgroup v1 binds and cgroup2 binds (a directory of the host's tree)
 *   - /dev/console (the pty peer of a terminal)
 * At restore the mapping covers every key the dump can have produced; CRIU
 * ignores the ones its images do not name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "criu/criu.h"
#include "util/fs.h"

#define CG_ROOT "/sys/fs/cgroup"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s, size_t n)
{
  char *out = malloc(n + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      *o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* Splits a line into space-separated fields (at most max). */
static size_t split(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
  size_t n = 0, i = 0;
  while (i < len && n < max) {
    while (i < len && line[i] == ' ')
      i++;
    if (i >= len)
      break;
    f[n] = line + i;
    while (i < len && line[i] != ' ')
      i++;
    fl[n] = (size_t)(line + i - f[n]);
    n++;
  }
  return n;
}

static int parse_line(const char *line, size_t len, struct mnt_entry *m)
{
  const char *f[16];
  size_t fl[16], n = split(line, len, f, fl, 16), dash = 0;
  for (size_t i = 6; i < n; i++)
    if (fl[i] == 1 && f[i][0] == '-') {
      dash = i;
      break;
    }
  if (n < 7 || !dash || dash + 1 >= n)
    return -1;
  m->id = atoi(f[0]);
  m->root = unescape(f[3], fl[3]);
  m->mountpoint = unescape(f[4], fl[4]);
  m->fstype = unescape(f[dash + 1], fl[dash + 1]);
  return m->root && m->mountpoint && m->fstype ? 0 : -1;
}

int mountinfo_parse(const char *text, struct mnt_list *out)
{
  out->v = NULL;
  out->n = 0;
  for (const char *p = text; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    struct mnt_entry m = {0}, *v;
    if (len && parse_line(p, len, &m) == 0) {
      v = realloc(out->v, (out->n + 1) * sizeof *v);
      if (!v) {
        free(m.root), free(m.mountpoint), free(m.fstype);
        return -1;
      }
      out->v = v;
      out->v[out->n++] = m;
    } else {
      free(m.root), free(m.mountpoint), free(m.fstype);
    }
    p += len + (nl ? 1 : 0);
  }
  return 0;
}

int mountinfo_read(pid_t pid, struct mnt_list *out, struct husk_err *e)
{
  char path[64], *text = NULL;
  size_t len;
  int r;
  snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)pid);
  if (read_file_at(-100 /* AT_FDCWD */, path, &text, &len, e) < 0)
    return -1;
  r = mountinfo_parse(text, out);
  free(text);
  return r < 0 ? herr(e, ENOMEM, "parse %s", path) : 0;
}

void mnt_list_free(struct mnt_list *l)
{
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].root);
    free(l->v[i].mountpoint);
    free(l->v[i].fstype);
  }
  free(l->v);
  l->v = NULL;
  l->n = 0;
}

/* The last one wins: a later mount on the same point covers the earlier. */
const struct mnt_entry *mnt_list_find(const struct mnt_list *l, const char *mountpoint)
{
  for (size_t i = l->n; i-- > 0;)
    if (strcmp(l->v[i].mountpoint, mountpoint) == 0)
      return &l->v[i];
  return NULL;
}

/* "/a//b/" -> "/a/b" (the form mountinfo shows). */
static void clean_path(const char *in, char *out, size_t size)
{
  size_t o = 0;
  for (const char *p = in; *p && o + 1 < size; p++) {
    if (*p == '/' && o > 0 && out[o - 1] == '/')
      continue;
    out[o++] = *p;
  }
  if (o > 1 && out[o - 1] == '/')
    o--;
  if (o == 0 || out[0] != '/') { /* relative destinations are taken from / */
    memmove(out + 1, out, o < size - 1 ? o : size - 2);
    out[0] = '/';
    o = o < size - 1 ? o + 1 : size - 1;
  }
  out[o] = '\0';
}

static bool is_bind(const struct oci_mount *m)
{
  if (m->type && strcmp(m->type, "bind") == 0)
    return true;
  for (char **o = m->options; o && *o; o++)
    if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
      return true;
  return false;
}

static bool is_cgroup_mount(const struct oci_mount *m)
{
  return m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0);
}

static bool spec_binds(const struct oci_spec *spec, const char *mountpoint)
{
  char d[4096];
  for (size_t i = 0; i < spec->n_mounts; i++) {
    if (!spec->mounts[i].destination || !is_bind(&spec->mounts[i]))
      continue;
    clean_path(spec->mounts[i].destination, d, sizeof d);
    if (strcmp(d, mountpoint) == 0)
      return true;
  }
  return false;
}

static bool dump_external(const struct oci_spec *spec, const struct mnt_entry *m)
{
  if (strcmp(m->mountpoint, "/") == 0)
    return false;
  if (strcmp(m->mountpoint, "/dev/console") == 0 || strcmp(m->fstype, "devtmpfs") == 0 ||
      strcmp(m->fstype, "cgroup") == 0)
    return true;
  if (strcmp(m->fstype, "cgroup2") == 0 && strcmp(m->root, "/") != 0)
    return true;
  return spec_binds(spec, m->mountpoint);
}

static int add_once(struct svec *s, const char *key, const char *val)
{
  char *item = NULL;
  int r = 0;
  if (asprintf(&item, "mnt[%s]:%s", key, val) < 0)
    return -1;
  if (!sv_has(s, item))
    r = sv_add(s, "%s", item);
  free(item);
  return r;
}

/* A key already mapped keeps its first value (a later duplicate would be a
 * second --external for the same mount point). */
static bool key_mapped(const struct svec *s, const char *key)
{
  size_t n = strlen(key);
  for (size_t i = 0; i < s->n; i++)
    if (strncmp(s->v[i], "mnt[", 4) == 0 && strncmp(s->v[i] + 4, key, n) == 0 &&
        strncmp(s->v[i] + 4 + n, "]:", 2) == 0)
      return true;
  return false;
}

static int map(struct svec *s, const char *key, const char *val)
{
  return key_mapped(s, key) ? 0 : add_once(s, key, val);
}

int criu_dump_mounts(const struct oci_spec *spec, const struct mnt_list *mounts,
                     struct svec *external)
{
  for (size_t i = 0; i < mounts->n; i++)
    if (dump_external(spec, &mounts->v[i]) &&
        add_once(external, mounts->v[i].mountpoint, mounts->v[i].mountpoint) < 0)
      return -1;
  return 0;
}

static int map_cgroup(const struct oci_mount *m, const struct cgroup *cg,
                      const char *const *hierarchies, struct svec *s)
{
  char d[4096], key[4200], val[4200];
  const char *path = cg && cg->path ? cg->path : "";
  clean_path(m->destination, d, sizeof d);
  /* v2 without a cgroup namespace: the container's own directory */
  snprintf(val, sizeof val, CG_ROOT "%s", path);
  if (map(s, d, val) < 0)
    return -1;
  for (const char *const *h = hierarchies; h && *h; h++) {
    snprintf(key, sizeof key, "%s/%s", strcmp(d, "/") ? d : "", *h);
    snprintf(val, sizeof val, CG_ROOT "/%s%s", *h, path);
    if (access(val, F_OK) != 0) /* as the mount does: a hierarchy husk has no cgroup in */
      snprintf(val, sizeof val, CG_ROOT "/%s", *h);
    if (map(s, key, val) < 0)
      return -1;
  }
  return 0;
}

static int map_bind(const struct oci_mount *m, const char *bundle, struct svec *s)
{
  char d[4096], *src = NULL;
  int r;
  if (!m->source)
    return 0;
  clean_path(m->destination, d, sizeof d);
  if (m->source[0] == '/' || !bundle)
    src = strdup(m->source);
  else if (asprintf(&src, "%s/%s", bundle, m->source) < 0)
    src = NULL;
  if (!src)
    return -1;
  r = map(s, d, src);
  free(src);
  return r;
}

static int map_devices(const struct oci_spec *spec, struct svec *s)
{
  static const char *const defaults[] = {"/dev/null",    "/dev/zero", "/dev/full", "/dev/random",
                                         "/dev/urandom", "/dev/tty",  NULL};
  char d[4096];
  for (const char *const *p = defaults; *p; p++)
    if (map(s, *p, *p) < 0)
      return -1;
  for (size_t i = 0; i < spec->linux_.n_devices; i++) {
    if (!spec->linux_.devices[i].path)
      continue;
    clean_path(spec->linux_.devices[i].path, d, sizeof d);
    if (map(s, d, spec->linux_.devices[i].path) < 0)
      return -1;
  }
  return 0;
}

int criu_restore_mounts(const struct oci_spec *spec, const char *bundle, const struct cgroup *cg,
                        const char *const *hierarchies, const char *console, struct svec *external)
{
  char d[4096];
  if (console && map(external, "/dev/console", console) < 0)
    return -1;
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct oci_mount *m = &spec->mounts[i];
    int r = 0;
    if (!m->destination)
      continue;
    if (is_bind(m))
      r = map_bind(m, bundle, external);
    else if (is_cgroup_mount(m))
      r = map_cgroup(m, cg, hierarchies, external);
    if (r < 0)
      return -1;
  }
  for (char **p = spec->linux_.masked_paths; p && *p; p++) {
    clean_path(*p, d, sizeof d);
    if (map(external, d, "/dev/null") < 0)
      return -1;
  }
  return map_devices(spec, external);
}
