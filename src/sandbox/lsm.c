/* LSM labels for the container program; both take effect at execve.
 *   SELinux (process.selinuxLabel): setexeccon() via libselinux. On a host
 *     with SELinux disabled the label is ignored (debug), as runc does.
 *   AppArmor (process.apparmorProfile): "exec <profile>" written to the
 *     attr/apparmor/exec file (attr/exec on old kernels) of a private procfs
 *     instance (procfs.h), so nothing in the image can redirect the write
 *     (CVE-2019-16884, CVE-2025-52881). Asking for a profile on a host
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
  char value[4096], rel[64];
  int procfd, r;
  if ((size_t)snprintf(value, sizeof value, "exec %s", profile) >= sizeof value)
    return herr(e, ENAMETOOLONG, "process.apparmorProfile: too long");
  if ((procfd = procfs_open_private(e)) < 0)
    return herr_wrap(e, "process.apparmorProfile");
  /* By pid, not "self": the private procfs is ours and the open refuses symlinks. */
  snprintf(rel, sizeof rel, "%d/attr/apparmor/exec", (int)getpid());
  r = procfs_write(procfd, rel, value, e);
  if (r < 0 && e->errnum == ENOENT) { /* kernels before the LSM stacking interface */
    snprintf(rel, sizeof rel, "%d/attr/exec", (int)getpid());
    r = procfs_write(procfd, rel, value, e);
  }
  close(procfd);
  return r < 0 ? herr_wrap(e, "process.apparmorProfile `%s`", profile) : 0;
}

static int selinux_apply(const char *label, struct husk_err *e)
{
#ifdef HAVE_SELINUX
  if (is_selinux_enabled() <= 0) {
    husk_debug("process.selinuxLabel `%s`: SELinux is disabled on the host, ignored", label);
    return 0;
  }
  if (setexeccon(label) < 0)
    return herr_sys(e, "process.selinuxLabel: set the exec label `%s`", label);
  return 0;
#else
  int fd = open("/sys/fs/selinux/enforce", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    husk_debug("process.selinuxLabel `%s`: SELinux is disabled on the host, ignored", label);
    return 0;
  }
  close(fd);
  return herr(e, ENOTSUP, "process.selinuxLabel `%s`: husk was built without libselinux",
              label);
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
