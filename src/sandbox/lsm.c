/* LSM labels for the container program; both take effect at execve.
 *   SELinux (process.selinuxLabel): checked with libselinux, written to
 *     attr/exec. On a host with SELinux disabled the label is ignored (debug),
 *     as runc does.
 *   AppArmor (process.apparmorProfile): "exec <profile>" written to
 *     attr/apparmor/exec (attr/exec on old kernels).
 *   Both writes go through a private procfs instance (procfs.h), so nothing in
 *   the image can redirect them (CVE-2019-16884, CVE-2025-52881). Asking for a profile on a host
 *     without AppArmor is an error, as in runc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "sandbox/procfs.h"
#include "sandbox/security.h"
#include "util/log.h"

#define APPARMOR_ENABLED "/sys/module/apparmor/parameters/enabled"

static bool apparmor_enabled(void)
{
  char c = 0;
  int fd = open(APPARMOR_ENABLED, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (read(fd, &c, 1) != 1)
    c = 0;
  close(fd);
  return c == 'Y';
}

static int apparmor_apply(const char *profile, struct husk_err *e)
{
  char value[4096];
  int r;
  if ((size_t)snprintf(value, sizeof value, "exec %s", profile) >= sizeof value)
    return herr(e, ENAMETOOLONG, "process.apparmorProfile: too long");
  r = procfs_write_self_attr("apparmor/exec", value, e);
  if (r < 0 && e->errnum == ENOENT) /* kernels before the LSM stacking interface */
    r = procfs_write_self_attr("exec", value, e);
  return r < 0 ? herr_wrap(e, "process.apparmorProfile `%s`", profile) : 0;
}

static int selinux_apply(const char *label, struct husk_err *e)
{
#ifdef HAVE_SELINUX
  if (is_selinux_enabled() <= 0) {
    husk_debug("process.selinuxLabel `%s`: SELinux is disabled on the host, ignored", label);
    return 0;
  }
  if (security_check_context(label) < 0)
    return herr(e, EINVAL, "process.selinuxLabel `%s`: not a valid SELinux context", label);
  /* Not setexeccon(): it writes through whatever /proc the container shows
   * (CVE-2025-52881); our private procfs instance cannot be redirected. */
  if (procfs_write_self_attr("exec", label, e) < 0)
    return herr_wrap(e, "process.selinuxLabel: set the exec label `%s`", label);
  return 0;
#else
  int fd = open("/sys/fs/selinux/enforce", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    husk_debug("process.selinuxLabel `%s`: SELinux is disabled on the host, ignored", label);
    return 0;
  }
  close(fd);
  return herr(e, ENOTSUP, "process.selinuxLabel `%s`: husk was built without libselinux", label);
#endif
}

/* In the runtime, where the host's /sys is certainly visible. */
int lsm_validate(const struct oci_process *p, struct husk_err *e)
{
  if (p->apparmor_profile && *p->apparmor_profile && !apparmor_enabled())
    return herr(e, EINVAL,
                "process.apparmorProfile: apparmor profile %s specified but AppArmor is "
                "disabled on the host",
                p->apparmor_profile);
  return 0;
}

int lsm_apply(const struct oci_process *p, struct husk_err *e)
{
  if (p->apparmor_profile && *p->apparmor_profile && apparmor_apply(p->apparmor_profile, e) < 0)
    return -1;
  if (p->selinux_label && *p->selinux_label && selinux_apply(p->selinux_label, e) < 0)
    return -1;
  return 0;
}
