/* Internal to libocispec: helpers shared between the JSON layer and the
 * runtime-spec model. Not installed, not included outside libocispec/. */
#ifndef HUSK_OCI_INTERNAL_H
#define HUSK_OCI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "oci_json.h"
#include "oci_spec.h"

/* ---- utf8.c ---- */
/* Length of the longest valid UTF-8 prefix of s (strict: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
size_t oci_utf8_valid_prefix(const char *s, size_t len);
/* Copy of s with every invalid sequence replaced by U+FFFD. */
char *oci_utf8_sanitize(const char *s, size_t len, size_t *out_len);

/* ---- json_gen.c ---- */
/* Like oci_json_gen_new(true) but with a caller-chosen indent ("\t", "    "). */
struct oci_json_gen *oci_json_gen_new_indent(const char *indent);

/* ---- spec_free.c ---- */
void oci_strv_free(char **v);
void oci_map_clear(struct oci_map *m);
void oci_linux_clear(struct oci_linux *l);

#endif
