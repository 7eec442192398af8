/* CVE-2019-5736: a container must never be able to write the runtime's own
 * binary through /proc/PID/exe (of the init before it execs, of an exec'd
 * process, or of the runtime re-executed inside the container with
 * `#!/proc/self/exe`). */
#ifndef HUSK_EXE_GUARD_H
#define HUSK_EXE_GUARD_H

#include "util/error.h"

enum exe_guard_state {
  EXE_GUARD_READONLY,   /* our exe is on a read-only mount: nothing to do */
  EXE_GUARD_SEALED,     /* our exe is a write-sealed memfd: nothing to do */
  EXE_GUARD_UNWRITABLE, /* we cannot write it ourselves (rootless, root-owned) */
  EXE_GUARD_EXPOSED,    /* writable: must re-execute before entering a container */
};

/* Classifies the exe behind `fd` (an fd of /proc/self/exe). */
enum exe_guard_state exe_guard_classify(int fd);

/* Makes sure the running binary cannot be written from a container. When it
 * is exposed, re-executes ourselves (same argv and environment) from a
 * read-only detached bind mount of the same file (open_tree + mount_setattr:
 * no copy, nothing charged to the container); where we may not create mounts,
 * from a write-sealed memfd copy. Returns only when protected (0) or on
 * failure (-1, e set: we fail closed). */
int exe_guard(char **argv, struct husk_err *e);

#endif
