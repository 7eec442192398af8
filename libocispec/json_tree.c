/* Generic JSON tree built from yajl's callback parser. The builder keeps its
 * own stack of open containers, so nesting is bounded by OCI_JSON_MAX_DEPTH
 * and nothing here recurses on input-controlled depth. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "oci_internal.h"
#include "oci_json.h"

struct builder {
  struct oci_json *root;
  struct oci_json *stack[OCI_JSON_MAX_DEPTH]; /* open containers */
  size_t depth;
  char *key; /* pending object key */
  const char *reason; /* why we cancelled the parse, if we did */
};

/* Room for one more child; capacity is max(4, next power of two >= n). */
static int grow(struct oci_json *p)
{
  if (p->n != 0 && (p->n < 4 || (p->n & (p->n - 1)) != 0))
    return 0;
  size_t cap = p->n ? p->n * 2 : 4;
  struct oci_json **v = realloc(p->values, cap * sizeof(*v));
  if (!v)
    return -1;
  p->values = v;
  if (p->type == OCI_JSON_OBJECT) {
    char **k = realloc(p->keys, cap * sizeof(*k));
    if (!k)
      return -1;
    p->keys = k;
  }
  return 0;
}

static int add_value(struct builder *b, struct oci_json *v)
{
  if (b->depth == 0) {
    b->root = v;
    return 1;
  }
  struct oci_json *parent = b->stack[b->depth - 1];
  if (grow(parent) < 0) {
    oci_json_free(v);
    b->reason = "out of memory";
    return 0;
  }
  if (parent->type == OCI_JSON_OBJECT) {
    parent->keys[parent->n] = b->key;
    b->key = NULL;
  }
  parent->values[parent->n++] = v;
  return 1;
}

static struct oci_json *new_node(struct builder *b, enum oci_json_type t)
{
  struct oci_json *v = calloc(1, sizeof(*v));
  if (!v)
    b->reason = "out of memory";
  else
    v->type = t;
  return v;
}

static int add_leaf(struct builder *b, struct oci_json *v)
{
  return v ? add_value(b, v) : 0;
}

/* Strings become C strings, so refuse what a C string cannot hold. */
static char *copy_string(struct builder *b, const unsigned char *s, size_t len)
{
  if (memchr(s, '\0', len)) {
    b->reason = "string contains a NUL character";
    return NULL;
  }
  if (oci_utf8_valid_prefix((const char *)s, len) != len) {
    b->reason = "invalid UTF-8 in string";
    return NULL;
  }
  char *c = strndup((const char *)s, len);
  if (!c)
    b->reason = "out of memory";
  return c;
}

static int on_null(void *ctx)
{
  struct builder *b = ctx;
  return add_leaf(b, new_node(b, OCI_JSON_NULL));
}

static int on_bool(void *ctx, int val)
{
  struct builder *b = ctx;
  struct oci_json *v = new_node(b, OCI_JSON_BOOL);
  if (v)
    v->boolean = val;
  return add_leaf(b, v);
}

static void classify_number(struct oci_json *v)
{
  const char *s = v->string;
  char *end;

  v->dbl = strtod(s, NULL);
  if (strpbrk(s, ".eE"))
    return; /* a float literal is never an integer, even 1.0 */
  errno = 0;
  if (s[0] == '-') {
    long long i = strtoll(s, &end, 10);
    if (errno == ERANGE || *end)
      return;
    v->is_integer = true;
    v->is_negative = i < 0;
    v->i64 = i;
    v->u64 = i < 0 ? 0 : (uint64_t)i;
    return;
  }
  unsigned long long u = strtoull(s, &end, 10);
  if (errno == ERANGE || *end)
    return;
  v->is_integer = true;
  v->u64 = u;
  v->i64 = u <= INT64_MAX ? (int64_t)u : 0;
}

