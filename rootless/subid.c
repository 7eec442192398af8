#include "subid.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;
  if (n == 0 || n > 19)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return true;
}

/* "owner:start:count" with optional surrounding blanks; false if malformed. */
static bool parse_line(const char *s, size_t len, struct subid_entry *en)
{
  const char *c1, *c2, *end = s + len;
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    end--;
  c1 = memchr(s, ':', (size_t)(end - s));
  c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
  if (!c1 || !c2 || c1 == s || memchr(c2 + 1, ':', (size_t)(end - c2 - 1)))
    return false;
  if (!parse_u64(c1 + 1, (size_t)(c2 - c1 - 1), &en->start) ||
      !parse_u64(c2 + 1, (size_t)(end - c2 - 1), &en->count) || en->count == 0 ||
      en->start + en->count < en->start)
    return false;
  en->owner = strndup(s, (size_t)(c1 - s));
  return en->owner != NULL;
}

int subid_parse(const char *text, struct subid_file *out, size_t *bad)
{
  unsigned line = 0;
  out->v = NULL;
  out->n = 0;
  if (bad)
    *bad = 0;
  for (const char *p = text; p && *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p), skip = strspn(p, " \t");
    struct subid_entry en = {.line = ++line};
    if (skip < len && p[skip] != '#' && p[skip] != '\r') {
      if (parse_line(p, len, &en)) {
        struct subid_entry *nv = realloc(out->v, sizeof *nv * (out->n + 1));
        if (!nv) {
          free(en.owner);
          subid_file_free(out);
          return -ENOMEM;
        }
        out->v = nv;
        out->v[out->n++] = en;
      } else if (bad) {
        (*bad)++;
      }
    }
    p = nl ? nl + 1 : NULL;
  }
  return 0;
}

int subid_read(const char *path, struct subid_file *out, size_t *bad, struct husk_err *e)
{
  char *data = NULL;
  int r;
  out->v = NULL;
  out->n = 0;
  if (bad)
    *bad = 0;
  struct husk_err le = {0};
  if (read_file_at(AT_FDCWD, path, &data, NULL, &le) < 0) {
    int err = le.errnum;
    if (err == ENOENT) {
      herr_clear(&le);
      return 0;
    }
    if (!e) {
      herr_clear(&le);
      return -1;
    }
    return herr_take(e, err, le.msg);
  }
  r = subid_parse(data, out, bad);
  free(data);
  if (r < 0)
    return herr(e, -r, "parse %s", path);
  return 0;
}

void subid_file_free(struct subid_file *f)
{
  for (size_t i = 0; i < f->n; i++)
    free(f->v[i].owner);
  free(f->v);
  f->v = NULL;
  f->n = 0;
}

bool subid_is_users(const struct subid_entry *en, const char *name, uint64_t uid)
{
  uint64_t n;
  if (name && strcmp(en->owner, name) == 0)
    return true;
  return parse_u64(en->owner, strlen(en->owner), &n) && n == uid;
}

/* The end (exclusive) of the run of the user's ranges that contains x, or x
 * itself when none does. Ranges may touch or overlap in any order. */
static uint64_t covered_until(const struct subid_file *f, const char *name, uint64_t uid,
                              uint64_t x)
{
  bool moved = true;
  while (moved) {
    moved = false;
    for (size_t i = 0; i < f->n; i++) {
      const struct subid_entry *en = &f->v[i];
      if (subid_is_users(en, name, uid) && en->start <= x && x < en->start + en->count) {
        x = en->start + en->count;
        moved = true;
      }
    }
  }
  return x;
}

bool subid_covers(const struct subid_file *f, const char *name, uint64_t uid, uint64_t own,
                  uint64_t start, uint64_t count)
{
  if (count == 1 && start == own)
    return true;
  if (count == 0 || start + count < start)
    return false;
  return covered_until(f, name, uid, start) >= start + count;
}

static int cmp_start(const void *a, const void *b)
{
  const struct subid_entry *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

uint64_t subid_user_total(const struct subid_file *f, const char *name, uint64_t uid)
{
  struct subid_entry *mine = calloc(f->n + 1, sizeof *mine);
  uint64_t total = 0, end = 0;
  size_t n = 0;
  if (!mine)
    return 0;
  for (size_t i = 0; i < f->n; i++)
    if (subid_is_users(&f->v[i], name, uid))
      mine[n++] = f->v[i];
  qsort(mine, n, sizeof *mine, cmp_start);
  for (size_t i = 0; i < n; i++) { /* merged: count only what lies past the previous end */
    uint64_t from = mine[i].start > end ? mine[i].start : end, to = mine[i].start + mine[i].count;
    if (to > from)
      total += to - from;
    if (to > end)
      end = to;
  }
  free(mine);
  return total;
}

long subid_overlap(const struct subid_file *f, const char *name, uint64_t uid, size_t *mine)
{
  for (size_t i = 0; i < f->n; i++) {
    if (!subid_is_users(&f->v[i], name, uid))
      continue;
    for (size_t j = 0; j < f->n; j++) {
      const struct subid_entry *a = &f->v[i], *b = &f->v[j];
      if (subid_is_users(b, name, uid))
        continue;
      if (a->start < b->start + b->count && b->start < a->start + a->count) {
        if (mine)
          *mine = i;
        return (long)j;
      }
    }
  }
  return -1;
}

/* "100000-165535, 200000-200099" (at most a few) for messages. */
static void describe_ranges(const struct subid_file *f, const char *name, uint64_t uid, char *buf,
                            size_t len)
{
  size_t off = 0, shown = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < f->n && off < len; i++) {
    if (!subid_is_users(&f->v[i], name, uid))
      continue;
    if (shown++ == 4) {
      snprintf(buf + off, len - off, ", ...");
      break;
    }
    off += (size_t)snprintf(buf + off, len - off, "%s%" PRIu64 "-%" PRIu64, off ? ", " : "",
                            f->v[i].start, f->v[i].start + f->v[i].count - 1);
  }
}

int subid_check_mappings(const struct oci_id_mappings *m, const char *field, const char *path,
                         const struct subid_file *f, const char *name, uint64_t uid, uint64_t own,
                         struct husk_err *e)
{
  char who[128], have[160];
  if (name)
    snprintf(who, sizeof who, "%s (uid %" PRIu64 ")", name, uid);
  else
    snprintf(who, sizeof who, "uid %" PRIu64, uid);
  for (size_t i = 0; i < m->n; i++) {
    const struct oci_id_mapping *x = &m->items[i];
    uint64_t last = (uint64_t)x->host_id + x->size - 1;
    if (subid_covers(f, name, uid, own, x->host_id, x->size))
      continue;
    describe_ranges(f, name, uid, have, sizeof have);
    if (!have[0])
      return herr_msg(e, EPERM,
                      "%s[%zu] (containerID %u, hostID %u, size %u): host ids %u-%" PRIu64
                      " are not delegated to user %s: %s has no entry for it (add one as root: "
                      "usermod --add-sub%cids %u-%" PRIu64 " %s)",
                      field, i, x->container_id, x->host_id, x->size, x->host_id, last, who, path,
                      strstr(path, "gid") ? 'g' : 'u', x->host_id, last, name ? name : "USER");
    return herr_msg(e, EPERM,
                    "%s[%zu] (containerID %u, hostID %u, size %u): host ids %u-%" PRIu64
                    " are not delegated to user %s: %s gives it only %s",
                    field, i, x->container_id, x->host_id, x->size, x->host_id, last, who, path,
                    have);
  }
  return 0;
}
