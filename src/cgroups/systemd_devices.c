/* linux.resources.devices as systemd unit properties (DevicePolicy=strict +
 * DeviceAllow=), for the v1 devices controller: without them systemd
 * re-applies a scope's devices cgroup as "allow everything" on every
 * daemon-reload. systemd only has an allow-list, so the ordered rule list
 * (device_rules.h) is turned into the set of device patterns that are
 * allowed as a whole; what cannot be expressed (an allow later narrowed by a
 * deny, "*:N" rules) is left out, so systemd is stricter than asked, never
 * looser, and *inexact says so. Pure; unit-tested. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/device_rules.h"
#include "cgroups/systemd_props.h"

struct pattern {
  char type; /* 'b' or 'c' */
  int64_t major, minor;
};

static bool covers(const struct cg_dev_rule *r, const struct pattern *s)
{
  return (r->type == 'a' || r->type == s->type) &&
         (r->major == CG_DEV_ANY || (s->major != CG_DEV_ANY && r->major == s->major)) &&
         (r->minor == CG_DEV_ANY || (s->minor != CG_DEV_ANY && r->minor == s->minor));
}

static bool intersects(const struct cg_dev_rule *r, const struct pattern *s)
{
  return (r->type == 'a' || r->type == s->type) &&
         (r->major == CG_DEV_ANY || s->major == CG_DEV_ANY || r->major == s->major) &&
         (r->minor == CG_DEV_ANY || s->minor == CG_DEV_ANY || r->minor == s->minor);
}

/* The access bits every device of s has: per bit, the last rule naming it
 * that covers s decides, unless a later deny hits part of s first. */
static unsigned uniform_access(const struct cg_dev_rule *rules, size_t n, const struct pattern *s,
                               bool *partial)
{
  unsigned out = 0;
  for (unsigned bit = 1; bit <= CG_DEV_WRITE; bit <<= 1)
    for (size_t i = n; i-- > 0;) {
      const struct cg_dev_rule *r = &rules[i];
      if (!(r->access & bit) || !intersects(r, s))
        continue;
      if (covers(r, s)) {
        out |= r->allow ? bit : 0;
        break;
      }
      if (!r->allow) { /* a deny of a part: s as a whole cannot have the bit */
        *partial = true;
        break;
      }
    }
  return out;
}

static int add_entry(struct sd_prop *x, const struct pattern *s, unsigned acc)
{
  char path[64], perms[4], **np;
  size_t k = 0;
  if (s->major == CG_DEV_ANY)
    snprintf(path, sizeof path, "%s-*", s->type == 'b' ? "block" : "char");
  else if (s->minor == CG_DEV_ANY) /* systemd >= 240: a numeric major */
    snprintf(path, sizeof path, "%s-%" PRId64, s->type == 'b' ? "block" : "char", s->major);
  else
    snprintf(path, sizeof path, "/dev/%s/%" PRId64 ":%" PRId64, s->type == 'b' ? "block" : "char",
             s->major, s->minor);
  if (acc & CG_DEV_READ)
    perms[k++] = 'r';
  if (acc & CG_DEV_WRITE)
    perms[k++] = 'w';
  if (acc & CG_DEV_MKNOD)
    perms[k++] = 'm';
  perms[k] = '\0';
  for (size_t i = 0; i + 1 < x->n_pairs * 2; i += 2) /* same path twice: merge */
    if (strcmp(x->pairs[i], path) == 0 && strcmp(x->pairs[i + 1], perms) == 0)
      return 0;
  np = realloc(x->pairs, sizeof *np * (x->n_pairs + 1) * 2);
  if (!np)
    return -1;
  x->pairs = np;
  np[x->n_pairs * 2] = strdup(path);
  np[x->n_pairs * 2 + 1] = strdup(perms);
  x->n_pairs++;
  return np[x->n_pairs * 2 - 2] && np[x->n_pairs * 2 - 1] ? 0 : -1;
}

/* Every allow rule's pattern (type a as both b and c) is a candidate. */
static int allow_list(const struct cg_dev_rule *rules, size_t n, struct sd_prop *x, bool *inexact)
{
  for (size_t i = 0; i < n; i++) {
    const struct cg_dev_rule *r = &rules[i];
    for (int t = 0; t < 2 && r->allow; t++) {
      struct pattern s = {t ? 'c' : 'b', r->major, r->minor};
      unsigned acc;
      if (r->type != 'a' && r->type != s.type)
        continue;
      if (s.major == CG_DEV_ANY && s.minor != CG_DEV_ANY) {
        *inexact = true; /* systemd has no "any major, minor N" */
        continue;
      }
      acc = uniform_access(rules, n, &s, inexact);
      if (acc && add_entry(x, &s, acc) < 0)
        return -1;
    }
  }
  return 0;
}

int sd_props_devices(const struct oci_resources *r, struct sd_props *p, bool *inexact,
                     struct husk_err *e)
{
  struct cg_dev_rule *rules = NULL;
  struct sd_prop *x;
  size_t n = 0;
  int rc = 0;
  *inexact = false;
  if (cg_dev_rules_effective(r, &rules, &n, e) < 0)
    return -1;
  if (sd_props_add_str(p, "DevicePolicy", "strict") < 0 || !sd_props_add_pairs(p, "DeviceAllow") ||
      !(x = sd_props_add_pairs(p, "DeviceAllow")))
    rc = herr(e, ENOMEM, "systemd DeviceAllow");
  else if (allow_list(rules, n, x, inexact) < 0)
    rc = herr(e, ENOMEM, "systemd DeviceAllow");
  free(rules);
  return rc;
}
