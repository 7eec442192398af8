/* linux.seccomp names → libseccomp values: actions, architectures, argument
 * operators and filter flags (pure tables, unit-tested). Only with libseccomp. */
#ifndef HUSK_SECCOMP_NAMES_H
#define HUSK_SECCOMP_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

/* The fields name the JSON paths for messages ("linux.seccomp.syscalls[3].action",
 * "....errnoRet"). errnoRet is only valid with SCMP_ACT_ERRNO and
 * SCMP_ACT_TRACE; both default to EPERM (runc). */
int seccomp_action_parse(const char *name, oci_opt_u64 errno_ret, const char *action_field,
                         const char *errno_field, uint32_t *action, struct husk_err *e);
int seccomp_arch_parse(const char *name, uint32_t *arch, struct husk_err *e);
/* Returns the scmp_compare value (SCMP_CMP_NE ...). */
int seccomp_op_parse(const char *name, int *op, struct husk_err *e);
/* Sets the libseccomp attribute for one of linux.seccomp.flags. ctx is a
 * scmp_filter_ctx; NULL only validates. */
/* Returned by seccomp_flag_apply for a flag this libseccomp cannot set
 * (WAIT_KILLABLE_RECV before libseccomp 2.6): seccomp.c loads the filter with
 * seccomp(2) itself and adds the flag. */
#define SECCOMP_FLAG_BY_LOADER 1
int seccomp_flag_apply(void *ctx, const char *name, struct husk_err *e);

#endif
