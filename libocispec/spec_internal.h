/* Internal to libocispec: the pieces of the config.json reader and writer
 * that are split across spec_parse*.c and spec_write*.c. */
#ifndef HUSK_SPEC_INTERNAL_H
#define HUSK_SPEC_INTERNAL_H

#include "json_read.h"
#include "oci_internal.h"
#include "oci_json.h"
#include "oci_spec.h"

/* Parse data as a JSON object and hand it to fn; errors become *errmsg. */
typedef int (*oci_doc_fn)(struct jr *r, const struct oci_json *root, void *out);
int oci_parse_document(const char *data, size_t len, const char *name, oci_doc_fn fn,
                       void *out, char **errmsg);

/* Readers: obj is an object; the path of r names it. */
int oci_read_process(struct jr *r, const struct oci_json *obj, struct oci_process *out);
int oci_read_linux(struct jr *r, const struct oci_json *obj, struct oci_linux *out);
int oci_read_resources(struct jr *r, const struct oci_json *obj, struct oci_resources *out);
int oci_read_seccomp(struct jr *r, const struct oci_json *obj, struct oci_seccomp *out);
int oci_read_id_mappings(struct jr *r, const struct oci_json *obj, const char *key,
                         struct oci_id_mappings *out);

/* Writers: emit "key": value pairs into an open map; absent fields are omitted. */
void oci_write_process(struct oci_json_gen *g, const struct oci_process *p);
void oci_write_linux(struct oci_json_gen *g, const struct oci_linux *l);
void oci_write_resources(struct oci_json_gen *g, const struct oci_resources *r);
void oci_write_map(struct oci_json_gen *g, const char *key, const struct oci_map *m);
void oci_write_strv(struct oci_json_gen *g, const char *key, char *const *v);
void oci_write_id_mappings(struct oci_json_gen *g, const char *key,
                           const struct oci_id_mappings *m);
void oci_write_opt_u64(struct oci_json_gen *g, const char *key, oci_opt_u64 v);
void oci_write_opt_i64(struct oci_json_gen *g, const char *key, oci_opt_i64 v);
void oci_write_opt_bool(struct oci_json_gen *g, const char *key, oci_opt_bool v);
void oci_write_kv_uint(struct oci_json_gen *g, const char *key, uint64_t v);
void oci_write_kv_str(struct oci_json_gen *g, const char *key, const char *s); /* NULL: omit */

/* Frees. */
void oci_seccomp_clear(struct oci_seccomp *s);

#endif
