/* The confinement steps of the child. Order (process_confine in process.c,
 * the same as runc's):
 *   seccomp_prepare() build the filter while nothing is dropped yet
 *   lsm_apply()       the exec label (SELinux) or profile (AppArmor); both
 *                     take effect at execve
 *   seccomp_install() here when noNewPrivileges is false: loading then needs
 *                     CAP_SYS_ADMIN, which the capability drop may remove
 *   caps_prepare()    before the uid switch (keep capabilities across it)
 *   caps_apply()      after the uid switch: bounding, the five sets, ambient
 *   seccomp_install() here, the very last step before execve, with
 *                     noNewPrivileges
 * Each lives in its own file (caps.c, lsm.c, seccomp.c; seccomp_notify.c is
 * the runtime's side of SCMP_ACT_NOTIFY). */
#ifndef HUSK_SECURITY_H
#define HUSK_SECURITY_H

#include <sys/types.h>

#include "oci_spec.h"
#include "util/error.h"

/* Parent, at create time: names known, kernel-unknown ones warned about. */
int caps_validate(const struct oci_capabilities *c, struct husk_err *e);
int caps_prepare(struct husk_err *e);
int caps_apply(const struct oci_capabilities *c, struct husk_err *e);

/* Parent, at create time: a requested AppArmor profile needs AppArmor. */
int lsm_validate(const struct oci_process *p, struct husk_err *e);
int lsm_apply(const struct oci_process *p, struct husk_err *e);

struct seccomp_filter; /* built, not loaded */
/* *out is NULL when linux.seccomp is absent. */
int seccomp_prepare(const struct oci_seccomp *s, struct seccomp_filter **out, struct husk_err *e);
/* Parent, at create time: the whole profile translates. */
int seccomp_validate(const struct oci_seccomp *s, struct husk_err *e);
bool seccomp_filter_notifies(const struct seccomp_filter *f);
/* Loads f (NULL: nothing). notify_conn: the connection to `husk start`, which
 * hands the listener to the agent (SCMP_ACT_NOTIFY); -1 when none. */
int seccomp_install(struct seccomp_filter *f, int notify_conn, struct husk_err *e);
void seccomp_filter_free(struct seccomp_filter *f);

/* Runtime side of SCMP_ACT_NOTIFY, on SYNC_SECCOMP from the init over conn:
 * connect to listenerPath, answer SYNC_SECCOMP, take the listener out of the
 * init (pid) with pidfd_getfd once it is loaded, send it to the agent with
 * the container state (runc's seccomp agent protocol), answer
 * SYNC_SECCOMP_DONE. state_json: the container state (host pid). */
int seccomp_notify_forward(int conn, pid_t pid, const struct oci_seccomp *s,
                           const char *state_json, struct husk_err *e);

#endif
