/* The CDI registry: every .json and .yaml file of the spec directories,
 * rescanned for each use (a short-lived runtime has no cache to refresh).
 * Directories are scanned in order, not recursively, files by name; a later
 * directory has a higher priority and its definition of a device wins. The
 * same device defined twice at one priority is a conflict: it is recorded
 * against both files and the device becomes unavailable (as in the
 * reference library, even when another directory also defines it). A file
 * that fails to load is skipped and its error kept; the rest still works. */
#ifndef HUSK_CDI_REGISTRY_H
#define HUSK_CDI_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "cdi/spec.h"
#include "util/error.h"

#define CDI_DEFAULT_SPEC_DIRS "/etc/cdi:/var/run/cdi"
#define CDI_SPEC_DIRS_ENV "HUSK_CDI_SPEC_DIRS"

struct cdi_entry {
  char *name; /* vendor/class=device */
  const struct cdi_spec *spec;
  const struct cdi_device *device;
};
struct cdi_file_error {
  char *path, *msg;
};
struct cdi_registry {
  char **dirs;
  size_t n_specs;
  struct cdi_spec **specs;
  size_t n_entries; /* sorted by name */
  struct cdi_entry *entries;
  size_t n_errors; /* in scan order; a file may have several (conflicts) */
  struct cdi_file_error *errors;
};

/* The directory list: the option's value if given, else $HUSK_CDI_SPEC_DIRS,
 * else /etc/cdi:/var/run/cdi; ':'-separated, empty elements ignored. */
char **cdi_spec_dirs(const char *option);
/* The same list as one ':'-separated string with relative directories made
 * absolute against the current directory (create chdirs into the bundle
 * before it reads them). Heap; NULL on ENOMEM. */
char *cdi_spec_dirs_absolute(const char *option);
/* Scans dirs (NULL: cdi_spec_dirs(NULL)). Fails only on ENOMEM; per-file
 * problems go to r->errors. */
int cdi_registry_load(struct cdi_registry *r, const char *dirs_option, struct husk_err *e);
const struct cdi_entry *cdi_registry_find(const struct cdi_registry *r, const char *name);
/* Whether any loaded spec has this kind ("vendor/class"). */
bool cdi_registry_has_kind(const struct cdi_registry *r, const char *kind);
/* "a, b, c": the device names available for a kind (heap; "" when none). */
char *cdi_registry_kind_devices(const struct cdi_registry *r, const char *kind);
void cdi_registry_free(struct cdi_registry *r);

#endif
