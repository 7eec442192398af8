/* YAML → the generic tree of oci_json.h, with libyaml's event parser, so a
 * YAML spec goes through the same strict decoder as a JSON one. Scalars are
 * typed as go-yaml v2 does (yaml_scalar.c), which is what the reference
 * library uses. Only the first document counts. Aliases are copied within a
 * node budget (no "billion laughs"); the depth is bounded. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/spec.h"
#include "cdi/yaml_scalar.h"
#include "oci_json.h"

#ifndef HAVE_YAML
struct oci_json *cdi_yaml_parse(const char *data, size_t len, char **err)
{
  (void)data;
  (void)len;
  *err = strdup("YAML support is not built in (configure --with-yaml, libyaml)");
  return NULL;
}
#else
#include <yaml.h>

#define MAX_NODES (1u << 18)

struct open_node {
  struct oci_json *node;
  size_t cap;
  char *key;    /* mapping: the key waiting for its value */
  char *anchor; /* registered when the node closes */
};
struct anchor {
  char *name;
  const struct oci_json *node;
};
struct ybuild {
  struct oci_json *root;
  struct open_node stack[OCI_JSON_MAX_DEPTH];
  size_t depth;
  struct anchor *anchors;
  size_t n_anchors;
  size_t nodes;
  char *err;
  size_t line, col;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ybuild *b, const char *fmt, ...)
{
  char *why = NULL;
  va_list ap;
  if (b->err)
    return -1;
  va_start(ap, fmt);
  if (vasprintf(&why, fmt, ap) < 0)
    why = NULL;
  va_end(ap);
  if (asprintf(&b->err, "yaml: line %zu, column %zu: %s", b->line, b->col,
               why ? why : "out of memory") < 0)
    b->err = NULL;
  free(why);
  return -1;
}

static struct oci_json *new_node(struct ybuild *b, enum oci_json_type t)
{
  struct oci_json *v;
  if (++b->nodes > MAX_NODES) {
    fail(b, "document too large (more than %u nodes, aliases included)", MAX_NODES);
    return NULL;
  }
  if (!(v = calloc(1, sizeof(*v))))
    fail(b, "out of memory");
  else
    v->type = t;
  return v;
}

static int remember_anchor(struct ybuild *b, char *name, const struct oci_json *node)
{
  struct anchor *a;
  if (!name)
    return 0;
  if (!(a = realloc(b->anchors, (b->n_anchors + 1) * sizeof(*a)))) {
    free(name);
    return fail(b, "out of memory");
  }
  b->anchors = a;
  a[b->n_anchors++] = (struct anchor){name, node};
  return 0;
}

static int append_child(struct ybuild *b, struct open_node *p, struct oci_json *v, char *key)
{
  struct oci_json *o = p->node;
  if (o->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 8;
    struct oci_json **nv = realloc(o->values, cap * sizeof(*nv));
    char **nk = o->type == OCI_JSON_OBJECT ? realloc(o->keys, cap * sizeof(*nk)) : NULL;
    if (nv)
      o->values = nv;
    if (nk)
      o->keys = nk;
    if (!nv || (o->type == OCI_JSON_OBJECT && !nk))
      return fail(b, "out of memory");
    p->cap = cap;
  }
  if (o->type == OCI_JSON_OBJECT)
    o->keys[o->n] = key;
  o->values[o->n++] = v;
  return 0;
}

/* Attaches a finished node to its parent (or makes it the root). */
static int attach(struct ybuild *b, struct oci_json *v)
{
  struct open_node *p;
  if (b->depth == 0) {
    b->root = v;
    return 0;
  }
  p = &b->stack[b->depth - 1];
  if (p->node->type == OCI_JSON_ARRAY)
    return append_child(b, p, v, NULL) < 0 ? (oci_json_free(v), -1) : 0;
  if (!p->key) {
    oci_json_free(v);
    return fail(b, "a mapping key must be a scalar");
  }
  if (append_child(b, p, v, p->key) < 0) {
    oci_json_free(v);
    return -1;
  }
  p->key = NULL;
  return 0;
}

static struct oci_json *copy_tree(struct ybuild *b, const struct oci_json *src, int depth)
{
  struct oci_json *v;
  if (depth > OCI_JSON_MAX_DEPTH) {
    fail(b, "alias nested too deeply");
    return NULL;
  }
  if (!(v = new_node(b, src->type)))
    return NULL;
  *v = (struct oci_json){.type = src->type,
                         .boolean = src->boolean,
                         .is_integer = src->is_integer,
                         .is_negative = src->is_negative,
                         .i64 = src->i64,
                         .u64 = src->u64,
                         .dbl = src->dbl};
  if (src->string && !(v->string = strdup(src->string)))
    goto oom;
  if (src->n) {
    v->values = calloc(src->n, sizeof(*v->values));
    v->keys = src->keys ? calloc(src->n, sizeof(*v->keys)) : NULL;
    if (!v->values || (src->keys && !v->keys))
      goto oom;
    for (size_t i = 0; i < src->n; i++, v->n++) {
      if (src->keys && !(v->keys[i] = strdup(src->keys[i])))
        goto oom;
      if (!(v->values[i] = copy_tree(b, src->values[i], depth + 1))) {
        free(v->keys ? v->keys[i] : NULL);
        oci_json_free(v);
        return NULL;
      }
    }
  }
  return v;
oom:
  oci_json_free(v);
  fail(b, "out of memory");
  return NULL;
}

static int resolve_scalar(struct ybuild *b, const yaml_event_t *ev, struct oci_json *v)
{
  char *why = NULL;
  int r = cdi_yaml_resolve(v, (const char *)ev->data.scalar.tag,
                           ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE, &why);
  if (r < 0)
    fail(b, "%s", why ? why : "out of memory");
  free(why);
  return r;
}

