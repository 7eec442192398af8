/* LSM labels — placeholder until the confinement work lands. */
#include <errno.h>

#include "sandbox/security.h"

int lsm_apply(const struct oci_process *p, struct husk_err *e)
{
  if (p->apparmor_profile && *p->apparmor_profile)
    return herr(e, ENOTSUP, "process.apparmorProfile: AppArmor support is not built yet");
  if (p->selinux_label && *p->selinux_label)
    return herr(e, ENOTSUP, "process.selinuxLabel: SELinux support is not built yet");
  return 0;
}
