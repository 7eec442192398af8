/* Generator: a thin wrapper over yajl_gen that latches the first error, so
 * callers can emit a whole document and check once in oci_json_gen_finish(). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "oci_internal.h"
#include "oci_json.h"

struct oci_json_gen {
  yajl_gen g;
  bool failed;
  bool pretty;
  size_t depth;
};

struct oci_json_gen *oci_json_gen_new_indent(const char *indent)
{
  struct oci_json_gen *g = calloc(1, sizeof(*g));
  if (!g)
    return NULL;
  g->g = yajl_gen_alloc(NULL);
  if (!g->g) {
    free(g);
    return NULL;
  }
  if (indent) {
    g->pretty = true;
    yajl_gen_config(g->g, yajl_gen_beautify, 1);
    yajl_gen_config(g->g, yajl_gen_indent_string, indent);
  }
  return g;
}

struct oci_json_gen *oci_json_gen_new(bool pretty)
{
  return oci_json_gen_new_indent(pretty ? "  " : NULL);
}

void oci_json_gen_free(struct oci_json_gen *g)
{
  if (!g)
    return;
  yajl_gen_free(g->g);
  free(g);
}

static void check(struct oci_json_gen *g, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok)
    g->failed = true;
}

void oci_json_map_open(struct oci_json_gen *g)
{
  if (g) {
    check(g, yajl_gen_map_open(g->g));
    g->depth++;
  }
}

void oci_json_map_close(struct oci_json_gen *g)
{
  if (g) {
    check(g, yajl_gen_map_close(g->g));
    g->depth--;
  }
}

void oci_json_array_open(struct oci_json_gen *g)
{
  if (g) {
    check(g, yajl_gen_array_open(g->g));
    g->depth++;
  }
}

void oci_json_array_close(struct oci_json_gen *g)
{
  if (g) {
    check(g, yajl_gen_array_close(g->g));
    g->depth--;
  }
}

/* Strings are emitted as valid UTF-8: invalid bytes become U+FFFD. */
static void gen_string(struct oci_json_gen *g, const char *s)
{
  size_t len = strlen(s);
  if (oci_utf8_valid_prefix(s, len) == len) {
    check(g, yajl_gen_string(g->g, (const unsigned char *)s, len));
    return;
  }
  size_t fixed_len;
  char *fixed = oci_utf8_sanitize(s, len, &fixed_len);
  if (!fixed) {
    g->failed = true;
    return;
  }
  check(g, yajl_gen_string(g->g, (const unsigned char *)fixed, fixed_len));
  free(fixed);
}

void oci_json_key(struct oci_json_gen *g, const char *key)
{
  if (g)
    gen_string(g, key);
}

void oci_json_string(struct oci_json_gen *g, const char *s)
{
  if (g && s)
    gen_string(g, s);
  else if (g)
    oci_json_null(g);
}

static void gen_number(struct oci_json_gen *g, const char *buf)
{
  check(g, yajl_gen_number(g->g, buf, strlen(buf)));
}

void oci_json_int(struct oci_json_gen *g, int64_t v)
{
  char buf[32];
  if (g) {
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    gen_number(g, buf);
  }
}

void oci_json_uint(struct oci_json_gen *g, uint64_t v)
{
  char buf[32];
  if (g) {
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    gen_number(g, buf);
  }
}

void oci_json_bool(struct oci_json_gen *g, bool v)
{
  if (g)
    check(g, yajl_gen_bool(g->g, v));
}

void oci_json_null(struct oci_json_gen *g)
{
  if (g)
    check(g, yajl_gen_null(g->g));
}

void oci_json_kv_string(struct oci_json_gen *g, const char *key, const char *s)
{
  oci_json_key(g, key);
  oci_json_string(g, s);
}

void oci_json_kv_int(struct oci_json_gen *g, const char *key, int64_t v)
{
  oci_json_key(g, key);
  oci_json_int(g, v);
}

void oci_json_kv_bool(struct oci_json_gen *g, const char *key, bool v)
{
  oci_json_key(g, key);
  oci_json_bool(g, v);
}

