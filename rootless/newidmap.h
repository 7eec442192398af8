/* The setuid helpers newuidmap/newgidmap (package uidmap): the only way an
 * unprivileged user writes a map with more than its own id. */
#ifndef HUSK_NEWIDMAP_H
#define HUSK_NEWIDMAP_H

#include <sys/types.h>

#include "oci_spec.h"
#include "util/error.h"

/* "newuidmap" or "newgidmap": $HUSK_NEWUIDMAP / $HUSK_NEWGIDMAP when set, else
 * the first executable in $PATH. Returns a heap path, or NULL with an error
 * that says how to install or name it. */
char *newidmap_find(const char *prog, struct husk_err *e);
/* Runs `helper PID cid hid size ...`; a failure carries the helper's stderr. */
int newidmap_run(const char *helper, pid_t pid, const struct oci_id_mappings *m,
                 struct husk_err *e);

#endif
