/* The CDI spec file model (SPEC.md; the field set of cdiVersion 1.1.0) and
 * its loading: decode (strict: unknown or duplicate keys and wrong types are
 * errors), then validate (names, edits, the minimum-version rule). */
#ifndef HUSK_CDI_SPEC_H
#define HUSK_CDI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"

struct cdi_device_node {
  char *path, *host_path, *type, *permissions;
  int64_t major, minor;            /* 0: not given */
  oci_opt_u64 file_mode, uid, gid; /* uint32 values */
};
struct cdi_mount {
  char *host_path, *container_path, *type;
  char **options;
};
struct cdi_hook {
  char *hook_name, *path;
  char **args, **env;
  oci_opt_i64 timeout;
};
struct cdi_intel_rdt {
  char *clos_id, *l3_cache_schema, *mem_bw_schema;
  char **schemata;
  bool enable_monitoring;
};
struct cdi_net_device {
  char *host_interface_name, *name;
};
struct cdi_edits {
  char **env;
  size_t n_device_nodes;
  struct cdi_device_node *device_nodes;
  size_t n_mounts;
  struct cdi_mount *mounts;
  size_t n_hooks;
  struct cdi_hook *hooks;
  struct cdi_intel_rdt *intel_rdt; /* NULL: absent */
  size_t n_additional_gids;
  uint32_t *additional_gids;
  size_t n_net_devices;
  struct cdi_net_device *net_devices;
};
struct cdi_device {
  char *name;
  struct oci_map annotations;
  struct cdi_edits edits;
};
struct cdi_spec {
  char *version, *kind;
  char *vendor, *class_; /* kind split at '/', filled by validation */
  struct oci_map annotations;
  size_t n_devices;
  struct cdi_device *devices;
  struct cdi_edits edits;
  char *path;   /* the file it came from */
  int priority; /* index of its directory: higher wins */
};

struct oci_json;
/* Decodes a generic tree (JSON, or YAML turned into the same tree). yaml:
 * plain scalars may fill string fields, as sigs.k8s.io/yaml does. On failure
 * returns -1 with *err = "<json.path>: <reason>" (heap). */
int cdi_spec_decode(const struct oci_json *root, bool yaml, struct cdi_spec **out, char **err);
/* The semantic rules of the reference library (CDI:pkg/cdi/spec.go,
 * device.go, container-edits.go, specs-go/version.go). */
int cdi_spec_validate(struct cdi_spec *spec, char **err);
/* The lowest cdiVersion able to express what this spec uses ("0.3.0"...). */
const char *cdi_spec_min_version(const struct cdi_spec *spec);
/* -1 unknown version; otherwise the index in the known list (ordered). */
int cdi_version_index(const char *version);
bool cdi_edits_empty(const struct cdi_edits *e);

/* Reads, parses (by extension: .json → JSON, .yaml → YAML) and validates
 * one file. On failure returns -1 with *err = "<reason>" (heap; the caller
 * adds the path). */
int cdi_spec_load(const char *path, int priority, struct cdi_spec **out, char **err);
/* Parses a buffer; yaml chooses the parser. name is used in messages. */
int cdi_spec_parse(const char *data, size_t len, bool yaml, struct cdi_spec **out, char **err);
/* YAML text → generic tree (yaml_tree.c); NULL + *err on failure. */
struct oci_json *cdi_yaml_parse(const char *data, size_t len, char **err);

void cdi_edits_clear(struct cdi_edits *e);
void cdi_spec_free(struct cdi_spec *spec);

#endif
