/* uid/gid maps of a new user namespace, written by the parent. */
#ifndef HUSK_USERNS_H
#define HUSK_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci_spec.h"
#include "util/error.h"

/* Checks that mappings and the user namespace go together. */
int userns_validate(const struct oci_spec *spec, bool new_user, struct husk_err *e);
/* Writes /proc/PID/{setgroups,uid_map,gid_map}: directly when we may, else via
 * newuidmap/newgidmap (rootless multi-range). */
int userns_write_maps(pid_t pid, const struct oci_linux *l, struct husk_err *e);
/* Formats "cid hid size\n" lines. */
char *userns_format_map(const struct oci_id_mappings *m);

#endif
