/* Building the process for `exec` from the container's config and runc's
 * flags (or taking --process as given), and the strict id parsers. */
#ifndef HUSK_EXEC_PROCESS_H
#define HUSK_EXEC_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

struct exec_flags {
  const char *process_file, *cwd, *user, *apparmor, *label, *cgroup;
  char **env, **caps, **gids; /* repeatable, NULL-terminated */
  size_t n_env, n_caps, n_gids;
  bool tty, no_new_privs;
};

/* A uid or gid: decimal digits only, below UINT32_MAX ((uid_t)-1 means "no
 * change" to setresuid and would leave the caller's uid 0). */
int exec_parse_id(const char *s, uint32_t *out);
/* "UID" or "UID:GID" — nothing else (CVE-2026-30892: "1:" must not mean gid 0). */
int exec_parse_user(const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid,
                    struct husk_err *e);
/* Applies the flags to p (the config's process, args already set). */
int exec_apply_flags(struct oci_process *p, const struct exec_flags *f, struct husk_err *e);
/* Replaces p->args with argv[0..argc). */
int exec_set_args(struct oci_process *p, int argc, char **argv, struct husk_err *e);
/* Reads --process FILE. */
int exec_read_process(const char *path, struct oci_process **out, struct husk_err *e);
int strv_push(char ***v, size_t *n, const char *s);
void strv_free(char **v);

#endif
