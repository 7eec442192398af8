/* Typed reader over an oci_json tree: fetch a child by key with an expected
 * type and range, keeping the JSON path of the current position so every
 * error reads "<file>: <path>: <reason>". Internal to libocispec. */
#ifndef HUSK_JSON_READ_H
#define HUSK_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_json.h"
#include "oci_spec.h"

struct jr {
  const char *name; /* file name for messages */
  char *path;       /* e.g. "process.rlimits[1]" */
  size_t len, cap;
  char *err;        /* first error, heap */
};

void jr_init(struct jr *r, const char *name);
void jr_fini(struct jr *r);
/* Record "<name>: <path>: <reason>" (first error wins); returns -1. */
int jr_fail(struct jr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Extend the path; jr_pop(r, mark) restores it. */
size_t jr_push_key(struct jr *r, const char *key);
size_t jr_push_index(struct jr *r, size_t i);
void jr_pop(struct jr *r, size_t mark);

/* Child lookup; JSON null counts as absent (Go's encoding/json does the same). */
const struct oci_json *jr_get(const struct oci_json *obj, const char *key);

/* -1 with "missing required field" when obj[key] is absent. */
int jr_require(struct jr *r, const struct oci_json *obj, const char *key);

/* Value readers: the current path names v. */
int jr_val_string(struct jr *r, const struct oci_json *v, char **out);
int jr_val_uint(struct jr *r, const struct oci_json *v, uint64_t max, uint64_t *out);
int jr_val_int(struct jr *r, const struct oci_json *v, int64_t min, int64_t max, int64_t *out);

/* Field readers: an absent key leaves *out alone and returns 0, unless
 * required, which is the error "missing required field". */
int jr_string(struct jr *r, const struct oci_json *obj, const char *key, char **out,
              bool required);
int jr_enum(struct jr *r, const struct oci_json *obj, const char *key, char **out,
            const char *const *allowed, bool required);
int jr_bool(struct jr *r, const struct oci_json *obj, const char *key, bool *out);
int jr_opt_bool(struct jr *r, const struct oci_json *obj, const char *key, oci_opt_bool *out);
int jr_u64(struct jr *r, const struct oci_json *obj, const char *key, uint64_t *out,
           bool required);
int jr_u32(struct jr *r, const struct oci_json *obj, const char *key, uint32_t *out,
           bool required);
int jr_i64(struct jr *r, const struct oci_json *obj, const char *key, int64_t *out,
           bool required);
int jr_i32(struct jr *r, const struct oci_json *obj, const char *key, int32_t *out);
/* Optional unsigned with an upper bound (UINT32_MAX for uint32 fields...). */
int jr_opt_uint(struct jr *r, const struct oci_json *obj, const char *key, uint64_t max,
                oci_opt_u64 *out);
int jr_opt_i64(struct jr *r, const struct oci_json *obj, const char *key, oci_opt_i64 *out);
/* Array of strings; an empty array yields a non-NULL, empty list. */
int jr_strv(struct jr *r, const struct oci_json *obj, const char *key, char ***out);
/* Object of string values. */
int jr_map(struct jr *r, const struct oci_json *obj, const char *key, struct oci_map *out);
/* Absent → *out = NULL; present but not an object → error. */
int jr_object(struct jr *r, const struct oci_json *obj, const char *key,
              const struct oci_json **out);

/* Arrays of objects / objects of objects, parsed into a calloc'ed array of
 * elem_size items. *items and *n are set before any item is parsed, so on
 * error the caller's normal free routine releases partial results. */
typedef int (*jr_item_fn)(struct jr *r, const struct oci_json *item, void *elem);
typedef int (*jr_entry_fn)(struct jr *r, const char *key, const struct oci_json *value,
                           void *elem);
int jr_array_of(struct jr *r, const struct oci_json *obj, const char *key, size_t elem_size,
                void *items, size_t *n, jr_item_fn fn);
int jr_object_of(struct jr *r, const struct oci_json *obj, const char *key, size_t elem_size,
                 void *items, size_t *n, jr_entry_fn fn);

/* Runs reader on obj[key] when it is present (and an object). */
#define JR_SUB(r, obj, key, reader, dst)                                                     \
  ({                                                                                           \
    const struct oci_json *sub_;                                                               \
    int rc_ = jr_object(r, obj, key, &sub_);                                                   \
    if (rc_ == 0 && sub_) {                                                                    \
      size_t mark_ = jr_push_key(r, key);                                                      \
      rc_ = reader(r, sub_, dst);                                                              \
      jr_pop(r, mark_);                                                                        \
    }                                                                                          \
    rc_;                                                                                       \
  })

#endif
