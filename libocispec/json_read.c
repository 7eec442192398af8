/* Typed reader: see json_read.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf */
#endif
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "oci_internal.h"

void jr_init(struct jr *r, const char *name)
{
  memset(r, 0, sizeof(*r));
  r->name = name ? name : "json";
}

void jr_fini(struct jr *r)
{
  free(r->path);
  r->path = NULL;
}

int jr_fail(struct jr *r, const char *fmt, ...)
{
  char *reason = NULL;
  va_list ap;

  if (r->err)
    return -1;
  va_start(ap, fmt);
  if (vasprintf(&reason, fmt, ap) < 0)
    reason = NULL;
  va_end(ap);
  const char *why = reason ? reason : "out of memory";
  int rc;
  if (r->len)
    rc = asprintf(&r->err, "%s: %s: %s", r->name, r->path, why);
  else
    rc = asprintf(&r->err, "%s: %s", r->name, why);
  if (rc < 0)
    r->err = NULL;
  free(reason);
  return -1;
}

static size_t jr_append(struct jr *r, const char *a, const char *b)
{
  size_t mark = r->len, la = strlen(a), lb = strlen(b);
  if (r->len + la + lb + 1 > r->cap) {
    size_t cap = (r->len + la + lb + 1) * 2;
    char *p = realloc(r->path, cap);
    if (!p)
      return mark; /* path gets shorter in messages; not fatal */
    r->path = p;
    r->cap = cap;
  }
  memcpy(r->path + r->len, a, la);
  memcpy(r->path + r->len + la, b, lb + 1);
  r->len += la + lb;
  return mark;
}

size_t jr_push_key(struct jr *r, const char *key)
{
  return jr_append(r, r->len ? "." : "", key);
}

size_t jr_push_index(struct jr *r, size_t i)
{
  char buf[32];
  snprintf(buf, sizeof(buf), "[%zu]", i);
  return jr_append(r, "", buf);
}

void jr_pop(struct jr *r, size_t mark)
{
  r->len = mark;
  if (r->path)
    r->path[mark] = '\0';
}

const struct oci_json *jr_get(const struct oci_json *obj, const char *key)
{
  const struct oci_json *v = oci_json_get(obj, key);
  return v && v->type != OCI_JSON_NULL ? v : NULL;
}

int jr_val_string(struct jr *r, const struct oci_json *v, char **out)
{
  if (v->type != OCI_JSON_STRING)
    return jr_fail(r, "expected a string");
  char *s = strdup(v->string);
  if (!s)
    return jr_fail(r, "out of memory");
  free(*out);
  *out = s;
  return 0;
}

/* Numbers carry their literal; long ones are cut short in messages. */
static bool is_int_literal(const struct oci_json *v)
{
  return v->type == OCI_JSON_NUMBER && v->string && !strpbrk(v->string, ".eE");
}

int jr_val_uint(struct jr *r, const struct oci_json *v, uint64_t max, uint64_t *out)
{
  if (!is_int_literal(v) || v->string[0] == '-') {
    if (is_int_literal(v) && v->is_integer && v->u64 == 0 && !v->is_negative)
      return *out = 0, 0; /* "-0" */
    return jr_fail(r, "expected a non-negative integer");
  }
  if (!v->is_integer || v->u64 > max)
    return jr_fail(r, "value %.40s out of range (maximum %" PRIu64 ")", v->string, max);
  *out = v->u64;
  return 0;
}

int jr_val_int(struct jr *r, const struct oci_json *v, int64_t min, int64_t max, int64_t *out)
{
  if (!is_int_literal(v))
    return jr_fail(r, "expected an integer");
  bool fits = v->is_integer && (v->is_negative || v->u64 <= INT64_MAX);
  if (!fits || v->i64 < min || v->i64 > max)
    return jr_fail(r, "value %.40s out of range (%" PRId64 " to %" PRId64 ")", v->string, min,
                   max);
  *out = v->i64;
  return 0;
}

/* Push key, run a value reader, pop: the common shape of field readers. */
#define WITH_KEY(r, key, expr)                                                                 \
  ({                                                                                           \
    size_t mark_ = jr_push_key(r, key);                                                        \
    int rc_ = (expr);                                                                          \
    jr_pop(r, mark_);                                                                          \
    rc_;                                                                                       \
  })

static const struct oci_json *field(struct jr *r, const struct oci_json *obj, const char *key,
                                    bool required, int *rc)
{
  const struct oci_json *v = jr_get(obj, key);
  *rc = 0;
  if (!v && required)
    *rc = WITH_KEY(r, key, jr_fail(r, "missing required field"));
  return v;
}

