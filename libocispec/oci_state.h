/* The container state as `husk state` prints it (runtime.md "State", plus
 * runc's `rootfs`, `created` and `owner`) and as the state store keeps it. */
#ifndef HUSK_OCI_STATE_H
#define HUSK_OCI_STATE_H

#include "oci_spec.h"

struct oci_state {
  char *oci_version;
  char *id;
  char *status; /* creating | created | running | paused | stopped */
  int pid;      /* 0 when stopped */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339, UTC, nanoseconds */
  char *owner;   /* "" in `state`; user name or #uid in `list` */
  struct oci_map annotations;
};

/* Pretty (2-space indent, no trailing newline, like runc) when pretty is true;
 * compact otherwise. Returns a heap string or NULL on ENOMEM. */
char *oci_state_to_json(const struct oci_state *s, bool pretty);
/* JSON array of states for `list --format json` (runc prints `null` when n == 0). */
char *oci_state_list_to_json(const struct oci_state *states, size_t n);
int oci_state_parse(const char *data, size_t len, const char *name, struct oci_state *out,
                    char **errmsg);
void oci_state_clear(struct oci_state *s);

#endif
