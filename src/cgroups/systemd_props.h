/* Pure logic of the systemd cgroup driver, without D-Bus (unit-tested in
 * tests/unit/test_systemd_props.c): cgroupsPath "slice:prefix:name" → slice
 * and unit name, slice expansion into cgroup paths, and linux.resources /
 * org.systemd.property.* annotations → a list of unit properties that
 * cgroup_systemd.c sends in StartTransientUnit and SetUnitProperties. */
#ifndef HUSK_SYSTEMD_PROPS_H
#define HUSK_SYSTEMD_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

/* systemd's USEC_INFINITY / CGROUP_LIMIT_MAX: "no limit". */
#define SD_INFINITY UINT64_MAX
#define SD_NAME_MAX 256

/* D-Bus signature of a property value: b t x u i s, 'y' for "ay" and 'A'
 * for "a(ss)" (DeviceAllow: path + permissions pairs). */
struct sd_prop {
  char name[64];
  char type;
  bool b;
  uint64_t u;     /* t, u */
  int64_t i;      /* x, i */
  char *s;        /* s */
  uint8_t *bytes; /* ay */
  size_t n_bytes;
  char **pairs; /* a(ss): 2 * n_pairs strings */
  size_t n_pairs;
};

struct sd_props {
  size_t n;
  struct sd_prop *items;
};

struct sd_unit {
  char slice[SD_NAME_MAX]; /* "system.slice" */
  char unit[SD_NAME_MAX];  /* "husk-ID.scope" */
};

/* linux.cgroupsPath for the systemd driver. Empty: the default slice
 * (system.slice; user.slice rootless) and "husk-<id>.scope". Otherwise exactly
 * "slice:prefix:name" (empty slice = the default, empty prefix = none).
 * -1 with *why set when the path is malformed. */
int sd_cgroups_path_parse(const char *path, const char *id, bool rootless, struct sd_unit *u,
                          const char **why);
/* "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "" (the root). */
int sd_slice_expand(const char *slice, char *buf, size_t len, const char **why);
/* Valid unit name characters, length, and a known suffix. */
bool sd_unit_name_valid(const char *name);

/* CPUQuotaPerSecUSec from cpu.quota/period as runc computes it: quota per
 * second, rounded up to whole 10 ms (systemd keeps percent). Negative quota
 * is SD_INFINITY; period 0 means 100000. */
uint64_t sd_cpu_quota_per_sec(int64_t quota, uint64_t period);
/* A cpuset list ("0-3,8") → systemd's AllowedCPUs bytes: bit k of byte i is
 * CPU 8*i+k. *out is heap (NULL and n 0 for an empty list). */
int sd_cpuset_to_bytes(const char *list, uint8_t **out, size_t *n, const char **why);

/* Properties for linux.resources (v2: the unified names; otherwise the v1
 * names systemd knows). Limits systemd has no property for are not listed:
 * the driver writes them into the scope's delegated cgroup directly. */
int sd_props_from_resources(const struct oci_resources *r, bool v2, struct sd_props *p,
                            struct husk_err *e);
/* linux.resources.devices for the v1 devices controller: DevicePolicy=strict
 * and the DeviceAllow list of what the rules allow as a whole (an empty
 * DeviceAllow first, which resets the unit's list on update). *inexact:
 * some allowed access could not be expressed and is left out. */
int sd_props_devices(const struct oci_resources *r, struct sd_props *p, bool *inexact,
                     struct husk_err *e);
/* org.systemd.property.NAME=VALUE annotations. VALUE is GVariant text as
 * runc and crun accept it: true/false, 'string' or "string", "uint64 N"
 * (also "@t N"), int64/uint32/int32 (@x @u @i), or a bare number for
 * properties ending in Sec (seconds → the USec property) or USec. */
int sd_props_from_annotations(const struct oci_map *annotations, struct sd_props *p,
                              struct husk_err *e);

int sd_props_add_bool(struct sd_props *p, const char *name, bool v);
int sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v);
int sd_props_add_str(struct sd_props *p, const char *name, const char *v);
/* An empty a(ss) property to fill (valid until the next add). */
struct sd_prop *sd_props_add_pairs(struct sd_props *p, const char *name);
const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name);
void sd_props_free(struct sd_props *p);

#endif
