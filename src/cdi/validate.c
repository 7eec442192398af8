/* The reference library's validation of a loaded spec, and the
 * minimum-version rule of specs-go/version.go: a file must declare at least
 * the cdiVersion that introduced every feature it uses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/names.h"
#include "cdi/spec.h"

static const char *const versions[] = {"0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0",
                                       "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0"};
enum { V010, V020, V030, V040, V050, V060, V070, V080, V100, V110 };

int cdi_version_index(const char *version)
{
  if (version && version[0] == 'v') /* the library tolerates a leading v */
    version++;
  for (size_t i = 0; version && i < sizeof versions / sizeof versions[0]; i++)
    if (strcmp(versions[i], version) == 0)
      return (int)i;
  return -1;
}

bool cdi_edits_empty(const struct cdi_edits *e)
{
  return (!e->env || !e->env[0]) && e->n_device_nodes == 0 && e->n_mounts == 0 && e->n_hooks == 0 &&
         !e->intel_rdt && e->n_additional_gids == 0 && e->n_net_devices == 0;
}

static int max_i(int a, int b)
{
  return a > b ? a : b;
}

/* Nothing requires more than 0.1.0 by itself (specs-go/version.go). */
static int edits_min(const struct cdi_edits *e)
{
  int v = V010;
  for (size_t i = 0; i < e->n_mounts; i++)
    if (e->mounts[i].type && *e->mounts[i].type)
      v = max_i(v, V040);
  for (size_t i = 0; i < e->n_device_nodes; i++)
    if (e->device_nodes[i].host_path && *e->device_nodes[i].host_path)
      v = max_i(v, V050);
  if (e->intel_rdt || e->n_additional_gids > 0)
    v = max_i(v, V070);
  if (e->intel_rdt &&
      ((e->intel_rdt->schemata && e->intel_rdt->schemata[0]) || e->intel_rdt->enable_monitoring))
    v = max_i(v, V110);
  if (e->n_net_devices > 0)
    v = max_i(v, V110);
  return v;
}

static int spec_min(const struct cdi_spec *s)
{
  const char *slash = s->kind ? strchr(s->kind, '/') : NULL;
  int v = edits_min(&s->edits);
  if (s->annotations.n > 0 || (slash && strchr(slash + 1, '.')))
    v = max_i(v, V060);
  for (size_t i = 0; i < s->n_devices; i++) {
    const struct cdi_device *d = &s->devices[i];
    v = max_i(v, edits_min(&d->edits));
    if (d->annotations.n > 0)
      v = max_i(v, V060);
    if (d->name && d->name[0] >= '0' && d->name[0] <= '9')
      v = max_i(v, V050);
  }
  return v;
}

const char *cdi_spec_min_version(const struct cdi_spec *spec)
{
  return versions[spec_min(spec)];
}

__attribute__((format(printf, 2, 3))) static int fail(char **err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(err, fmt, ap) < 0)
    *err = NULL;
  va_end(ap);
  return -1;
}

static int check_env(char *const *env, const char *where, char **err)
{
  for (size_t i = 0; env && env[i]; i++) {
    const char *eq = strchr(env[i], '=');
    if (!eq || eq == env[i])
      return fail(err, "%senv[%zu]: invalid environment variable `%s` (want NAME=VALUE)", where, i,
                  env[i]);
  }
  return 0;
}

static int check_node(const struct cdi_device_node *d, const char *w, size_t i, char **err)
{
  const char *t = d->type ? d->type : "", *p = d->permissions ? d->permissions : "";
  if (!d->path || !*d->path)
    return fail(err, "%sdeviceNodes[%zu].path: empty device path", w, i);
  if (strcmp(t, "") && strcmp(t, "b") && strcmp(t, "c") && strcmp(t, "u") && strcmp(t, "p"))
    return fail(err, "%sdeviceNodes[%zu].type: device `%s`: invalid type `%s` (b, c, u or p)", w, i,
                d->path, t);
  if (strcmp(p, "none") != 0 && strspn(p, "rwm") != strlen(p))
    return fail(err,
                "%sdeviceNodes[%zu].permissions: device `%s`: invalid permissions `%s` "
                "(any of r, w, m; or none)",
                w, i, d->path, p);
  return 0;
}

static const char *const hook_names[] = {"prestart",       "createRuntime", "createContainer",
                                         "startContainer", "poststart",     "poststop"};

static int check_hook(const struct cdi_hook *h, const char *w, size_t i, char **err)
{
  char where[160];
  bool known = false;
  for (size_t k = 0; k < sizeof hook_names / sizeof hook_names[0]; k++)
    known = known || (h->hook_name && strcmp(h->hook_name, hook_names[k]) == 0);
  if (!known)
    return fail(err, "%shooks[%zu].hookName: invalid hook name `%s`", w, i,
                h->hook_name ? h->hook_name : "");
  if (!h->path || !*h->path)
    return fail(err, "%shooks[%zu].path: hook `%s` with empty path", w, i, h->hook_name);
  if (h->timeout.set && h->timeout.value <= 0) /* SPEC.md: MUST be greater than zero */
    return fail(err, "%shooks[%zu].timeout: must be greater than zero, got %lld", w, i,
                (long long)h->timeout.value);
  snprintf(where, sizeof where, "%shooks[%zu].", w, i);
  return check_env(h->env, where, err);
}

