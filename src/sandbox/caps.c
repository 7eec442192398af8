/* Capabilities — placeholder until the confinement work lands: the container
 * keeps the runtime's capability sets. */
#include <sys/prctl.h>

#include "sandbox/security.h"

int caps_validate(const struct oci_capabilities *c, struct husk_err *e)
{
  (void)c;
  (void)e;
  return 0;
}

int caps_prepare(struct husk_err *e)
{
  (void)e;
  return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ? -1 : 0;
}

int caps_apply(const struct oci_capabilities *c, struct husk_err *e)
{
  (void)c;
  (void)e;
  return 0;
}