int jr_string(struct jr *r, const struct oci_json *obj, const char *key, char **out,
              bool required)
{
  int rc;
  const struct oci_json *v = field(r, obj, key, required, &rc);
  return v ? WITH_KEY(r, key, jr_val_string(r, v, out)) : rc;
}

static int check_enum(struct jr *r, const char *s, const char *const *allowed)
{
  char list[512] = "";
  for (const char *const *a = allowed; *a; a++) {
    if (strcmp(s, *a) == 0)
      return 0;
  }
  for (const char *const *a = allowed; *a; a++) {
    if (a != allowed)
      strncat(list, ", ", sizeof(list) - strlen(list) - 1);
    strncat(list, *a, sizeof(list) - strlen(list) - 1);
  }
  return jr_fail(r, "invalid value \"%.64s\" (expected one of: %s)", s, list);
}

int jr_enum(struct jr *r, const struct oci_json *obj, const char *key, char **out,
            const char *const *allowed, bool required)
{
  if (jr_string(r, obj, key, out, required) < 0)
    return -1;
  if (!jr_get(obj, key))
    return 0;
  return WITH_KEY(r, key, check_enum(r, *out, allowed));
}

int jr_bool(struct jr *r, const struct oci_json *obj, const char *key, bool *out)
{
  const struct oci_json *v = jr_get(obj, key);
  if (!v)
    return 0;
  if (v->type != OCI_JSON_BOOL)
    return WITH_KEY(r, key, jr_fail(r, "expected a boolean"));
  *out = v->boolean;
  return 0;
}

int jr_opt_bool(struct jr *r, const struct oci_json *obj, const char *key, oci_opt_bool *out)
{
  if (jr_bool(r, obj, key, &out->value) < 0)
    return -1;
  out->set = jr_get(obj, key) != NULL;
  return 0;
}

int jr_u64(struct jr *r, const struct oci_json *obj, const char *key, uint64_t *out,
           bool required)
{
  int rc;
  const struct oci_json *v = field(r, obj, key, required, &rc);
  return v ? WITH_KEY(r, key, jr_val_uint(r, v, UINT64_MAX, out)) : rc;
}

int jr_u32(struct jr *r, const struct oci_json *obj, const char *key, uint32_t *out,
           bool required)
{
  uint64_t u = *out;
  int rc;
  const struct oci_json *v = field(r, obj, key, required, &rc);
  if (!v)
    return rc;
  rc = WITH_KEY(r, key, jr_val_uint(r, v, UINT32_MAX, &u));
  *out = (uint32_t)u;
  return rc;
}

int jr_i64(struct jr *r, const struct oci_json *obj, const char *key, int64_t *out,
           bool required)
{
  int rc;
  const struct oci_json *v = field(r, obj, key, required, &rc);
  return v ? WITH_KEY(r, key, jr_val_int(r, v, INT64_MIN, INT64_MAX, out)) : rc;
}

int jr_i32(struct jr *r, const struct oci_json *obj, const char *key, int32_t *out)
{
  int64_t i = *out;
  const struct oci_json *v = jr_get(obj, key);
  if (!v)
    return 0;
  int rc = WITH_KEY(r, key, jr_val_int(r, v, INT32_MIN, INT32_MAX, &i));
  *out = (int32_t)i;
  return rc;
}

int jr_opt_uint(struct jr *r, const struct oci_json *obj, const char *key, uint64_t max,
                oci_opt_u64 *out)
{
  const struct oci_json *v = jr_get(obj, key);
  if (!v)
    return 0;
  out->set = true;
  return WITH_KEY(r, key, jr_val_uint(r, v, max, &out->value));
}

int jr_opt_i64(struct jr *r, const struct oci_json *obj, const char *key, oci_opt_i64 *out)
{
  const struct oci_json *v = jr_get(obj, key);
  if (!v)
    return 0;
  out->set = true;
  return WITH_KEY(r, key, jr_val_int(r, v, INT64_MIN, INT64_MAX, &out->value));
}

static int read_strv(struct jr *r, const struct oci_json *v, char ***out)
{
  if (v->type != OCI_JSON_ARRAY)
    return jr_fail(r, "expected an array of strings");
  oci_strv_free(*out);
  *out = calloc(v->n + 1, sizeof(char *));
  if (!*out)
    return jr_fail(r, "out of memory");
  for (size_t i = 0; i < v->n; i++) {
    size_t mark = jr_push_index(r, i);
    int rc = jr_val_string(r, v->values[i], &(*out)[i]);
    jr_pop(r, mark);
    if (rc < 0)
      return -1;
  }
  return 0;
}