static char *dup_anchor(struct ybuild *b, const yaml_char_t *a)
{
  char *s;
  if (!a)
    return NULL;
  if (!(s = strdup((const char *)a)))
    fail(b, "out of memory");
  return s;
}

static int on_scalar(struct ybuild *b, const yaml_event_t *ev)
{
  const char *val = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  struct open_node *p = b->depth ? &b->stack[b->depth - 1] : NULL;
  struct oci_json *v;
  if (memchr(val, '\0', len))
    return fail(b, "string contains a NUL character");
  if (p && p->node->type == OCI_JSON_OBJECT && !p->key) { /* a mapping key */
    if (ev->data.scalar.anchor)
      return fail(b, "anchors on mapping keys are not supported");
    if (!(p->key = strndup(val, len)))
      return fail(b, "out of memory");
    return 0;
  }
  if (!(v = new_node(b, OCI_JSON_STRING)))
    return -1;
  if (!(v->string = strndup(val, len))) {
    free(v);
    return fail(b, "out of memory");
  }
  if (resolve_scalar(b, ev, v) < 0) {
    oci_json_free(v);
    return -1;
  }
  if (attach(b, v) < 0)
    return -1;
  return remember_anchor(b, dup_anchor(b, ev->data.scalar.anchor), v);
}

static int on_alias(struct ybuild *b, const yaml_event_t *ev)
{
  const char *name = (const char *)ev->data.alias.anchor;
  struct open_node *p = b->depth ? &b->stack[b->depth - 1] : NULL;
  struct oci_json *v;
  for (size_t i = b->n_anchors; i-- > 0;) {
    if (strcmp(b->anchors[i].name, name) != 0)
      continue;
    if (p && p->node->type == OCI_JSON_OBJECT && !p->key) {
      if (b->anchors[i].node->type != OCI_JSON_STRING || !b->anchors[i].node->string)
        return fail(b, "alias `%s` as a mapping key must name a scalar", name);
      return (p->key = strdup(b->anchors[i].node->string)) ? 0 : fail(b, "out of memory");
    }
    if (!(v = copy_tree(b, b->anchors[i].node, 0)))
      return -1;
    return attach(b, v);
  }
  return fail(b, "unknown anchor `%s`", name);
}

static int on_start(struct ybuild *b, const yaml_event_t *ev, enum oci_json_type t)
{
  const yaml_char_t *anchor =
      t == OCI_JSON_OBJECT ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
  struct open_node *p = b->depth ? &b->stack[b->depth - 1] : NULL;
  struct oci_json *v;
  if (p && p->node->type == OCI_JSON_OBJECT && !p->key)
    return fail(b, "a mapping key must be a scalar");
  if (b->depth == OCI_JSON_MAX_DEPTH)
    return fail(b, "nested too deeply (limit %d)", OCI_JSON_MAX_DEPTH);
  if (!(v = new_node(b, t)))
    return -1;
  b->stack[b->depth++] = (struct open_node){.node = v, .anchor = dup_anchor(b, anchor)};
  return b->err ? -1 : 0;
}

static int on_end(struct ybuild *b)
{
  struct open_node o = b->stack[--b->depth];
  free(o.key); /* libyaml never ends a mapping after a key, but be safe */
  if (attach(b, o.node) < 0) {
    free(o.anchor);
    return -1;
  }
  return remember_anchor(b, o.anchor, o.node);
}

static int on_event(struct ybuild *b, const yaml_event_t *ev, bool *done)
{
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    return on_scalar(b, ev);
  case YAML_ALIAS_EVENT:
    return on_alias(b, ev);
  case YAML_MAPPING_START_EVENT:
    return on_start(b, ev, OCI_JSON_OBJECT);
  case YAML_SEQUENCE_START_EVENT:
    return on_start(b, ev, OCI_JSON_ARRAY);
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    return on_end(b);
  case YAML_DOCUMENT_END_EVENT: /* go-yaml decodes the first document only */
  case YAML_STREAM_END_EVENT:
    *done = true;
    return 0;
  default:
    return 0;
  }
}

static void cleanup(struct ybuild *b)
{
  while (b->depth > 0) {
    struct open_node *o = &b->stack[--b->depth];
    free(o->key);
    free(o->anchor);
    oci_json_free(o->node);
  }
  for (size_t i = 0; i < b->n_anchors; i++)
    free(b->anchors[i].name);
  free(b->anchors);
}

struct oci_json *cdi_yaml_parse(const char *data, size_t len, char **err)
{
  struct ybuild b = {0};
  yaml_parser_t parser;
  bool done = false;
  *err = NULL;
  if (!yaml_parser_initialize(&parser)) {
    *err = strdup("yaml: out of memory");
    return NULL;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
  while (!done && !b.err) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      b.line = parser.problem_mark.line + 1;
      b.col = parser.problem_mark.column + 1;
      fail(&b, "%s%s%s", parser.problem ? parser.problem : "syntax error",
           parser.context ? " " : "", parser.context ? parser.context : "");
      break;
    }
    b.line = ev.start_mark.line + 1;
    b.col = ev.start_mark.column + 1;
    on_event(&b, &ev, &done);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  cleanup(&b);
  if (b.err) {
    oci_json_free(b.root);
    *err = b.err;
    return NULL;
  }
  if (!b.root && !(b.root = calloc(1, sizeof(*b.root)))) /* an empty stream: null */
    *err = strdup("yaml: out of memory");
  return b.root;
}
#endif
