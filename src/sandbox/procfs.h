/* procfs writes that cannot be redirected by anything the image controls
 * (CVE-2025-52881): a private, detached procfs instance opened with
 * fsopen/fsmount, never attached to the mount tree, and every open beneath it
 * refuses symlinks and mount crossings. Falls back to /proc verified by magic. */
#ifndef HUSK_PROCFS_H
#define HUSK_PROCFS_H

#include "oci_spec.h"
#include "util/error.h"

int procfs_open_private(struct husk_err *e);
/* Writes value to <procfd>/<rel> (e.g. "sys/net/ipv4/ip_forward"). */
int procfs_write(int procfd, const char *rel, const char *value, struct husk_err *e);
/* Writes /proc/<our pid>/attr/<attr> (LSM exec labels) through a fresh private
 * procfs instance. */
int procfs_write_self_attr(const char *attr, const char *value, struct husk_err *e);
/* linux.sysctl: validates namespacing (runc's rules) and writes each key. */
int sysctl_apply(int procfd, const struct oci_spec *spec, struct husk_err *e);

#endif
