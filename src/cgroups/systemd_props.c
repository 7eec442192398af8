/* Pure logic of the systemd driver: names, slice paths and property values
 * (see systemd_props.h). No D-Bus here. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/resources.h"
#include "cgroups/systemd_props.h"

#define L "linux.resources."
#define ANNOTATION "org.systemd.property."

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool sd_unit_name_valid(const char *name)
{
  size_t n = strlen(name);
  if (n == 0 || n >= SD_NAME_MAX || name[0] == '.' || name[0] == '-')
    return false;
  for (const char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr(":-_.\\@", *p))
      return false;
  return ends_with(name, ".scope") || ends_with(name, ".slice");
}

int sd_slice_expand(const char *slice, char *buf, size_t len, const char **why)
{
  size_t stem, used = 0;
  buf[0] = '\0';
  if (strcmp(slice, "-.slice") == 0)
    return 0; /* the root slice is the root cgroup */
  if (!ends_with(slice, ".slice") || strchr(slice, '/') || !sd_unit_name_valid(slice)) {
    *why = "a slice name is NAME.slice (letters, digits, -_.:@\\; no `/`)";
    return -1;
  }
  stem = strlen(slice) - strlen(".slice");
  if (slice[stem - 1] == '-' || strstr(slice, "--")) {
    *why = "a slice name must not end in `-` or contain `--`";
    return -1;
  }
  /* every `-` starts a child: a-b.slice lives in a.slice */
  for (size_t i = 0; i <= stem; i++) {
    if (i < stem && slice[i] != '-')
      continue;
    int w = snprintf(buf + used, len - used, "/%.*s.slice", (int)i, slice);
    if (w < 0 || (size_t)w >= len - used) {
      *why = "slice name too long";
      return -1;
    }
    used += (size_t)w;
  }
  return 0;
}

int sd_cgroups_path_parse(const char *path, const char *id, bool rootless, struct sd_unit *u,
                          const char **why)
{
  const char *c1, *c2;
  char slice[SD_NAME_MAX], prefix[SD_NAME_MAX], name[SD_NAME_MAX], expanded[4096];
  int w;
  if (!path || !*path) {
    snprintf(slice, sizeof slice, "%s", "");
    snprintf(prefix, sizeof prefix, "husk");
    snprintf(name, sizeof name, "%s", id);
  } else {
    c1 = strchr(path, ':');
    c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || strchr(c2 + 1, ':')) {
      *why = "expected `slice:prefix:name` for the systemd cgroup manager";
      return -1;
    }
    if ((size_t)(c1 - path) >= sizeof slice || (size_t)(c2 - c1 - 1) >= sizeof prefix ||
        strlen(c2 + 1) >= sizeof name) {
      *why = "a part of `slice:prefix:name` is too long";
      return -1;
    }
    snprintf(slice, sizeof slice, "%.*s", (int)(c1 - path), path);
    snprintf(prefix, sizeof prefix, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    snprintf(name, sizeof name, "%s", c2 + 1);
  }
  if (!name[0]) {
    *why = "the name part of `slice:prefix:name` is empty";
    return -1;
  }
  if (ends_with(name, ".slice")) {
    *why = "a slice as the container's own unit is not supported (name ends in .slice)";
    return -1;
  }
  snprintf(u->slice, sizeof u->slice, "%s",
           slice[0]   ? slice
           : rootless ? "user.slice"
                      : "system.slice");
  if (sd_slice_expand(u->slice, expanded, sizeof expanded, why) < 0)
    return -1;
  w = snprintf(u->unit, sizeof u->unit, "%s%s%s.scope", prefix, prefix[0] ? "-" : "", name);
  if (w < 0 || (size_t)w >= sizeof u->unit || !sd_unit_name_valid(u->unit)) {
    *why = "the unit name made from prefix and name is not valid (letters, digits, -_.:@\\; "
           "at most 255 bytes)";
    return -1;
  }
  return 0;
}

uint64_t sd_cpu_quota_per_sec(int64_t quota, uint64_t period)
{
  uint64_t per_sec;
  if (quota <= 0)
    return SD_INFINITY;
  if (period == 0)
    period = 100000;
  per_sec = (uint64_t)quota * 1000000 / period;
  if (per_sec % 10000) /* systemd keeps whole percent: round up, never below the request */
    per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec;
}

#define SD_MAX_CPUS 8192

