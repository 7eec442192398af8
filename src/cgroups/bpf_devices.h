/* The cgroup v2 device controller: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE
 * program generated from the effective rule list (device_rules.h), loaded
 * with the raw bpf() syscall and attached to the container's cgroup.
 *
 * Program (r1 = struct bpf_cgroup_dev_ctx *): r3 = device type, r2 = the
 * requested access bits still undecided, r4 = major, r5 = minor. The rules
 * are checked from the last to the first; a matching deny rule that names an
 * undecided bit denies, a matching allow rule decides its bits (allow when
 * none is left undecided). Falling off the first rule denies. This is
 * cg_dev_rules_decide() compiled. */
#ifndef HUSK_CG_BPF_DEVICES_H
#define HUSK_CG_BPF_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>

#include "cgroups/device_rules.h"
#include "util/error.h"

/* The instructions (malloc'd into *out, *count of them). */
int cg_bpf_dev_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **out,
                       size_t *count, struct husk_err *e);

/* Loads the program for rules and attaches it to the cgroup directory cgdir
 * with BPF_F_ALLOW_MULTI, replacing the programs attached there before (our
 * own: the cgroup is the container's). Needs no RLIMIT_MEMLOCK on kernels
 * >= 5.11 (BPF memory is charged to the memory cgroup). */
int cg_bpf_dev_apply(const char *cgdir, const struct cg_dev_rule *rules, size_t n,
                     struct husk_err *e);

#endif
