#include "cdi/edits.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/strv.h"

#define OOM(e) herr(e, ENOMEM, "cdi: apply edits")

/* ---- env: replace the last entry with the same key, else append ---- */
static int apply_env(struct oci_process *p, const char *kv, struct husk_err *e)
{
  size_t klen = strcspn(kv, "="), n = cdi_strv_len(p->env);
  char *copy;
  for (size_t i = n; i-- > 0;) {
    if (strncmp(p->env[i], kv, klen) == 0 && (p->env[i][klen] == '=' || !p->env[i][klen])) {
      if (!(copy = strdup(kv)))
        return OOM(e);
      free(p->env[i]);
      p->env[i] = copy;
      return 0;
    }
  }
  return cdi_strv_push(&p->env, kv) < 0 ? OOM(e) : 0;
}

/* ---- netDevices: a map keyed by the host interface ---- */
static int apply_net(struct oci_linux *l, const struct cdi_net_device *nd, struct husk_err *e)
{
  struct oci_net_device *n;
  char *name = strdup(nd->name);
  if (!name)
    return OOM(e);
  for (size_t i = 0; i < l->n_net_devices; i++) {
    if (strcmp(l->net_devices[i].host_name, nd->host_interface_name) == 0) {
      free(l->net_devices[i].name);
      l->net_devices[i].name = name;
      return 0;
    }
  }
  if (!(n = realloc(l->net_devices, (l->n_net_devices + 1) * sizeof(*n)))) {
    free(name);
    return OOM(e);
  }
  l->net_devices = n;
  n[l->n_net_devices] = (struct oci_net_device){strdup(nd->host_interface_name), name};
  if (!n[l->n_net_devices].host_name) {
    free(name);
    return OOM(e);
  }
  l->n_net_devices++;
  return 0;
}

/* ---- mounts ---- */
static void mount_free(struct oci_mount *m)
{
  free(m->destination);
  free(m->source);
  free(m->type);
  cdi_strv_free(m->options);
  free(m->uid_mappings.items);
  free(m->gid_mappings.items);
}

static int apply_mount(struct oci_spec *spec, const struct cdi_mount *cm, struct husk_err *e)
{
  struct oci_mount m = {0}, *n;
  int ok;
  for (size_t i = 0; i < spec->n_mounts; i++) {
    if (strcmp(spec->mounts[i].destination, cm->container_path) == 0) { /* the first only */
      mount_free(&spec->mounts[i]);
      memmove(&spec->mounts[i], &spec->mounts[i + 1], (spec->n_mounts - i - 1) * sizeof(m));
      spec->n_mounts--;
      break;
    }
  }
  m.destination = strdup(cm->container_path);
  m.source = strdup(cm->host_path);
  m.type = cm->type && *cm->type ? strdup(cm->type) : NULL;
  m.options = cdi_strv_dup(cm->options, &ok);
  n = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*n));
  if (!m.destination || !m.source || (cm->type && *cm->type && !m.type) || !ok || !n) {
    if (n)
      spec->mounts = n;
    mount_free(&m);
    return OOM(e);
  }
  spec->mounts = n;
  n[spec->n_mounts++] = m;
  return 0;
}

/* Go's filepath.Clean: one '/' between elements, no '.', '..' resolved
 * lexically (dropped at the root), no trailing '/', "" → ".". */
char *cdi_path_clean(const char *path)
{
  size_t len = strlen(path);
  char *out = malloc(len + 2), *w = out;
  bool rooted = path[0] == '/';
  size_t depth = 0; /* elements in out that are not ".." */
  if (!out)
    return NULL;
  if (rooted)
    *w++ = '/';
  for (const char *p = path; *p;) {
    const char *s = p;
    size_t n;
    while (*p && *p != '/')
      p++;
    n = (size_t)(p - s);
    while (*p == '/')
      p++;
    if (n == 0 || (n == 1 && s[0] == '.'))
      continue;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
      if (depth > 0) { /* drop the last element */
        while (w > out + rooted && w[-1] != '/')
          w--;
        if (w > out + rooted)
          w--;
        depth--;
        continue;
      }
      if (rooted)
        continue;
    }
    if (w > out + rooted)
      *w++ = '/';
    memcpy(w, s, n);
    w += n;
    if (!(n == 2 && s[0] == '.' && s[1] == '.'))
      depth++;
  }
  if (w == out)
    *w++ = '.';
  *w = '\0';
  return out;
}

static size_t mount_depth(const struct oci_mount *m)
{
  char *c = cdi_path_clean(m->destination ? m->destination : "");
  size_t n = 0;
  for (const char *p = c; p && *p; p++)
    n += *p == '/';
  free(c);
  return n;
}

int cdi_sort_mounts(struct oci_spec *spec)
{
  size_t n = spec->n_mounts, *depth = calloc(n ? n : 1, sizeof(*depth));
  if (!depth)
    return -1;
  for (size_t i = 0; i < n; i++)
    depth[i] = mount_depth(&spec->mounts[i]);
  for (size_t i = 1; i < n; i++) { /* insertion sort: stable, and mount lists are short */
    struct oci_mount m = spec->mounts[i];
    size_t d = depth[i], j = i;
    for (; j > 0 && depth[j - 1] > d; j--) {
      spec->mounts[j] = spec->mounts[j - 1];
      depth[j] = depth[j - 1];
    }
    spec->mounts[j] = m;
    depth[j] = d;
  }
  free(depth);
  return 0;
}

