/* Small file helpers. Every function fills a husk_err naming the path. */
#ifndef HUSK_FS_H
#define HUSK_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* Reads a whole file (dirfd may be AT_FDCWD). *out is NUL-terminated. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct husk_err *e);
/* Writes data to an existing file (procfs, cgroupfs): O_WRONLY|O_TRUNC. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_err *e);
/* Writes to "<path>.tmp" then renames over path: readers never see a torn file. */
int write_file_atomic(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
                      struct husk_err *e);
/* mkdir -p on the host (not for paths inside a container rootfs). */
int mkdir_p(const char *path, mode_t mode, struct husk_err *e);
/* Removes a directory tree without following symlinks. Missing is success. */
int rm_rf_at(int dirfd, const char *name, struct husk_err *e);
int write_all_fd(int fd, const void *buf, size_t len);
/* Resolves a path against the caller's cwd (no symlink resolution). */
char *abs_path(const char *path);

#endif