void oci_json_strv(struct oci_json_gen *g, const char *key, char *const *v)
{
  oci_json_key(g, key);
  if (!v) {
    oci_json_null(g);
    return;
  }
  oci_json_array_open(g);
  for (; *v; v++)
    oci_json_string(g, *v);
  oci_json_array_close(g);
}

/* yajl's beautifier prints empty containers as "[\n\n<indent>]"; fold them to
 * "[]" like Go's encoding/json. Safe because yajl escapes newlines inside
 * strings, so a raw "\n" only ever comes from the beautifier. */
static void fold_empty(char *s)
{
  char *o = s;
  for (const char *p = s; *p;) {
    if ((*p == '[' || *p == '{') && p[1] == '\n' && p[2] == '\n') {
      const char *q = p + 3;
      q += strspn(q, " \t");
      if (*q == (*p == '[' ? ']' : '}')) {
        *o++ = *p;
        *o++ = *q;
        p = q + 1;
        continue;
      }
    }
    *o++ = *p++;
  }
  *o = '\0';
}

char *oci_json_gen_finish(struct oci_json_gen *g)
{
  const unsigned char *buf;
  size_t len;

  if (!g || g->failed || g->depth != 0)
    return NULL;
  if (yajl_gen_get_buf(g->g, &buf, &len) != yajl_gen_status_ok || len == 0)
    return NULL;
  char *out = strndup((const char *)buf, len);
  if (!out)
    return NULL;
  if (g->pretty)
    fold_empty(out);
  len = strlen(out);
  while (len > 0 && out[len - 1] == '\n')
    out[--len] = '\0';
  return out;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_syntax(const char *s)
{
  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    while (*s >= '0' && *s <= '9')
      s++;
  else
    return false;
  if (*s == '.') {
    if (!(*++s >= '0' && *s <= '9'))
      return false;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  if (*s == 'e' || *s == 'E') {
    if (*++s == '+' || *s == '-')
      s++;
    if (!(*s >= '0' && *s <= '9'))
      return false;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  return *s == '\0';
}

static void gen_tree_number(struct oci_json_gen *g, const struct oci_json *v)
{
  /* The literal when it is JSON; YAML's (0x1f, 0o17, 1_000, +5, .inf) are
   * written from the value (a non-finite one makes the whole call fail). */
  if (v->string && json_number_syntax(v->string))
    gen_number(g, v->string);
  else if (v->is_integer && v->is_negative)
    oci_json_int(g, v->i64);
  else if (v->is_integer)
    oci_json_uint(g, v->u64);
  else
    check(g, yajl_gen_double(g->g, v->dbl));
}

/* Recursion is bounded: yajl_gen itself refuses to nest deeper than
 * YAJL_MAX_DEPTH, so we stop there too. */
static void gen_tree(struct oci_json_gen *g, const struct oci_json *v, size_t depth)
{
  if (!v || depth > YAJL_MAX_DEPTH) {
    g->failed = true;
    return;
  }
  switch (v->type) {
  case OCI_JSON_NULL: oci_json_null(g); break;
  case OCI_JSON_BOOL: oci_json_bool(g, v->boolean); break;
  case OCI_JSON_NUMBER: gen_tree_number(g, v); break;
  case OCI_JSON_STRING: oci_json_string(g, v->string); break;
  case OCI_JSON_ARRAY:
    oci_json_array_open(g);
    for (size_t i = 0; i < v->n && !g->failed; i++)
      gen_tree(g, v->values[i], depth + 1);
    oci_json_array_close(g);
    break;
  case OCI_JSON_OBJECT:
    oci_json_map_open(g);
    for (size_t i = 0; i < v->n && !g->failed; i++) {
      oci_json_key(g, v->keys[i]);
      gen_tree(g, v->values[i], depth + 1);
    }
    oci_json_map_close(g);
    break;
  }
}

char *oci_json_to_string(const struct oci_json *v, bool pretty)
{
  struct oci_json_gen *g = oci_json_gen_new(pretty);
  char *out;

  if (!g)
    return NULL;
  gen_tree(g, v, 1);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}
