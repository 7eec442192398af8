/* Strict decoding of a CDI spec from a generic tree, the way the reference
 * library's strict unmarshalling behaves: an unknown key, a duplicated key
 * or a value of the wrong type is an error; keys match case-insensitively
 * (Go's encoding/json), the exact spelling first; null means absent. A key
 * given twice, even in different letter case, is refused. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cdi/spec.h"
#include "oci_json.h"

enum ftype {
  F_STR,
  F_STRV,
  F_I64,
  F_OPT_U32,
  F_OPT_I64,
  F_BOOL,
  F_MAP,
  F_U32V,
  F_OBJ,
  F_PTR,
  F_ARR
};

struct table;
struct field {
  const char *key;
  enum ftype t;
  size_t off, off_n, elem; /* F_ARR: items at off, count at off_n; F_PTR/F_ARR: element size */
  const struct table *sub;
};
struct table {
  const struct field *f;
  size_t n;
};
#define TABLE(a)                                                                                   \
  {                                                                                                \
    a, sizeof(a) / sizeof(a[0])                                                                    \
  }

struct dctx {
  bool yaml;
  char path[1024];
  char *err;
};

#define S(type, key, t, member)                                                                    \
  {                                                                                                \
    key, t, offsetof(type, member), 0, 0, NULL                                                     \
  }
#define A(type, key, member, n_member, etype, sub)                                                 \
  {                                                                                                \
    key, F_ARR, offsetof(type, member), offsetof(type, n_member), sizeof(etype), sub               \
  }

static const struct field node_f[] = {
    S(struct cdi_device_node, "path", F_STR, path),
    S(struct cdi_device_node, "hostPath", F_STR, host_path),
    S(struct cdi_device_node, "type", F_STR, type),
    S(struct cdi_device_node, "major", F_I64, major),
    S(struct cdi_device_node, "minor", F_I64, minor),
    S(struct cdi_device_node, "fileMode", F_OPT_U32, file_mode),
    S(struct cdi_device_node, "permissions", F_STR, permissions),
    S(struct cdi_device_node, "uid", F_OPT_U32, uid),
    S(struct cdi_device_node, "gid", F_OPT_U32, gid),
};
static const struct field mount_f[] = {
    S(struct cdi_mount, "hostPath", F_STR, host_path),
    S(struct cdi_mount, "containerPath", F_STR, container_path),
    S(struct cdi_mount, "options", F_STRV, options),
    S(struct cdi_mount, "type", F_STR, type),
};
static const struct field hook_f[] = {
    S(struct cdi_hook, "hookName", F_STR, hook_name),  S(struct cdi_hook, "path", F_STR, path),
    S(struct cdi_hook, "args", F_STRV, args),          S(struct cdi_hook, "env", F_STRV, env),
    S(struct cdi_hook, "timeout", F_OPT_I64, timeout),
};
/* 1.1.0 dropped enableCMT/enableMBM: a 1.1.0 parser refuses them as unknown. */
static const struct field rdt_f[] = {
    S(struct cdi_intel_rdt, "closID", F_STR, clos_id),
    S(struct cdi_intel_rdt, "l3CacheSchema", F_STR, l3_cache_schema),
    S(struct cdi_intel_rdt, "memBwSchema", F_STR, mem_bw_schema),
    S(struct cdi_intel_rdt, "schemata", F_STRV, schemata),
    S(struct cdi_intel_rdt, "enableMonitoring", F_BOOL, enable_monitoring),
};
static const struct field netdev_f[] = {
    S(struct cdi_net_device, "hostInterfaceName", F_STR, host_interface_name),
    S(struct cdi_net_device, "name", F_STR, name),
};
static const struct table node_t = TABLE(node_f), mount_t = TABLE(mount_f), hook_t = TABLE(hook_f),
                          rdt_t = TABLE(rdt_f), netdev_t = TABLE(netdev_f);

static const struct field edits_f[] = {
    S(struct cdi_edits, "env", F_STRV, env),
    A(struct cdi_edits, "deviceNodes", device_nodes, n_device_nodes, struct cdi_device_node,
      &node_t),
    A(struct cdi_edits, "mounts", mounts, n_mounts, struct cdi_mount, &mount_t),
    A(struct cdi_edits, "hooks", hooks, n_hooks, struct cdi_hook, &hook_t),
    {"intelRdt", F_PTR, offsetof(struct cdi_edits, intel_rdt), 0, sizeof(struct cdi_intel_rdt),
     &rdt_t},
    {"additionalGids", F_U32V, offsetof(struct cdi_edits, additional_gids),
     offsetof(struct cdi_edits, n_additional_gids), 0, NULL},
    A(struct cdi_edits, "netDevices", net_devices, n_net_devices, struct cdi_net_device, &netdev_t),
};
static const struct table edits_t = TABLE(edits_f);

