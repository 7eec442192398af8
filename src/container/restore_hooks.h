/* The runtime hooks of a restore (prestart, createRuntime), run as runc runs
 * them: when CRIU has made the restored tasks' namespaces and before they
 * resume (CRIU's "setup-namespaces" action), with the restored init's pid in
 * the state. husk runs criu as a program, so CRIU calls back through
 * --action-script: the script re-enters husk (`husk restore-hooks ID`, an
 * internal command) through /proc/<restoring husk>/exe. */
#ifndef HUSK_RESTORE_HOOKS_H
#define HUSK_RESTORE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "container/state.h"
#include "oci_spec.h"
#include "util/error.h"

/* Whether the config has hooks to run on restore. */
bool restore_hooks_wanted(const struct oci_spec *spec);
/* The --action-script command line for container c (shell-quoted), into
 * out. -1 when it does not fit. */
int restore_hooks_script(const struct container *c, char *out, size_t len);
/* The internal command: for CRTOOLS_SCRIPT_ACTION=setup-namespaces, runs
 * the hooks with pid CRTOOLS_INIT_PID; any other action is success. A
 * failure is also left in the state directory for the restoring husk. */
int restore_hooks_run(const char *root, const char *id, struct husk_err *e);
/* What restore_hooks_run left after a failure (heap), or NULL; removes it. */
char *restore_hooks_failure(const struct container *c);

#endif
