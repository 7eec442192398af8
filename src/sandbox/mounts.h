/* Mounting config.json's mounts[] into the rootfs, destinations resolved
 * inside it (never following a symlink out), targets pinned by fd. */
#ifndef HUSK_MOUNTS_H
#define HUSK_MOUNTS_H

#include <stdbool.h>

#include "cgroups/cgroup.h"
#include "oci_spec.h"
#include "util/error.h"

struct mount_env {
  int rootfd;           /* O_PATH of the rootfs mount (after its self-bind) */
  bool in_userns;       /* mknod/fs mounts limited: fall back to binds */
  bool new_netns;       /* sysfs may be mounted (else bind the host's) */
  bool new_cgroupns;
  const struct cgroup *cgroup;
  const char *mount_label;
};

int mounts_apply(const struct oci_spec *spec, const struct mount_env *env, struct husk_err *e);
/* Bind mount the host path src (fd or path) onto target with mount_setattr
 * attributes; used by mounts, devices, masking. */
int bind_mount_fd(const char *src, int target_fd, bool recursive, unsigned long flags,
                  struct husk_err *e);
/* Re-resolves dest and remounts it with MS_BIND|MS_REMOUNT|flags, keeping
 * flags the kernel locked (nodev/nosuid/noexec inherited in a user namespace). */
int remount_bind(int rootfd, const char *dest, unsigned long flags, struct husk_err *e);
bool spec_mounts_dest(const struct oci_spec *spec, const char *dest);

#endif
