/* uid/gid maps of a new user namespace, written by the parent. */
#ifndef HUSK_USERNS_H
#define HUSK_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "oci_spec.h"
#include "util/error.h"

/* Checks that mappings and the user namespace go together; for an
 * unprivileged caller also userns_check_rootless. */
int userns_validate(const struct oci_spec *spec, bool new_user, struct husk_err *e);
/* Before clone, for an unprivileged caller: every map that is not a single
 * mapping of the caller's own id must lie within its /etc/subuid or
 * /etc/subgid ranges, and newuidmap/newgidmap must be found. */
int userns_check_rootless(const struct oci_linux *l, struct husk_err *e);
/* A single mapping (size 1) of host id own. */
bool userns_is_self_map(const struct oci_id_mappings *m, unsigned own);
/* Writes /proc/PID/{setgroups,uid_map,gid_map}: directly when we may, else via
 * newuidmap/newgidmap (rootless multi-range). */
int userns_write_maps(pid_t pid, const struct oci_linux *l, struct husk_err *e);
/* Formats "cid hid size\n" lines. */
char *userns_format_map(const struct oci_id_mappings *m);

#endif