static int on_number(void *ctx, const char *s, size_t len)
{
  struct builder *b = ctx;
  struct oci_json *v = new_node(b, OCI_JSON_NUMBER);
  if (v && !(v->string = strndup(s, len))) {
    b->reason = "out of memory";
    free(v);
    v = NULL;
  }
  if (v)
    classify_number(v);
  return add_leaf(b, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  char *c = copy_string(b, s, len);
  if (!c)
    return 0;
  struct oci_json *v = new_node(b, OCI_JSON_STRING);
  if (!v) {
    free(c);
    return 0;
  }
  v->string = c;
  return add_leaf(b, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  free(b->key);
  b->key = copy_string(b, s, len);
  return b->key != NULL;
}

static int open_container(struct builder *b, enum oci_json_type t)
{
  if (b->depth >= OCI_JSON_MAX_DEPTH) {
    b->reason = "nesting too deep (more than 256 levels)";
    return 0;
  }
  struct oci_json *v = new_node(b, t);
  if (!v || !add_value(b, v))
    return 0;
  b->stack[b->depth++] = v;
  return 1;
}

static int on_start_map(void *ctx)
{
  return open_container(ctx, OCI_JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
  return open_container(ctx, OCI_JSON_ARRAY);
}

static int on_end(void *ctx)
{
  struct builder *b = ctx;
  b->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_bool,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

static char *fmt_error(const char *name, const char *data, size_t off, const char *reason)
{
  size_t line = 1, col = 1;
  char *msg;

  for (size_t i = 0; i < off; i++) {
    if (data[i] == '\n')
      line++, col = 1;
    else
      col++;
  }
  if (asprintf(&msg, "%s: line %zu, column %zu: %s", name, line, col, reason) < 0)
    return NULL;
  return msg;
}

/* yajl's own message, minus its trailing newline. */
static char *yajl_error_text(yajl_handle h, const char *data, size_t len)
{
  unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)data, len);
  char *copy = strdup(e ? (const char *)e : "parse error");
  if (e)
    yajl_free_error(h, e);
  if (copy)
    copy[strcspn(copy, "\n")] = '\0';
  return copy;
}

static bool all_space(const char *data, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r\n", data[i]))
      return false;
  return true;
}

static char *run_parser(yajl_handle h, struct builder *b, const char *data, size_t len,
                        const char *name)
{
  yajl_status st = yajl_parse(h, (const unsigned char *)data, len);
  /* yajl counts the offending byte as consumed; point at it. */
  size_t off = yajl_get_bytes_consumed(h);
  off = off ? off - 1 : 0;

  if (st == yajl_status_ok) {
    st = yajl_complete_parse(h);
    off = len;
  }
  if (st == yajl_status_ok)
    return NULL;
  if (st == yajl_status_client_canceled)
    return fmt_error(name, data, off, b->reason ? b->reason : "parse cancelled");
  char *reason = yajl_error_text(h, data, len);
  char *msg = fmt_error(name, data, off, reason ? reason : "parse error");
  free(reason);
  return msg;
}

struct oci_json *oci_json_parse(const char *data, size_t len, const char *name, char **errmsg)
{
  struct builder b = { 0 };
  yajl_handle h;

  *errmsg = NULL;
  if (!name)
    name = "json";
  if (!data || all_space(data, len)) {
    if (asprintf(errmsg, "%s: empty document", name) < 0)
      *errmsg = NULL;
    return NULL;
  }
  h = yajl_alloc(&callbacks, NULL, &b);
  if (!h)
    return NULL;
  *errmsg = run_parser(h, &b, data, len, name);
  yajl_free(h);
  free(b.key);
  if (*errmsg || !b.root) {
    oci_json_free(b.root);
    return NULL;
  }
  return b.root;
}

static void free_node(struct oci_json *v)
{
  for (size_t i = 0; v->keys && i < v->n; i++)
    free(v->keys[i]);
  free(v->keys);
  free(v->values);
  free(v->string);
  free(v);
}

/* Iterative: hand-built trees (YAML-sourced CDI specs) may be arbitrarily deep. */
void oci_json_free(struct oci_json *v)
{
  struct oci_json **stack = NULL;
  size_t n = 0, cap = 0;

  while (v) {
    for (size_t i = 0; i < v->n; i++) {
      struct oci_json *c = v->values[i];
      if (!c)
        continue;
      if (n == cap) {
        size_t ncap = cap ? cap * 2 : 16;
        struct oci_json **p = realloc(stack, ncap * sizeof(*p));
        if (!p) {
          oci_json_free(c); /* out of memory: fall back to recursion */
          continue;
        }
        stack = p;
        cap = ncap;
      }
      stack[n++] = c;
    }
    free_node(v);
    v = n ? stack[--n] : NULL;
  }
  free(stack);
}

/* The last duplicate wins, as with Go's encoding/json (what runc uses). */
const struct oci_json *oci_json_get(const struct oci_json *obj, const char *key)
{
  if (!obj || obj->type != OCI_JSON_OBJECT)
    return NULL;
  for (size_t i = obj->n; i-- > 0;)
    if (strcmp(obj->keys[i], key) == 0)
      return obj->values[i];
  return NULL;
}
