/* Internal to src/cgroups: writing linux.resources into cgroup files.
 * resources_v1.c handles the v1 controllers (v1 and hybrid hosts),
 * resources_v2.c the unified hierarchy (pure v2, and hugetlb/unified on a
 * hybrid host), resources_common.c the file helpers and pure conversions
 * shared by both (unit-tested in tests/unit/test_cgroup_values.c). */
#ifndef HUSK_CG_RESOURCES_H
#define HUSK_CG_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

#define CG_ROOT "/sys/fs/cgroup"

/* ---- pure conversions ---- */
/* crun's shares (2..262144) -> cpu.weight (1..10000); 0 when shares is 0. */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) -> io.weight (1..10000), as runc converts. */
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* runc's memory.swap.max from the v1-style memory+swap value. Returns 1 and
 * sets *out (-1 = "max") when there is something to write, 0 when not, -1
 * with *why set when the pair is invalid. limit/swap of 0 mean unset. */
int cg_swap_v2(int64_t limit, int64_t swap, int64_t *out, const char **why);
/* "a", or "c 1:3 rwm" ("*" for a -1/absent major or minor). -1 when the rule
 * is invalid (*why set) or buf is too small. */
int cg_device_rule_format(const struct oci_device_rule *r, char *buf, size_t len,
                          const char **why);
/* Keys of linux.resources.unified are file names in the cgroup directory.
 * 0 when valid, -1 with *why set otherwise. */
int cg_unified_key_check(const char *key, const char **why);
/* The controller a unified key belongs to ("memory" for "memory.high"),
 * copied into buf; empty for the core "cgroup." files. */
void cg_unified_key_controller(const char *key, char *buf, size_t len);
/* "max" for negative values, the number otherwise (v2 style). */
void cg_fmt_max(int64_t v, char *buf, size_t len);

/* ---- file helpers ---- */
bool cg_file_exists(const char *dir, const char *file);
/* Writes val to dir/file; errors name the limit (e.g.
 * "linux.resources.memory.limit"), the file and the reason. A missing
 * directory means the controller is not mounted. */
int cg_write(const char *dir, const char *file, const char *val, const char *limit,
             struct husk_err *e);
/* The number in dir/file ("max" is INT64_MAX). -1 when unreadable. */
int cg_read_i64(const char *dir, const char *file, int64_t *out);
/* linux.resources.memory.checkBeforeUpdate: a new limit below the usage
 * (usage_file: memory.usage_in_bytes on v1, memory.current on v2) is an
 * error, before anything is written. 0 when unset or fine. */
int cg_check_before_update(const char *dir, const char *usage_file, const struct oci_memory *m,
                           struct husk_err *e);
int cg_write_i64(const char *dir, const char *file, int64_t v, const char *limit,
                 struct husk_err *e);

/* ---- appliers: path is the container cgroup ("/a/b"). ---- */
/* v1 controllers under CG_ROOT/<controller><path>. hugetlb_in_unified: the
 * host is hybrid and hugetlb lives in the unified tree (skip it here).
 * create: device rules are always set up (deny-all + defaults); on update
 * only when the update carries rules. */
int cg_apply_v1(const char *path, const struct oci_resources *r, bool hugetlb_in_unified,
                bool create, struct husk_err *e);
/* The v2 tree mounted at root. hybrid: only hugetlb and the unified map are
 * written there (every other controller is v1). */
int cg_apply_v2(const char *root, const char *path, const struct oci_resources *r, bool hybrid,
                struct husk_err *e);
/* linux.resources.devices on v2: the eBPF filter (bpf_devices.h) attached to
 * the cgroup, replacing ours from before. Called at create, and on update
 * when the update carries device rules. */
int cg_apply_v2_devices(const char *root, const char *path, const struct oci_resources *r,
                        struct husk_err *e);

#endif
