/* Parsing OCI mount options into mount(2) flags, propagation, mount_setattr
 * attributes and the filesystem data string. Pure logic (unit-tested). */
#ifndef HUSK_MOUNT_OPTS_H
#define HUSK_MOUNT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

struct mount_opts {
  unsigned long flags;       /* MS_* to set */
  unsigned long clear;       /* MS_* explicitly cleared (rw, suid, dev, exec, ...) */
  unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE | MS_REC */
  uint64_t rec_attr_set, rec_attr_clr; /* MOUNT_ATTR_* applied recursively (rro, rnosuid...) */
  bool bind, recursive_bind, tmpcopyup, idmap, ridmap;
  char *data;                /* comma-joined filesystem-specific options */
};

/* Returns 0, or -1 with *bad set to the offending option (only for options
 * that can never be valid, e.g. an empty string). Unknown options go to data. */
int mount_opts_parse(char *const *options, struct mount_opts *out, const char **bad);
void mount_opts_clear(struct mount_opts *o);
/* All option names husk understands (for `features`). NULL-terminated. */
extern const char *const mount_opts_known[];

#endif