static const struct field device_f[] = {
    S(struct cdi_device, "name", F_STR, name),
    S(struct cdi_device, "annotations", F_MAP, annotations),
    {"containerEdits", F_OBJ, offsetof(struct cdi_device, edits), 0, 0, &edits_t},
};
static const struct table device_t = TABLE(device_f);

static const struct field spec_f[] = {
    S(struct cdi_spec, "cdiVersion", F_STR, version),
    S(struct cdi_spec, "kind", F_STR, kind),
    S(struct cdi_spec, "annotations", F_MAP, annotations),
    A(struct cdi_spec, "devices", devices, n_devices, struct cdi_device, &device_t),
    {"containerEdits", F_OBJ, offsetof(struct cdi_spec, edits), 0, 0, &edits_t},
};
static const struct table spec_t = TABLE(spec_f);

__attribute__((format(printf, 2, 3))) static int fail(struct dctx *c, const char *fmt, ...)
{
  char *why = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&why, fmt, ap) < 0)
    why = NULL;
  va_end(ap);
  free(c->err);
  if (asprintf(&c->err, "%s: %s", c->path[0] ? c->path : "(top level)",
               why ? why : "out of memory") < 0)
    c->err = NULL;
  free(why);
  return -1;
}

static const char *type_name(const struct oci_json *v)
{
  static const char *const names[] = {"null",     "a boolean", "a number",
                                      "a string", "an array",  "an object"};
  return names[v->type];
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore. */
static size_t push_key(struct dctx *c, const char *key)
{
  size_t len = strlen(c->path);
  snprintf(c->path + len, sizeof c->path - len, "%s%s", len ? "." : "", key);
  return len;
}

static size_t push_index(struct dctx *c, size_t i)
{
  size_t len = strlen(c->path);
  snprintf(c->path + len, sizeof c->path - len, "[%zu]", i);
  return len;
}

/* A string, or (YAML) any plain scalar rendered the way sigs.k8s.io/yaml does. */
static int get_string(struct dctx *c, const struct oci_json *v, char **out)
{
  char buf[32];
  const char *s = NULL;
  if (v->type == OCI_JSON_STRING)
    s = v->string;
  else if (c->yaml && v->type == OCI_JSON_BOOL)
    s = v->boolean ? "true" : "false";
  else if (c->yaml && v->type == OCI_JSON_NUMBER && v->is_integer) {
    if (v->is_negative)
      snprintf(buf, sizeof buf, "%" PRId64, v->i64);
    else
      snprintf(buf, sizeof buf, "%" PRIu64, v->u64);
    s = buf;
  } else if (c->yaml && v->type == OCI_JSON_NUMBER)
    s = v->string;
  if (!s)
    return fail(c, "expected a string, got %s", type_name(v));
  if (!(*out = strdup(s)))
    return fail(c, "out of memory");
  return 0;
}

static int get_int(struct dctx *c, const struct oci_json *v, int64_t min, uint64_t max,
                   int64_t *out)
{
  if (v->type != OCI_JSON_NUMBER || !v->is_integer)
    return fail(c, "expected an integer, got %s%s", type_name(v),
                v->type == OCI_JSON_NUMBER ? " that is not an integer" : "");
  if (v->is_negative ? v->i64 < min : v->u64 > max)
    return fail(c, "integer `%s` out of range", v->string ? v->string : "?");
  *out = v->is_negative ? v->i64 : (int64_t)v->u64;
  return 0;
}

static int get_array(struct dctx *c, const struct oci_json *v)
{
  if (v->type != OCI_JSON_ARRAY)
    return fail(c, "expected an array, got %s", type_name(v));
  return 0;
}

static int dec_strv(struct dctx *c, const struct oci_json *v, char ***out)
{
  char **sv;
  if (get_array(c, v) < 0)
    return -1;
  if (!(sv = calloc(v->n + 1, sizeof(*sv))))
    return fail(c, "out of memory");
  *out = sv;
  for (size_t i = 0; i < v->n; i++) {
    size_t l = push_index(c, i);
    if (v->values[i]->type == OCI_JSON_NULL)
      sv[i] = strdup(""); /* Go: null in a []string is "" */
    else if (get_string(c, v->values[i], &sv[i]) < 0)
      return -1;
    c->path[l] = '\0';
  }
  return 0;
}

static int dec_map(struct dctx *c, const struct oci_json *v, struct oci_map *m)
{
  if (v->type != OCI_JSON_OBJECT)
    return fail(c, "expected an object, got %s", type_name(v));
  if (!(m->items = calloc(v->n ? v->n : 1, sizeof(*m->items))))
    return fail(c, "out of memory");
  for (size_t i = 0; i < v->n; i++) {
    size_t l = push_key(c, v->keys[i]);
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->keys[j], v->keys[i]) == 0)
        return fail(c, "duplicate key");
    struct oci_kv *kv = &m->items[m->n++];
    if (!(kv->key = strdup(v->keys[i])))
      return fail(c, "out of memory");
    if (get_string(c, v->values[i], &kv->value) < 0)
      return -1;
    c->path[l] = '\0';
  }
  return 0;
}

