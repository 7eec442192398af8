/* Resolve the requests against the registry (all or nothing) and apply the
 * combined edits to the in-memory spec. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi.h"
#include "cdi/edits.h"
#include "cdi/names.h"
#include "cdi/registry.h"
#include "cdi/strv.h"
#include "util/log.h"

struct buf {
  char *s;
  size_t len;
};

__attribute__((format(printf, 2, 3))) static void bprintf(struct buf *b, const char *fmt, ...)
{
  char *add = NULL, *grown;
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vasprintf(&add, fmt, ap);
  va_end(ap);
  if (n < 0 || !(grown = realloc(b->s, b->len + (size_t)n + 1))) {
    free(add);
    return;
  }
  memcpy(grown + b->len, add, (size_t)n + 1);
  b->s = grown;
  b->len += (size_t)n;
  free(add);
}

static char *kind_of(const char *name)
{
  const char *eq = strchr(name, '=');
  return eq ? strndup(name, (size_t)(eq - name)) : strdup(name);
}

/* "unresolvable CDI devices a, b; kind x has: 0, 1; no spec defines kind y" */
static int unresolvable(const struct cdi_registry *r, char *const *missing, struct husk_err *e)
{
  struct buf b = {0};
  char **kinds = NULL;
  bprintf(&b, "unresolvable CDI devices ");
  for (size_t i = 0; missing[i]; i++) {
    char *k = kind_of(missing[i]);
    bprintf(&b, "%s%s", i ? ", " : "", missing[i]);
    if (k && !cdi_strv_contains(kinds, k))
      cdi_strv_push(&kinds, k);
    free(k);
  }
  for (size_t i = 0; kinds && kinds[i]; i++) {
    char *have = cdi_registry_kind_devices(r, kinds[i]);
    if (have && *have)
      bprintf(&b, "; devices of kind %s: %s", kinds[i], have);
    else if (cdi_registry_has_kind(r, kinds[i]))
      bprintf(&b, "; kind %s has no usable device", kinds[i]);
    else
      bprintf(&b, "; no spec defines kind %s", kinds[i]);
    free(have);
  }
  bprintf(&b, " (spec directories:");
  for (size_t i = 0; r->dirs[i]; i++)
    bprintf(&b, " %s", r->dirs[i]);
  bprintf(&b, ")");
  if (r->n_errors)
    bprintf(&b, "; %zu spec file error%s, see `husk cdi list`", r->n_errors,
            r->n_errors == 1 ? "" : "s");
  cdi_strv_free(kinds);
  return herr_take(e, ENOENT, b.s);
}

/* Env requests for a kind nobody installed are dropped, and so is `none`
 * unless a spec defines it (see cdi.h). */
static void drop_unknown_env(const struct cdi_registry *r, char **names, const bool *from_env)
{
  size_t w = 0;
  for (size_t i = 0; names[i]; i++) {
    char *k = kind_of(names[i]);
    if (from_env[i] && k && !cdi_registry_has_kind(r, k)) {
      husk_warn("cdi: ignoring %s=%s: no CDI spec defines kind %s", CDI_NVIDIA_ENV, names[i], k);
      free(names[i]);
    } else if (from_env[i] && strcmp(names[i], CDI_NVIDIA_KIND "=none") == 0 &&
               !cdi_registry_find(r, names[i])) {
      husk_debug("cdi: %s=none and no spec defines %s: nothing to inject", CDI_NVIDIA_ENV,
                 names[i]);
      free(names[i]);
    } else {
      names[w++] = names[i];
    }
    free(k);
  }
  names[w] = NULL;
}

/* NVIDIA's runtime, in cdi mode, removes its legacy prestart hook. */
static void drop_nvidia_legacy_hook(struct oci_spec *spec)
{
  struct oci_hook_list *l = &spec->hooks[OCI_HOOK_PRESTART];
  size_t w = 0;
  for (size_t i = 0; i < l->n; i++) {
    const char *base = strrchr(l->items[i].path, '/');
    base = base ? base + 1 : l->items[i].path;
    if (strcmp(base, "nvidia-container-runtime-hook") == 0 ||
        strcmp(base, "nvidia-container-toolkit") == 0) {
      free(l->items[i].path);
      cdi_strv_free(l->items[i].args);
      cdi_strv_free(l->items[i].env);
      continue;
    }
    l->items[w++] = l->items[i];
  }
  l->n = w;
}

/* Each spec's top-level edits once, just before its first device's own. */
static int combine(const struct cdi_registry *r, char *const *names, const struct cdi_edits ***list,
                   size_t *n, struct husk_err *e)
{
  size_t cap = 2 * cdi_strv_len(names);
  const struct cdi_spec **seen = calloc(cap + 1, sizeof(*seen));
  size_t n_seen = 0;
  *list = calloc(cap + 1, sizeof(**list));
  *n = 0;
  if (!seen || !*list) {
    free(seen);
    free(*list);
    return herr(e, ENOMEM, "cdi: combine edits");
  }
  for (size_t i = 0; names[i]; i++) {
    const struct cdi_entry *d = cdi_registry_find(r, names[i]);
    bool first = true;
    for (size_t j = 0; j < n_seen; j++)
      first = first && seen[j] != d->spec;
    if (first) {
      seen[n_seen++] = d->spec;
      (*list)[(*n)++] = &d->spec->edits;
    }
    (*list)[(*n)++] = &d->device->edits;
  }
  free(seen);
  return 0;
}

static int resolve_and_apply(struct oci_spec *spec, const struct cdi_registry *r,
                             char *const *names, struct husk_err *e)
{
  char **missing = NULL;
  const struct cdi_edits **list = NULL;
  size_t n = 0;
  bool nvidia = false;
  int rc;
  for (size_t i = 0; names[i]; i++) {
    if (!cdi_registry_find(r, names[i]) && cdi_strv_push(&missing, names[i]) < 0)
      return herr(e, ENOMEM, "cdi: resolve");
    nvidia = nvidia || strncmp(names[i], "nvidia.com/", 11) == 0;
  }
  if (missing) {
    rc = unresolvable(r, missing, e);
    cdi_strv_free(missing);
    return rc;
  }
  if (combine(r, names, &list, &n, e) < 0)
    return -1;
  rc = cdi_apply_edits(spec, list, n, e);
  free(list);
  if (rc < 0)
    return herr_wrap(e, "cdi: inject %s%s", names[0], names[1] ? ", ..." : "");
  if (nvidia)
    drop_nvidia_legacy_hook(spec);
  return 0;
}

int cdi_inject(struct oci_spec *spec, const struct cdi_opts *o, struct husk_err *e)
{
  struct cdi_registry reg;
  char **names;
  bool *from_env;
  int r;
  if (cdi_requests(spec, o, &names, &from_env, e) < 0)
    return -1;
  if (!names[0]) {
    cdi_strv_free(names);
    free(from_env);
    return 0;
  }
  if (cdi_registry_load(&reg, o ? o->spec_dirs : NULL, e) < 0) {
    cdi_strv_free(names);
    free(from_env);
    return -1;
  }
  drop_unknown_env(&reg, names, from_env);
  r = names[0] ? resolve_and_apply(spec, &reg, names, e) : 0;
  if (r == 0 && names[0]) {
    r = 1;
    for (size_t i = 0; names[i]; i++)
      husk_debug("cdi: injected %s", names[i]);
  }
  cdi_registry_free(&reg);
  cdi_strv_free(names);
  free(from_env);
  return r;
}
