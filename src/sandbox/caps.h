/* Capability names and sets (the pure part of caps.c, unit-tested). */
#ifndef HUSK_CAPS_H
#define HUSK_CAPS_H

#include <stdint.h>

#include "util/error.h"

/* "CAP_CHOWN" → 0 ... "CAP_CHECKPOINT_RESTORE" → 40; -1 when unknown. */
int caps_from_name(const char *name);
/* The name of a capability number, or NULL past the table. */
const char *caps_name(int cap);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int caps_last_cap(void);
/* Turns a list of names into a bit mask. Unknown names fail naming the field
 * ("process.capabilities.<field>: unknown capability \"CAP_FOO\""); names the
 * kernel does not know (> last_cap) are left out and reported in *unsupported
 * (a mask of their numbers) so the caller can warn. */
int caps_parse_list(char *const *names, const char *field, int last_cap, uint64_t *mask,
                    uint64_t *unsupported, struct husk_err *e);

#endif