int sd_cpuset_to_bytes(const char *list, uint8_t **out, size_t *n, const char **why)
{
  const char *p = list;
  uint8_t *bytes = NULL;
  size_t len = 0;
  *out = NULL;
  *n = 0;
  while (*p && !isspace((unsigned char)*p)) {
    char *end;
    unsigned long a, b;
    if (!isdigit((unsigned char)*p))
      goto bad;
    a = b = strtoul(p, &end, 10);
    if (*end == '-') {
      if (!isdigit((unsigned char)end[1]))
        goto bad;
      b = strtoul(end + 1, &end, 10);
    }
    if (a > b || b >= SD_MAX_CPUS)
      goto bad;
    if (b / 8 + 1 > len) {
      uint8_t *nb = realloc(bytes, b / 8 + 1);
      if (!nb)
        goto bad;
      memset(nb + len, 0, b / 8 + 1 - len);
      bytes = nb;
      len = b / 8 + 1;
    }
    for (unsigned long k = a; k <= b; k++)
      bytes[k / 8] |= (uint8_t)(1u << (k % 8));
    p = end;
    if (*p == ',')
      p++;
    else if (*p && !isspace((unsigned char)*p))
      goto bad;
  }
  *out = bytes;
  *n = len;
  return 0;
bad:
  free(bytes);
  *why = "expected a list like `0-3,8` (numbers below 8192)";
  return -1;
}

static struct sd_prop *add(struct sd_props *p, const char *name, char type)
{
  struct sd_prop *np = realloc(p->items, sizeof *np * (p->n + 1));
  if (!np)
    return NULL;
  p->items = np;
  np = &p->items[p->n++];
  memset(np, 0, sizeof *np);
  snprintf(np->name, sizeof np->name, "%s", name);
  np->type = type;
  return np;
}

int sd_props_add_bool(struct sd_props *p, const char *name, bool v)
{
  struct sd_prop *x = add(p, name, 'b');
  if (!x)
    return -1;
  x->b = v;
  return 0;
}

int sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v)
{
  struct sd_prop *x = add(p, name, 't');
  if (!x)
    return -1;
  x->u = v;
  return 0;
}

int sd_props_add_str(struct sd_props *p, const char *name, const char *v)
{
  struct sd_prop *x = add(p, name, 's');
  if (!x || !(x->s = strdup(v)))
    return -1;
  return 0;
}

struct sd_prop *sd_props_add_pairs(struct sd_props *p, const char *name)
{
  return add(p, name, 'A');
}

static int add_bytes(struct sd_props *p, const char *name, const char *list, const char *field,
                     struct husk_err *e)
{
  const char *why = NULL;
  struct sd_prop *x;
  uint8_t *bytes;
  size_t n;
  if (sd_cpuset_to_bytes(list, &bytes, &n, &why) < 0)
    return herr(e, EINVAL, "%s `%s`: %s", field, list, why);
  if (!(x = add(p, name, 'y'))) {
    free(bytes);
    return herr(e, ENOMEM, "%s", field);
  }
  x->bytes = bytes;
  x->n_bytes = n;
  return 0;
}

const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name)
{
  for (size_t i = p->n; i-- > 0;) /* the last one wins, as in systemd */
    if (strcmp(p->items[i].name, name) == 0)
      return &p->items[i];
  return NULL;
}

void sd_props_free(struct sd_props *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->items[i].s);
    free(p->items[i].bytes);
    for (size_t k = 0; k < p->items[i].n_pairs * 2; k++)
      free(p->items[i].pairs[k]);
    free(p->items[i].pairs);
  }
  free(p->items);
  p->items = NULL;
  p->n = 0;
}

static uint64_t limit_of(int64_t v)
{
  return v < 0 ? SD_INFINITY : (uint64_t)v;
}

#define TRY(x)                                                                                     \
  do {                                                                                             \
    if ((x) < 0)                                                                                   \
      return herr(e, ENOMEM, "systemd properties");                                                \
  } while (0)

static int memory_props(const struct oci_memory *m, bool v2, struct sd_props *p, struct husk_err *e)
{
  int64_t swap = 0;
  const char *why = NULL;
  int r;
  if (m->limit.set && m->limit.value != 0)
    TRY(sd_props_add_u64(p, v2 ? "MemoryMax" : "MemoryLimit", limit_of(m->limit.value)));
  if (!v2)
    return 0;
  if (m->reservation.set && m->reservation.value != 0)
    TRY(sd_props_add_u64(p, "MemoryLow", limit_of(m->reservation.value)));
  r = cg_swap_v2(m->limit.set ? m->limit.value : 0, m->swap.set ? m->swap.value : 0, &swap, &why);
  if (r < 0)
    return herr(e, EINVAL, L "memory.swap: %s", why);
  if (r > 0 && m->swap.set)
    TRY(sd_props_add_u64(p, "MemorySwapMax", limit_of(swap)));
  return 0;
}

