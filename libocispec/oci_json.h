/* A small JSON toolkit for the rest of husk, so that yajl stays inside
 * libocispec/: a generator (logs, list/ps/events/features/check output) and a
 * generic tree (CDI specs, the container record). Trees are depth-limited
 * (OCI_JSON_MAX_DEPTH) and validate UTF-8. */
#ifndef HUSK_OCI_JSON_H
#define HUSK_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_JSON_MAX_DEPTH 256

/* ---- generator ---- */
/* pretty: 2-space indent (runc style), empty containers as [] / {}; compact
 * otherwise. Strings are emitted as valid UTF-8 (invalid bytes become U+FFFD).
 * Calls on a NULL generator are no-ops, so only finish() needs checking. */
struct oci_json_gen;
struct oci_json_gen *oci_json_gen_new(bool pretty);
void oci_json_gen_free(struct oci_json_gen *g);
void oci_json_map_open(struct oci_json_gen *g);
void oci_json_map_close(struct oci_json_gen *g);
void oci_json_array_open(struct oci_json_gen *g);
void oci_json_array_close(struct oci_json_gen *g);
void oci_json_key(struct oci_json_gen *g, const char *key);
void oci_json_string(struct oci_json_gen *g, const char *s); /* NULL → null */
void oci_json_int(struct oci_json_gen *g, int64_t v);
void oci_json_uint(struct oci_json_gen *g, uint64_t v);
void oci_json_bool(struct oci_json_gen *g, bool v);
void oci_json_null(struct oci_json_gen *g);
/* Convenience: key + value. */
void oci_json_kv_string(struct oci_json_gen *g, const char *key, const char *s);
void oci_json_kv_int(struct oci_json_gen *g, const char *key, int64_t v);
void oci_json_kv_bool(struct oci_json_gen *g, const char *key, bool v);
void oci_json_strv(struct oci_json_gen *g, const char *key, char *const *v); /* key: [..], NULL → null */
/* Returns a heap copy of the document (NULL if any call failed or a container
 * is still open), without a trailing newline. Does not free g. */
char *oci_json_gen_finish(struct oci_json_gen *g);

/* ---- generic tree ---- */
enum oci_json_type {
  OCI_JSON_NULL,
  OCI_JSON_BOOL,
  OCI_JSON_NUMBER,
  OCI_JSON_STRING,
  OCI_JSON_ARRAY,
  OCI_JSON_OBJECT
};
struct oci_json {
  enum oci_json_type type;
  bool boolean;
  char *string;      /* STRING; for NUMBER the literal text */
  bool is_integer;   /* NUMBER fits int64/uint64 exactly */
  bool is_negative;
  int64_t i64;
  uint64_t u64;
  double dbl;
  size_t n;          /* ARRAY/OBJECT length */
  char **keys;       /* OBJECT */
  struct oci_json **values; /* ARRAY/OBJECT */
};
/* Parse; on failure returns NULL and sets *errmsg (heap, caller frees) to
 * "<name>: line L, column C: reason" or "<name>: empty document". Strict JSON:
 * no comments, no trailing garbage; strings must be valid UTF-8 without NUL. */
struct oci_json *oci_json_parse(const char *data, size_t len, const char *name, char **errmsg);
/* Iterative, so safe on arbitrarily deep hand-built trees: nodes from calloc,
 * strings/keys/values arrays from malloc. */
void oci_json_free(struct oci_json *v);
/* Duplicate keys: the last one wins (like Go). NULL when absent or obj is no object. */
const struct oci_json *oci_json_get(const struct oci_json *obj, const char *key);
/* Serialise any tree (used when YAML-sourced CDI trees are re-emitted, tests).
 * NUMBER nodes are written from `string` when it is a JSON number, else from
 * i64/u64/dbl. NULL for trees nested deeper than 128 (the generator's limit)
 * and for non-finite numbers (YAML's .inf, .nan), which JSON cannot hold. */
char *oci_json_to_string(const struct oci_json *v, bool pretty);

#endif
