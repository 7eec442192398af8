/* seccomp — placeholder until the confinement work lands. */
#include <errno.h>
#include <sys/prctl.h>

#include "sandbox/security.h"

int seccomp_load(const struct oci_seccomp *s, bool no_new_privs, struct husk_err *e)
{
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return herr_sys(e, "set no_new_privs");
  if (s->set)
    return herr(e, ENOTSUP, "linux.seccomp: seccomp support is not built yet");
  return 0;
}
