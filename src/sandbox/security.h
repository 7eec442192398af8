/* The confinement steps of the child, in the order they must run:
 *   caps_prepare()   before the uid switch (keep capabilities across it)
 *   caps_apply()     after the uid switch: bounding, the five sets, ambient
 *   lsm_apply()      the exec label (SELinux) or profile (AppArmor)
 *   seccomp_load()   the very last step before execve
 * Each lives in its own file (caps.c, lsm.c, seccomp.c). */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include "oci_spec.h"
#include "util/error.h"

int caps_validate(const struct oci_capabilities *c, struct husk_err *e);
int caps_prepare(struct husk_err *e);
int caps_apply(const struct oci_capabilities *c, struct husk_err *e);
int lsm_apply(const struct oci_process *p, struct husk_err *e);
/* notify_sock: where the listener fd goes (-1 when none). */
int seccomp_load(const struct oci_seccomp *s, bool no_new_privs, struct husk_err *e);

#endif