static bool valid_ifname(const char *s)
{
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] == 0x7f)
      return false;
  return true;
}

static int check_net(const struct cdi_edits *e, const char *w, char **err)
{
  for (size_t i = 0; i < e->n_net_devices; i++) {
    const struct cdi_net_device *d = &e->net_devices[i];
    if (!valid_ifname(d->host_interface_name))
      return fail(err, "%snetDevices[%zu].hostInterfaceName: invalid interface name `%s`", w, i,
                  d->host_interface_name ? d->host_interface_name : "");
    if (!valid_ifname(d->name))
      return fail(err, "%snetDevices[%zu].name: invalid interface name `%s`", w, i,
                  d->name ? d->name : "");
    for (size_t j = 0; j < i; j++) {
      if (strcmp(e->net_devices[j].host_interface_name, d->host_interface_name) == 0)
        return fail(err, "%snetDevices[%zu]: duplicate host interface `%s`", w, i,
                    d->host_interface_name);
      if (strcmp(e->net_devices[j].name, d->name) == 0)
        return fail(err, "%snetDevices[%zu]: duplicate container interface `%s`", w, i, d->name);
    }
  }
  return 0;
}

static int check_rdt(const struct cdi_intel_rdt *r, const char *w, char **err)
{
  const char *id = r && r->clos_id ? r->clos_id : "";
  if (!r || !*id || strcmp(id, "/") == 0) /* "/" is the root CLOS */
    return 0;
  if (strlen(id) >= 4096 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strpbrk(id, "/\n"))
    return fail(err, "%sintelRdt.closID: invalid CLOS name `%s`", w, id);
  return 0;
}

static int check_edits(const struct cdi_edits *e, const char *w, char **err)
{
  if (check_env(e->env, w, err) < 0)
    return -1;
  for (size_t i = 0; i < e->n_device_nodes; i++)
    if (check_node(&e->device_nodes[i], w, i, err) < 0)
      return -1;
  for (size_t i = 0; i < e->n_hooks; i++)
    if (check_hook(&e->hooks[i], w, i, err) < 0)
      return -1;
  for (size_t i = 0; i < e->n_mounts; i++) {
    if (!e->mounts[i].host_path || !*e->mounts[i].host_path)
      return fail(err, "%smounts[%zu].hostPath: empty host path", w, i);
    if (!e->mounts[i].container_path || !*e->mounts[i].container_path)
      return fail(err, "%smounts[%zu].containerPath: empty container path", w, i);
  }
  return check_rdt(e->intel_rdt, w, err) < 0 ? -1 : check_net(e, w, err);
}

static int check_version(const struct cdi_spec *s, char **err)
{
  int have = cdi_version_index(s->version), need;
  if (!s->version)
    return fail(err, "cdiVersion: missing");
  if (have < 0)
    return fail(err, "cdiVersion: invalid version `%s` (known: 0.1.0 to 1.1.0)", s->version);
  need = spec_min(s);
  if (have < need)
    return fail(err, "cdiVersion: the spec version must be at least v%s (it is %s)", versions[need],
                s->version);
  return 0;
}

static int check_kind(struct cdi_spec *s, char **err)
{
  const char *why;
  if (!s->kind)
    return fail(err, "kind: missing");
  if (cdi_split_kind(s->kind, &s->vendor, &s->class_) < 0)
    return fail(err, "kind: invalid vendor/class `%s`", s->kind);
  if (cdi_validate_vendor(s->vendor, &why) < 0)
    return fail(err, "kind: `%s`: vendor `%s` %s", s->kind, s->vendor, why);
  if (cdi_validate_class(s->class_, &why) < 0)
    return fail(err, "kind: `%s`: class `%s` %s", s->kind, s->class_, why);
  return 0;
}

static int check_device(const struct cdi_spec *s, size_t i, char **err)
{
  const struct cdi_device *d = &s->devices[i];
  char where[64];
  const char *why;
  if (!d->name)
    return fail(err, "devices[%zu].name: missing", i);
  if (cdi_validate_device_name(d->name, &why) < 0)
    return fail(err, "devices[%zu].name: invalid device name `%s`: %s", i, d->name, why);
  for (size_t j = 0; j < i; j++)
    if (strcmp(s->devices[j].name, d->name) == 0)
      return fail(err, "devices[%zu].name: multiple devices named `%s`", i, d->name);
  if (cdi_edits_empty(&d->edits))
    return fail(err, "devices[%zu].containerEdits: device `%s` has no edits", i, d->name);
  snprintf(where, sizeof where, "devices[%zu].containerEdits.", i);
  return check_edits(&d->edits, where, err);
}

int cdi_spec_validate(struct cdi_spec *s, char **err)
{
  *err = NULL;
  if (check_version(s, err) < 0 || check_kind(s, err) < 0)
    return -1;
  if (check_edits(&s->edits, "containerEdits.", err) < 0)
    return -1;
  if (s->n_devices == 0)
    return fail(err, "devices: no devices (a spec needs at least one)");
  for (size_t i = 0; i < s->n_devices; i++)
    if (check_device(s, i, err) < 0)
      return -1;
  return 0;
}