int jr_strv(struct jr *r, const struct oci_json *obj, const char *key, char ***out)
{
  const struct oci_json *v = jr_get(obj, key);
  return v ? WITH_KEY(r, key, read_strv(r, v, out)) : 0;
}

static int read_map(struct jr *r, const struct oci_json *v, struct oci_map *out)
{
  if (v->type != OCI_JSON_OBJECT)
    return jr_fail(r, "expected an object");
  oci_map_clear(out);
  out->items = calloc(v->n ? v->n : 1, sizeof(*out->items));
  if (!out->items)
    return jr_fail(r, "out of memory");
  for (size_t i = 0; i < v->n; i++) {
    struct oci_kv *kv = &out->items[out->n++];
    kv->key = strdup(v->keys[i]);
    if (!kv->key)
      return jr_fail(r, "out of memory");
    int rc = WITH_KEY(r, v->keys[i], jr_val_string(r, v->values[i], &kv->value));
    if (rc < 0)
      return -1;
  }
  return 0;
}

int jr_map(struct jr *r, const struct oci_json *obj, const char *key, struct oci_map *out)
{
  const struct oci_json *v = jr_get(obj, key);
  return v ? WITH_KEY(r, key, read_map(r, v, out)) : 0;
}

int jr_object(struct jr *r, const struct oci_json *obj, const char *key,
              const struct oci_json **out)
{
  const struct oci_json *v = jr_get(obj, key);
  *out = NULL;
  if (v && v->type != OCI_JSON_OBJECT)
    return WITH_KEY(r, key, jr_fail(r, "expected an object"));
  *out = v;
  return 0;
}

static void *alloc_items(struct jr *r, size_t n, size_t elem_size, void *items, size_t *count)
{
  void *arr = calloc(n ? n : 1, elem_size);
  if (!arr) {
    jr_fail(r, "out of memory");
    return NULL;
  }
  memcpy(items, &arr, sizeof(arr));
  *count = n;
  return arr;
}

static int read_array_of(struct jr *r, const struct oci_json *v, size_t elem_size, void *items,
                         size_t *n, jr_item_fn fn)
{
  if (v->type != OCI_JSON_ARRAY)
    return jr_fail(r, "expected an array");
  char *arr = alloc_items(r, v->n, elem_size, items, n);
  if (!arr)
    return -1;
  for (size_t i = 0; i < v->n; i++) {
    size_t mark = jr_push_index(r, i);
    const struct oci_json *item = v->values[i];
    int rc = item->type == OCI_JSON_OBJECT ? fn(r, item, arr + i * elem_size)
                                           : jr_fail(r, "expected an object");
    jr_pop(r, mark);
    if (rc < 0)
      return -1;
  }
  return 0;
}

int jr_array_of(struct jr *r, const struct oci_json *obj, const char *key, size_t elem_size,
                void *items, size_t *n, jr_item_fn fn)
{
  const struct oci_json *v = jr_get(obj, key);
  return v ? WITH_KEY(r, key, read_array_of(r, v, elem_size, items, n, fn)) : 0;
}

static int read_object_of(struct jr *r, const struct oci_json *v, size_t elem_size, void *items,
                          size_t *n, jr_entry_fn fn)
{
  if (v->type != OCI_JSON_OBJECT)
    return jr_fail(r, "expected an object");
  char *arr = alloc_items(r, v->n, elem_size, items, n);
  if (!arr)
    return -1;
  for (size_t i = 0; i < v->n; i++) {
    size_t mark = jr_push_key(r, v->keys[i]);
    const struct oci_json *item = v->values[i];
    int rc = item->type == OCI_JSON_OBJECT ? fn(r, v->keys[i], item, arr + i * elem_size)
                                           : jr_fail(r, "expected an object");
    jr_pop(r, mark);
    if (rc < 0)
      return -1;
  }
  return 0;
}

int jr_object_of(struct jr *r, const struct oci_json *obj, const char *key, size_t elem_size,
                 void *items, size_t *n, jr_entry_fn fn)
{
  const struct oci_json *v = jr_get(obj, key);
  return v ? WITH_KEY(r, key, read_object_of(r, v, elem_size, items, n, fn)) : 0;
}

int jr_require(struct jr *r, const struct oci_json *obj, const char *key)
{
  return jr_get(obj, key) ? 0 : WITH_KEY(r, key, jr_fail(r, "missing required field"));
}
