/* linux.resources.devices as one ordered rule list, shared by the v1 writer
 * (devices.allow/deny) and the v2 eBPF program (bpf_devices.h).
 *
 * The effective list is: deny all, then the spec's rules in order, with the
 * default allows (runc's AllowedDevices) inserted right after the last
 * deny-all rule of the spec (or first when there is none). Evaluation, the
 * same for both drivers: each requested access bit (m, r, w) is decided by
 * the last rule that matches the device and names that bit; a request is
 * allowed only when every one of its bits is. */
#ifndef HUSK_CG_DEVICE_RULES_H
#define HUSK_CG_DEVICE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

/* Access bits, the values of the kernel's BPF_DEVCG_ACC_* (linux/bpf.h). */
enum { CG_DEV_MKNOD = 1, CG_DEV_READ = 2, CG_DEV_WRITE = 4, CG_DEV_ALL = 7 };
#define CG_DEV_ANY (-1) /* wildcard major or minor */

struct cg_dev_rule {
  char type;     /* 'a' (both), 'b' or 'c' */
  int64_t major; /* CG_DEV_ANY or 0..INT32_MAX */
  int64_t minor;
  unsigned access; /* CG_DEV_* bits, never 0 */
  bool allow;
};

/* One spec rule checked and converted. -1 with *why set when invalid. */
int cg_dev_rule_parse(const struct oci_device_rule *in, struct cg_dev_rule *out, const char **why);
/* The v1 devices.allow/deny line: "a", or "c 1:3 rwm" with "*" wildcards. */
int cg_dev_rule_format(const struct cg_dev_rule *r, char *buf, size_t len);
/* The effective list described above (malloc'd into *out). Errors name the
 * bad rule: linux.resources.devices[N]. */
int cg_dev_rules_effective(const struct oci_resources *r, struct cg_dev_rule **out, size_t *n,
                           struct husk_err *e);
/* The decision for one request, straight from the list (the reference the
 * generated eBPF program is tested against). type 'b' or 'c'. 1 allow, 0 deny. */
int cg_dev_rules_decide(const struct cg_dev_rule *rules, size_t n, char type, uint32_t major,
                        uint32_t minor, unsigned access);

#endif
