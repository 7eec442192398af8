/* CVE-2019-5736: a container must never be able to write the runtime's own
 * binary through /proc/PID/exe (of the init before it execs, of an exec'd
 * process, or of the runtime re-executed inside the container with
 * `#!/proc/self/exe`). */
#ifndef HUSK_EXE_GUARD_H
#define HUSK_EXE_GUARD_H

#include <stdbool.h>
#include <sys/stat.h>

#include "rootless/subid.h"
#include "util/error.h"

enum exe_guard_state {
  EXE_GUARD_READONLY,   /* our exe is on a read-only mount: nothing to do */
  EXE_GUARD_SEALED,     /* our exe is a write-sealed memfd: nothing to do */
  EXE_GUARD_UNWRITABLE, /* neither we nor a container of ours can write it
                         * (rootless, owned by root or another user) */
  EXE_GUARD_EXPOSED,    /* writable: must re-execute before entering a container */
};

/* Classifies the exe behind `fd` (an fd of /proc/self/exe). */
enum exe_guard_state exe_guard_classify(int fd);

/* Whether a container started by uid/gid (user `name`) may write a file with
 * st's owner and mode even though uid/gid cannot: its owner is uid or one of
 * the user's subordinate uids (an owner may chmod; the container may run as
 * it, and its root holds CAP_DAC_OVERRIDE over mapped files), or it is
 * group-writable by gid or a subordinate gid. */
bool exe_guard_mapped_writer(const struct stat *st, uid_t uid, gid_t gid, const char *name,
                             const struct subid_file *subuid, const struct subid_file *subgid);

/* Makes sure the running binary cannot be written from a container. When it
 * is exposed, re-executes ourselves (same argv and environment) from a
 * read-only detached bind mount of the same file (open_tree + mount_setattr:
 * no copy, nothing charged to the container); where we may not create mounts,
 * from a write-sealed memfd copy. Returns only when protected (0) or on
 * failure (-1, e set: we fail closed). */
int exe_guard(char **argv, struct husk_err *e);

#endif
