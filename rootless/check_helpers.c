/* newuidmap/newgidmap: present, and setuid root or with file capabilities
 * (without one of those they cannot write another process's map). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "check.h"

static void one_helper(const struct check_env *env, struct check_report *r, const char *prog,
                       const char *cap)
{
  char *path = check_which(env->path, prog), fix[256];
  struct stat st;
  if (!path) {
    check_add(r, prog, env->rootless ? CHECK_PROBLEM : CHECK_WARNING,
              "apt install uidmap   # Fedora/RHEL: dnf install shadow-utils",
              "%s not found in PATH (%s): rootless maps beyond your own id are impossible", prog,
              env->path ? env->path : "");
    return;
  }
  if (stat(path, &st) < 0) {
    check_add(r, prog, CHECK_PROBLEM, NULL, "cannot stat %s", path);
  } else if (st.st_uid == 0 && (st.st_mode & S_ISUID)) {
    check_add(r, prog, CHECK_OK, NULL, "%s is setuid root", path);
  } else if (getxattr(path, "security.capability", NULL, 0) > 0) {
    check_add(r, prog, CHECK_OK, NULL, "%s has file capabilities", path);
  } else {
    snprintf(fix, sizeof fix, "setcap %s+ep %s   # or: chown root %s && chmod u+s %s", cap, path,
             path, path);
    check_add(r, prog, env->rootless ? CHECK_PROBLEM : CHECK_WARNING, fix,
              "%s is neither setuid root nor has file capabilities", path);
  }
  free(path);
}

void check_helpers(const struct check_env *env, struct check_report *r)
{
  one_helper(env, r, "newuidmap", "cap_setuid");
  one_helper(env, r, "newgidmap", "cap_setgid");
}