static int dec_u32v(struct dctx *c, const struct oci_json *v, uint32_t **out, size_t *n)
{
  if (get_array(c, v) < 0)
    return -1;
  if (!(*out = calloc(v->n ? v->n : 1, sizeof(**out))))
    return fail(c, "out of memory");
  for (size_t i = 0; i < v->n; i++) {
    size_t l = push_index(c, i);
    int64_t x;
    if (get_int(c, v->values[i], 0, UINT32_MAX, &x) < 0)
      return -1;
    (*out)[(*n)++] = (uint32_t)x;
    c->path[l] = '\0';
  }
  return 0;
}

static int dec_object(struct dctx *c, const struct oci_json *v, const struct table *t, void *base);

static const struct field *find_field(const struct table *t, const char *key)
{
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->f[i].key, key) == 0)
      return &t->f[i];
  for (size_t i = 0; i < t->n; i++)
    if (strcasecmp(t->f[i].key, key) == 0)
      return &t->f[i];
  return NULL;
}

static int dec_array_of(struct dctx *c, const struct oci_json *v, const struct field *f, char *base)
{
  void **items = (void **)(base + f->off);
  size_t *n = (size_t *)(base + f->off_n);
  if (get_array(c, v) < 0)
    return -1;
  if (!(*items = calloc(v->n ? v->n : 1, f->elem)))
    return fail(c, "out of memory");
  for (size_t i = 0; i < v->n; i++) {
    size_t l = push_index(c, i);
    *n = i + 1;
    if (v->values[i]->type == OCI_JSON_NULL)
      return fail(c, "expected an object, got null");
    if (dec_object(c, v->values[i], f->sub, (char *)*items + i * f->elem) < 0)
      return -1;
    c->path[l] = '\0';
  }
  return 0;
}

static int dec_field(struct dctx *c, const struct field *f, const struct oci_json *v, char *base)
{
  void *p = base + f->off;
  int64_t x;
  switch (f->t) {
  case F_STR:
    return get_string(c, v, (char **)p);
  case F_STRV:
    return dec_strv(c, v, (char ***)p);
  case F_I64:
    return get_int(c, v, INT64_MIN, INT64_MAX, (int64_t *)p);
  case F_OPT_U32:
    if (get_int(c, v, 0, UINT32_MAX, &x) < 0)
      return -1;
    *(oci_opt_u64 *)p = (oci_opt_u64){true, (uint64_t)x};
    return 0;
  case F_OPT_I64:
    if (get_int(c, v, INT64_MIN, INT64_MAX, &x) < 0)
      return -1;
    *(oci_opt_i64 *)p = (oci_opt_i64){true, x};
    return 0;
  case F_BOOL:
    if (v->type != OCI_JSON_BOOL)
      return fail(c, "expected a boolean, got %s", type_name(v));
    *(bool *)p = v->boolean;
    return 0;
  case F_MAP:
    return dec_map(c, v, (struct oci_map *)p);
  case F_U32V:
    return dec_u32v(c, v, (uint32_t **)p, (size_t *)(base + f->off_n));
  case F_OBJ:
    return dec_object(c, v, f->sub, p);
  case F_PTR:
    if (!(*(void **)p = calloc(1, f->elem)))
      return fail(c, "out of memory");
    return dec_object(c, v, f->sub, *(void **)p);
  case F_ARR:
    return dec_array_of(c, v, f, base);
  }
  return fail(c, "internal error: field type");
}

static int dec_object(struct dctx *c, const struct oci_json *v, const struct table *t, void *base)
{
  if (v->type != OCI_JSON_OBJECT)
    return fail(c, "expected an object, got %s", type_name(v));
  for (size_t i = 0; i < v->n; i++) {
    size_t l = push_key(c, v->keys[i]);
    const struct field *f = find_field(t, v->keys[i]);
    for (size_t j = 0; j < i; j++) /* Go would let the last of "path"/"Path" win: refuse */
      if (strcasecmp(v->keys[j], v->keys[i]) == 0)
        return fail(c, "%s",
                    strcmp(v->keys[j], v->keys[i]) ? "key given twice (letter case differs)"
                                                   : "duplicate key");
    if (!f)
      return fail(c, "unknown field");
    if (v->values[i]->type != OCI_JSON_NULL && dec_field(c, f, v->values[i], base) < 0)
      return -1;
    c->path[l] = '\0';
  }
  return 0;
}

int cdi_spec_decode(const struct oci_json *root, bool yaml, struct cdi_spec **out, char **err)
{
  struct dctx c = {.yaml = yaml};
  struct cdi_spec *s = calloc(1, sizeof(*s));
  *out = NULL;
  *err = NULL;
  if (!s)
    return -1;
  if (!root || root->type == OCI_JSON_NULL)
    fail(&c, "empty document");
  else
    dec_object(&c, root, &spec_t, s);
  if (c.err) {
    *err = c.err;
    cdi_spec_free(s);
    return -1;
  }
  *out = s;
  return 0;
}
