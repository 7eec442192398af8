/* CDI names, with the rules of the reference parser (CDI:pkg/parser):
 *   vendor/class=name     a fully-qualified device name
 *   vendor/class          a kind
 * vendor and class: a letter first, a letter or digit last, [A-Za-z0-9_.-]
 * between; device name: a letter or digit first and last, [A-Za-z0-9_.:-]
 * between. Only ASCII counts as a letter or digit. Lengths are not checked
 * (the reference parser does not check them either). */
#ifndef HUSK_CDI_NAMES_H
#define HUSK_CDI_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct cdi_name {
  char *vendor, *class_, *device; /* heap; NULL when the part is missing */
};

/* On failure the validators return -1 and point *why at a static reason such
 * as "should start with a letter". */
int cdi_validate_vendor(const char *vendor, const char **why);
int cdi_validate_class(const char *class_, const char **why);
int cdi_validate_device_name(const char *name, const char **why);

/* Splits "vendor/class" at the first '/'; both parts must be non-empty.
 * Returns -1 (vendor/class untouched) when the shape is wrong. */
int cdi_split_kind(const char *kind, char **vendor, char **class_);
/* Parses and validates "vendor/class=name" (split at the first '=' then the
 * first '/'; a string starting with '/' is a path, never a CDI name). On
 * failure returns -1 and *err is a heap message naming the string. */
int cdi_parse_qualified(const char *s, struct cdi_name *out, char **err);
bool cdi_is_qualified(const char *s);
void cdi_name_clear(struct cdi_name *n);

/* The `cdi.k8s.io/` annotations: every key with that prefix counts; its value
 * is split on ',' (no trimming) and every element must be a qualified name.
 * Appends the names to *v (a NULL-terminated heap vector) in key order (keys
 * sorted, as NVIDIA's runtime does). Returns -1 with *err on a bad name. */
#define CDI_ANNOTATION_PREFIX "cdi.k8s.io/"
struct oci_map;
int cdi_annotation_devices(const struct oci_map *annotations, char ***v, size_t *n, char **err);

#endif
