/* The rootfs around the mounts: making it a private mount point, masking and
 * read-only paths, pivot_root (or MS_MOVE + chroot), a read-only root. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>

#include "oci_spec.h"
#include "util/error.h"

/* Sets "/" propagation and bind-mounts the rootfs onto itself; returns an
 * O_PATH fd of the new mount's root. */
int rootfs_prepare(const struct oci_spec *spec, const char *rootfs, struct husk_err *e);
/* maskedPaths (bound over by the host's verified /dev/null, or an empty
 * read-only tmpfs for directories) and readonlyPaths. */
int rootfs_mask_and_protect(int rootfd, const struct oci_linux *l, int devnull_fd,
                            struct husk_err *e);
int rootfs_pivot(const char *rootfs, bool no_pivot, struct husk_err *e);
/* After pivot: remount / read-only when root.readonly. */
int rootfs_finish(const struct oci_spec *spec, struct husk_err *e);
/* Opens the host's /dev/null and checks it is the real 1:3 char device. */
int open_verified_devnull(struct husk_err *e);

#endif