static int cpu_props(const struct oci_cpu *c, bool v2, struct sd_props *p, struct husk_err *e)
{
  int64_t quota = c->quota.set ? c->quota.value : 0;
  uint64_t period = c->period.set ? c->period.value : 0;
  if (c->shares.set && c->shares.value)
    TRY(sd_props_add_u64(p, v2 ? "CPUWeight" : "CPUShares",
                         v2 ? cg_shares_to_weight(c->shares.value) : c->shares.value));
  if (quota != 0 || period != 0)
    TRY(sd_props_add_u64(p, "CPUQuotaPerSecUSec", sd_cpu_quota_per_sec(quota, period)));
  if (period)
    TRY(sd_props_add_u64(p, "CPUQuotaPeriodUSec", period));
  if (v2 && c->cpus && *c->cpus && add_bytes(p, "AllowedCPUs", c->cpus, L "cpu.cpus", e) < 0)
    return -1;
  if (v2 && c->mems && *c->mems && add_bytes(p, "AllowedMemoryNodes", c->mems, L "cpu.mems", e) < 0)
    return -1;
  return 0;
}

static int parse_limit(const char *s, uint64_t *out)
{
  char *end;
  if (strcmp(s, "max") == 0) {
    *out = SD_INFINITY;
    return 0;
  }
  if (!isdigit((unsigned char)*s))
    return -1;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return errno || (*end && *end != '\n') ? -1 : 0;
}

/* unified["cpu.max"] = "QUOTA [PERIOD]" */
static int unified_cpu_max(const char *v, struct sd_props *p, struct husk_err *e)
{
  char quota[32];
  uint64_t q, period = 0;
  if (sscanf(v, "%31s %" SCNu64, quota, &period) < 1 || parse_limit(quota, &q) < 0)
    return herr(e, EINVAL, L "unified[\"cpu.max\"] `%s`: expected `QUOTA [PERIOD]`", v);
  TRY(sd_props_add_u64(p, "CPUQuotaPerSecUSec",
                       q == SD_INFINITY ? SD_INFINITY : sd_cpu_quota_per_sec((int64_t)q, period)));
  if (period)
    TRY(sd_props_add_u64(p, "CPUQuotaPeriodUSec", period));
  return 0;
}

/* The unified keys systemd owns a property for (it rewrites those files on
 * daemon-reload, so the unit must carry the value too). */
static int unified_props(const struct oci_map *u, struct sd_props *p, struct husk_err *e)
{
  static const struct {
    const char *key, *prop;
  } limits[] = {{"memory.max", "MemoryMax"},          {"memory.high", "MemoryHigh"},
                {"memory.low", "MemoryLow"},          {"memory.min", "MemoryMin"},
                {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
                {"cpu.weight", "CPUWeight"},          {"io.weight", "IOWeight"}};
  for (size_t i = 0; i < u->n; i++) {
    const char *k = u->items[i].key, *v = u->items[i].value;
    if (strcmp(k, "cpu.max") == 0 && unified_cpu_max(v, p, e) < 0)
      return -1;
    if (strcmp(k, "cpuset.cpus") == 0 && add_bytes(p, "AllowedCPUs", v, L "unified", e) < 0)
      return -1;
    if (strcmp(k, "cpuset.mems") == 0 && add_bytes(p, "AllowedMemoryNodes", v, L "unified", e) < 0)
      return -1;
    for (size_t j = 0; j < sizeof limits / sizeof *limits; j++) {
      uint64_t n;
      if (strcmp(k, limits[j].key) != 0)
        continue;
      if (strcmp(k, "io.weight") == 0 && strncmp(v, "default ", 8) == 0)
        v += 8;
      if (parse_limit(v, &n) < 0)
        return herr(e, EINVAL, L "unified[\"%s\"] `%s`: expected a number or `max`", k, v);
      TRY(sd_props_add_u64(p, limits[j].prop, n));
    }
  }
  return 0;
}

int sd_props_from_resources(const struct oci_resources *r, bool v2, struct sd_props *p,
                            struct husk_err *e)
{
  if (r->has_memory && memory_props(&r->memory, v2, p, e) < 0)
    return -1;
  if (r->has_cpu && cpu_props(&r->cpu, v2, p, e) < 0)
    return -1;
  if (r->has_pids && r->pids_limit.set)
    TRY(sd_props_add_u64(p, "TasksMax",
                         r->pids_limit.value > 0 ? (uint64_t)r->pids_limit.value : SD_INFINITY));
  if (r->has_block_io && r->block_io.weight.set && r->block_io.weight.value)
    TRY(sd_props_add_u64(p, v2 ? "IOWeight" : "BlockIOWeight",
                         v2 ? cg_blkio_to_io_weight(r->block_io.weight.value)
                            : r->block_io.weight.value));
  if (v2 && unified_props(&r->unified, p, e) < 0)
    return -1;
  return 0;
}
