/* A mounts[] entry of type "cgroup"/"cgroup2": the container's view of
 * /sys/fs/cgroup on v1, hybrid and v2 hosts, with or without a cgroup
 * namespace, as root or in a user namespace. */
#ifndef HUSK_CGROUP_MOUNT_H
#define HUSK_CGROUP_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "oci_spec.h"
#include "sandbox/mount_opts.h"
#include "sandbox/mounts.h"
#include "util/error.h"

int mount_cgroup_tree(const struct oci_mount *m, const struct mount_opts *o,
                      const struct mount_env *env, struct husk_err *e);

/* ---- pure helpers (unit-tested) ---- */
/* One /proc/self/mountinfo line: the mount point (octal escapes decoded),
 * the filesystem type and the super options, each copied into its buffer.
 * Returns 0, or -1 for a malformed line. */
int cg_mountinfo_line(const char *line, char *mnt, size_t mnt_len, char *fstype, size_t fstype_len,
                      char *superopts, size_t so_len);
/* The mount data that mounts the same v1 hierarchy again: the super options
 * without rw/ro ("rw,xattr,name=systemd" -> "xattr,name=systemd"). */
void cg_v1_mount_data(const char *superopts, char *buf, size_t len);
/* The path of the calling process's cgroup in the hierarchy with these super
 * options, from /proc/self/cgroup text: the "0::" line for cgroup2, else the
 * line whose controllers all appear in superopts. false when none matches. */
bool cg_self_path(const char *proc_cgroup, bool v2, const char *superopts, char *buf, size_t len);

#endif
