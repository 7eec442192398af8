/* linux.resources.devices: checking, the effective ordered list with the
 * default devices, the v1 line format and the reference decision. */
#include "cgroups/device_rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The devices every container gets (runc's AllowedDevices): mknod of any
 * node, null, random, full, tty, zero, urandom, console, pts, ptmx, tun. */
static const struct cg_dev_rule default_allow[] = {
    {'c', CG_DEV_ANY, CG_DEV_ANY, CG_DEV_MKNOD, true},
    {'b', CG_DEV_ANY, CG_DEV_ANY, CG_DEV_MKNOD, true},
    {'c', 1, 3, CG_DEV_ALL, true},
    {'c', 1, 8, CG_DEV_ALL, true},
    {'c', 1, 7, CG_DEV_ALL, true},
    {'c', 5, 0, CG_DEV_ALL, true},
    {'c', 1, 5, CG_DEV_ALL, true},
    {'c', 1, 9, CG_DEV_ALL, true},
    {'c', 5, 1, CG_DEV_ALL, true},
    {'c', 136, CG_DEV_ANY, CG_DEV_ALL, true},
    {'c', 5, 2, CG_DEV_ALL, true},
    {'c', 10, 200, CG_DEV_ALL, true},
};
#define N_DEFAULT (sizeof default_allow / sizeof default_allow[0])

static int parse_num(const oci_opt_i64 *n, int64_t *out)
{
  if (!n->set || n->value == -1) {
    *out = CG_DEV_ANY;
    return 0;
  }
  if (n->value < 0 || n->value > INT32_MAX) /* an eBPF immediate is 32-bit signed */
    return -1;
  *out = n->value;
  return 0;
}

int cg_dev_rule_parse(const struct oci_device_rule *in, struct cg_dev_rule *out, const char **why)
{
  const char *type = in->type && *in->type ? in->type : "a";
  const char *access = in->access && *in->access ? in->access : "rwm";
  if (strcmp(type, "a") && strcmp(type, "c") && strcmp(type, "b")) {
    *why = "type must be a, c or b";
    return -1;
  }
  if (strspn(access, "rwm") != strlen(access) || strlen(access) > 3) {
    *why = "access must be a combination of r, w and m";
    return -1;
  }
  if (parse_num(&in->major, &out->major) < 0 || parse_num(&in->minor, &out->minor) < 0) {
    *why = "major/minor must be -1 (any) or 0..2147483647";
    return -1;
  }
  out->type = type[0];
  out->allow = in->allow;
  out->access = (strchr(access, 'm') ? CG_DEV_MKNOD : 0) | (strchr(access, 'r') ? CG_DEV_READ : 0) |
                (strchr(access, 'w') ? CG_DEV_WRITE : 0);
  return 0;
}

static void fmt_num(int64_t v, char *buf, size_t len)
{
  if (v == CG_DEV_ANY)
    snprintf(buf, len, "*");
  else
    snprintf(buf, len, "%" PRId64, v);
}

int cg_dev_rule_format(const struct cg_dev_rule *r, char *buf, size_t len)
{
  char ma[24], mi[24], acc[4];
  size_t k = 0;
  int n;
  if (r->access & CG_DEV_READ)
    acc[k++] = 'r';
  if (r->access & CG_DEV_WRITE)
    acc[k++] = 'w';
  if (r->access & CG_DEV_MKNOD)
    acc[k++] = 'm';
  acc[k] = '\0';
  fmt_num(r->major, ma, sizeof ma);
  fmt_num(r->minor, mi, sizeof mi);
  /* "a" with any major/minor and full access is the one-token form. */
  if (r->type == 'a' && r->major == CG_DEV_ANY && r->minor == CG_DEV_ANY && r->access == CG_DEV_ALL)
    n = snprintf(buf, len, "a");
  else
    n = snprintf(buf, len, "%c %s:%s %s", r->type, ma, mi, acc);
  return n < 0 || (size_t)n >= len ? -1 : 0;
}

static bool is_deny_all(const struct cg_dev_rule *r)
{
  return !r->allow && r->type == 'a' && r->major == CG_DEV_ANY && r->minor == CG_DEV_ANY &&
         r->access == CG_DEV_ALL;
}

int cg_dev_rules_effective(const struct oci_resources *r, struct cg_dev_rule **out, size_t *n,
                           struct husk_err *e)
{
  struct cg_dev_rule *spec = calloc(r->n_devices + 1, sizeof *spec), *list;
  size_t after = 0, k = 0;
  const char *why = NULL;
  if (!spec)
    return herr(e, ENOMEM, "linux.resources.devices");
  for (size_t i = 0; i < r->n_devices; i++) {
    if (cg_dev_rule_parse(&r->devices[i], &spec[i], &why) < 0) {
      free(spec);
      return herr(e, EINVAL, "linux.resources.devices[%zu]: %s", i, why);
    }
    if (is_deny_all(&spec[i]))
      after = i + 1;
  }
  list = calloc(1 + r->n_devices + N_DEFAULT, sizeof *list);
  if (!list) {
    free(spec);
    return herr(e, ENOMEM, "linux.resources.devices");
  }
  list[k++] = (struct cg_dev_rule){'a', CG_DEV_ANY, CG_DEV_ANY, CG_DEV_ALL, false};
  for (size_t i = 0; i <= r->n_devices; i++) {
    if (i == after)
      for (size_t d = 0; d < N_DEFAULT; d++)
        list[k++] = default_allow[d];
    if (i < r->n_devices)
      list[k++] = spec[i];
  }
  free(spec);
  *out = list;
  *n = k;
  return 0;
}

static bool matches(const struct cg_dev_rule *r, char type, uint32_t major, uint32_t minor)
{
  return (r->type == 'a' || r->type == type) && (r->major == CG_DEV_ANY || r->major == major) &&
         (r->minor == CG_DEV_ANY || r->minor == minor);
}

int cg_dev_rules_decide(const struct cg_dev_rule *rules, size_t n, char type, uint32_t major,
                        uint32_t minor, unsigned access)
{
  for (unsigned bit = 1; bit <= CG_DEV_WRITE; bit <<= 1) {
    bool allowed = false;
    if (!(access & bit))
      continue;
    for (size_t i = n; i-- > 0;)
      if (matches(&rules[i], type, major, minor) && (rules[i].access & bit)) {
        allowed = rules[i].allow;
        break;
      }
    if (!allowed)
      return 0;
  }
  return access != 0;
}
