/* The six OCI hook phases: each hook gets the state JSON on stdin, exactly its
 * own args and env, and is killed after its timeout. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "oci_spec.h"
#include "util/error.h"

const char *hook_phase_name(enum oci_hook_phase phase);
/* Runs every hook of the phase in order; stops at the first failure. */
int hooks_run(const struct oci_spec *spec, enum oci_hook_phase phase, const char *state_json,
              struct husk_err *e);

#endif
