/* Helpers other programs need around husk: podman rootless (an overlay that
 * works in a user namespace, a user-mode network) and CRIU for checkpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Native overlayfs in a user namespace since Linux 5.11. */
static bool kernel_at_least(const char *release, int major, int minor)
{
  int a = 0, b = 0;
  if (!release || sscanf(release, "%d.%d", &a, &b) != 2)
    return false;
  return a > major || (a == major && b >= minor);
}

static void either(const struct check_env *env, struct check_report *r, const char *id,
                   const char *a, const char *b, const char *fix, const char *what)
{
  char *pa = check_which(env->path, a), *pb = pa ? NULL : check_which(env->path, b);
  if (pa || pb)
    check_add(r, id, CHECK_OK, NULL, "%s: %s", what, pa ? pa : pb);
  else
    check_add(r, id, CHECK_WARNING, fix, "%s: neither %s nor %s in PATH", what, a, b);
  free(pa);
  free(pb);
}

void check_tools(const struct check_env *env, struct check_report *r)
{
  char *criu = check_which(env->path, "criu");
  if (env->rootless && env->uid != 0) {
    char *fuse = check_which(env->path, "fuse-overlayfs");
    if (kernel_at_least(env->kernel_release, 5, 11))
      check_add(r, "podman.overlay", CHECK_OK, NULL,
                "overlayfs works in a user namespace on Linux %s%s%s", env->kernel_release,
                fuse ? "; fuse-overlayfs: " : "", fuse ? fuse : "");
    else if (fuse)
      check_add(r, "podman.overlay", CHECK_OK, NULL, "fuse-overlayfs: %s", fuse);
    else
      check_add(r, "podman.overlay", CHECK_WARNING, "apt install fuse-overlayfs",
                "Linux %s has no overlayfs in user namespaces and fuse-overlayfs is missing",
                env->kernel_release ? env->kernel_release : "?");
    free(fuse);
    either(env, r, "podman.network", "pasta", "slirp4netns",
           "apt install passt   # or: apt install slirp4netns", "user-mode networking for podman");
  } else {
    check_add(r, "podman.rootless", CHECK_SKIPPED, NULL,
              "fuse-overlayfs and slirp4netns/pasta matter for rootless podman only");
  }
  if (criu)
    check_add(r, "criu", CHECK_OK, NULL, "criu: %s (checkpoint/restore)", criu);
  else
    check_add(r, "criu", CHECK_WARNING, "apt install criu",
              "criu not in PATH: checkpoint/restore unavailable");
  free(criu);
}
