/* Resolving paths inside a container rootfs without ever leaving it.
 * Primary: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Fallback (kernel
 * without openat2, or a seccomp profile that blocks it): a user-space walk
 * that opens one component at a time with O_NOFOLLOW, expands symlinks itself
 * with the rootfs as "/", and clamps ".." at the root. */
#ifndef HUSK_SAFEPATH_H
#define HUSK_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Opens `path` (absolute or relative, interpreted inside rootfd). */
int safe_open_in_root(int rootfd, const char *path, int oflags, mode_t mode, struct husk_err *e);
/* Creates every missing directory of `path` inside rootfd (mode 0755) and
 * returns an O_PATH fd of the final directory. */
int safe_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct husk_err *e);
/* Ensures a mount target exists inside rootfd: a directory, or (is_dir
 * false) an empty regular file whose parents are created. Returns O_PATH fd. */
int safe_mount_target(int rootfd, const char *path, bool is_dir, struct husk_err *e);
/* Forces the fallback walk (tests; openat2 unavailable). */
void safe_path_force_fallback(bool on);
/* "/proc/self/fd/N" for an fd, for mount(2) targets/sources. */
const char *fd_path(int fd, char buf[static 32]);

#endif