/* ---- hooks ---- */
static const char *const phase_names[OCI_HOOK_PHASES] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};

static bool strv_equal(char *const *a, char *const *b)
{
  size_t n = cdi_strv_len(a);
  if ((a == NULL) != (b == NULL) || n != cdi_strv_len(b))
    return false;
  for (size_t i = 0; i < n; i++)
    if (strcmp(a[i], b[i]) != 0)
      return false;
  return true;
}

static bool same_hook(const struct oci_hook *h, const struct cdi_hook *c)
{
  return strcmp(h->path, c->path) == 0 && strv_equal(h->args, c->args) &&
         strv_equal(h->env, c->env) && h->timeout.set == c->timeout.set &&
         h->timeout.value == c->timeout.value;
}

/* A hook identical to one the engine already put in config.json is not
 * added again: an engine that applied CDI itself (and left the annotations)
 * would otherwise get every hook twice. */
static int apply_hook(struct oci_spec *spec, const struct cdi_hook *c, const size_t *before,
                      struct husk_err *e)
{
  struct oci_hook_list *l = NULL;
  struct oci_hook h = {0}, *n;
  int ok1, ok2;
  size_t phase;
  for (phase = 0; phase < OCI_HOOK_PHASES; phase++)
    if (strcmp(phase_names[phase], c->hook_name) == 0)
      break;
  if (phase == OCI_HOOK_PHASES)
    return herr(e, EINVAL, "cdi: unknown hook name `%s`", c->hook_name);
  l = &spec->hooks[phase];
  for (size_t i = 0; i < before[phase]; i++)
    if (same_hook(&l->items[i], c))
      return 0;
  h.path = strdup(c->path);
  h.args = cdi_strv_dup(c->args, &ok1);
  h.env = cdi_strv_dup(c->env, &ok2);
  h.timeout = c->timeout;
  n = realloc(l->items, (l->n + 1) * sizeof(*n));
  if (n)
    l->items = n;
  if (!h.path || !ok1 || !ok2 || !n) {
    free(h.path);
    cdi_strv_free(h.args);
    cdi_strv_free(h.env);
    return OOM(e);
  }
  l->items[l->n++] = h;
  return 0;
}

/* ---- intelRdt, additionalGids ---- */
static int apply_rdt(struct oci_linux *l, const struct cdi_intel_rdt *r, struct husk_err *e)
{
  struct oci_intel_rdt *t = &l->intel_rdt;
  int ok;
  free(t->clos_id);
  free(t->l3_cache_schema);
  free(t->mem_bw_schema);
  cdi_strv_free(t->schemata);
  *t = (struct oci_intel_rdt){.set = true, .enable_monitoring = r->enable_monitoring};
  t->clos_id = r->clos_id ? strdup(r->clos_id) : NULL;
  t->l3_cache_schema = r->l3_cache_schema ? strdup(r->l3_cache_schema) : NULL;
  t->mem_bw_schema = r->mem_bw_schema ? strdup(r->mem_bw_schema) : NULL;
  t->schemata = cdi_strv_dup(r->schemata, &ok);
  if ((r->clos_id && !t->clos_id) || (r->l3_cache_schema && !t->l3_cache_schema) ||
      (r->mem_bw_schema && !t->mem_bw_schema) || !ok)
    return OOM(e);
  return 0;
}

static int apply_gid(struct oci_user *u, uint32_t gid, struct husk_err *e)
{
  uint32_t *n;
  if (gid == 0)
    return 0;
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (u->additional_gids[i] == gid)
      return 0;
  if (!(n = realloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(*n))))
    return OOM(e);
  u->additional_gids = n;
  n[u->n_additional_gids++] = gid;
  return 0;
}

int cdi_apply_edits(struct oci_spec *spec, const struct cdi_edits *const *list, size_t n,
                    struct husk_err *e)
{
  size_t before[OCI_HOOK_PHASES];
  bool mounts = false;
  for (size_t p = 0; p < OCI_HOOK_PHASES; p++)
    before[p] = spec->hooks[p].n;
  spec->has_process = true;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; list[i]->env && list[i]->env[j]; j++)
      if (apply_env(&spec->process, list[i]->env[j], e) < 0)
        return -1;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < list[i]->n_device_nodes; j++)
      if (cdi_apply_node(spec, &list[i]->device_nodes[j], e) < 0)
        return -1;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < list[i]->n_net_devices; j++) {
      spec->has_linux = true;
      if (apply_net(&spec->linux_, &list[i]->net_devices[j], e) < 0)
        return -1;
    }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < list[i]->n_mounts; j++, mounts = true)
      if (apply_mount(spec, &list[i]->mounts[j], e) < 0)
        return -1;
  if (mounts && cdi_sort_mounts(spec) < 0)
    return OOM(e);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < list[i]->n_hooks; j++)
      if (apply_hook(spec, &list[i]->hooks[j], before, e) < 0)
        return -1;
  for (size_t i = 0; i < n; i++) /* the last one wins */
    if (list[i]->intel_rdt && (spec->has_linux = true) &&
        apply_rdt(&spec->linux_, list[i]->intel_rdt, e) < 0)
      return -1;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < list[i]->n_additional_gids; j++)
      if (apply_gid(&spec->process.user, list[i]->additional_gids[j], e) < 0)
        return -1;
  return 0;
}
