/* Which default state root: runc's rule (shouldHonorXDGRuntimeDir), so that husk
 * finds the same place runc would under every caller. Rootless podman runs the
 * runtime as uid 0 inside its user namespace with XDG_RUNTIME_DIR set and USER
 * unset; containerd and CRI-O as root run it in the initial namespace. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container/state.h"

bool state_root_is_users(uid_t euid, bool in_userns, const char *xdg, const char *user)
{
  if (euid != 0)
    return true;
  if (!in_userns || !xdg || !*xdg) /* the real root: /run/husk, whatever XDG says */
    return false;
  return !user || strcmp(user, "root") != 0;
}

bool running_in_userns(void)
{
  unsigned long inside, outside, count;
  bool initial = false;
  FILE *f = fopen("/proc/self/uid_map", "re");
  if (!f)
    return false;
  /* the initial user namespace maps everything: "0 0 4294967295" */
  if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
    initial = inside == 0 && outside == 0 && count == 4294967295UL;
  fclose(f);
  return !initial;
}

bool rootless_mode(const char *flag)
{
  if (flag && strcmp(flag, "true") == 0)
    return true;
  if (flag && strcmp(flag, "false") == 0)
    return false;
  /* auto, as runc: not root, or root only inside a user namespace (rootless podman) */
  return geteuid() != 0 || running_in_userns();
}
