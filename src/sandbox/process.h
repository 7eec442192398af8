/* The container process: what runs after the sandbox is built — user and
 * groups, rlimits, cwd, the executable, and the final execve. Shared by the
 * init (create/run) and by exec. */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>

#include "oci_spec.h"
#include "util/error.h"

const char *env_get(char *const *env, const char *name);
/* Resolves args[0] against the container's PATH (from process.env); errors
 * use runc's wording so callers map them to 126/127. */
int process_resolve_exec(const struct oci_process *p, char **out, struct husk_err *e);
/* Every rlimit but RLIMIT_NOFILE, which is only checked here: a small one
 * would leave no descriptor to accept `start` or run startContainer hooks
 * with. process_rlimit_nofile sets it right before the process is confined. */
int process_rlimits(const struct oci_process *p, struct husk_err *e);
int process_rlimit_nofile(const struct oci_process *p, struct husk_err *e);
int process_oom_score_adj(const struct oci_process *p, int procfd, struct husk_err *e);
/* chdir into process.cwd (created when missing if create) and check it is inside the container (CVE-2024-21626). */
int process_chdir(const struct oci_process *p, bool create, struct husk_err *e);
/* groups, gid, uid, then capabilities; umask. */
int process_switch_user(const struct oci_process *p, bool in_userns, struct husk_err *e);
/* Adds HOME from the container's /etc/passwd when process.env lacks it (runc). */
int process_default_home(struct oci_process *p);
/* Everything between the start signal and execve, in security.h's order:
 * LSM label, seccomp (before the uid switch without noNewPrivileges, last
 * with it), user and capabilities, no_new_privs. notify_conn: the connection
 * to `husk start` (SCMP_ACT_NOTIFY listener hand-off), -1 when none. */
int process_confine(const struct oci_spec *spec, const struct oci_process *p, bool in_userns,
                    int notify_conn, struct husk_err *e);
/* Marks every fd above 2 + preserve_fds close-on-exec. */
int process_close_fds(int preserve_fds, struct husk_err *e);
/* execve; returns only on failure. */
int process_exec(const struct oci_process *p, const char *path, struct husk_err *e);

#endif
