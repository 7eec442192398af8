/* Where the user's containers are recorded: $XDG_RUNTIME_DIR/husk (else
 * /run/user/UID/husk). The directory must exist, belong to the user and be
 * 0700 (the XDG Base Directory rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

static void dir_item(const struct check_env *env, struct check_report *r, const char *dir,
                     const char *what)
{
  struct stat st;
  char fix[1024];
  const char *who = env->user ? env->user : "USER";
  if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
    snprintf(fix, sizeof fix, "install -d -m 0700 -o %s -g %u %s   # as root", who,
             (unsigned)env->gid, dir);
    check_add(r, "xdg", CHECK_PROBLEM, fix, "%s %s does not exist", what, dir);
  } else if (st.st_uid != env->uid) {
    snprintf(fix, sizeof fix, "chown %s %s   # as root", who, dir);
    check_add(r, "xdg", CHECK_PROBLEM, fix, "%s %s belongs to uid %u, not to %s", what, dir,
              (unsigned)st.st_uid, who);
  } else if ((st.st_mode & 07777) != 0700) {
    snprintf(fix, sizeof fix, "chmod 0700 %s", dir);
    check_add(r, "xdg", CHECK_PROBLEM, fix, "%s %s has mode %04o, not 0700", what, dir,
              (unsigned)(st.st_mode & 07777));
  } else {
    check_add(r, "xdg", CHECK_OK, NULL, "%s %s (owned by %s, mode 0700): state in %s/husk", what,
              dir, who, dir);
  }
}

void check_xdg(const struct check_env *env, struct check_report *r)
{
  char run_user[256], fix[1024];
  struct stat st;
  if (!env->rootless || env->uid == 0) {
    check_add(r, "xdg", CHECK_SKIPPED, NULL, "root keeps its state in /run/husk");
    return;
  }
  if (env->xdg && *env->xdg) {
    dir_item(env, r, env->xdg, "XDG_RUNTIME_DIR=");
    return;
  }
  snprintf(run_user, sizeof run_user, "%s/%u", env->run_user, (unsigned)env->uid);
  if (stat(run_user, &st) == 0) {
    size_t before = r->n;
    dir_item(env, r, run_user, "XDG_RUNTIME_DIR is not set; the fallback");
    if (r->n > before && r->v[before].status == CHECK_OK) {
      snprintf(fix, sizeof fix, "export XDG_RUNTIME_DIR=%s", run_user);
      free(r->v[before].fix);
      r->v[before].fix = strdup(fix);
      r->v[before].status = CHECK_WARNING;
    }
    return;
  }
  snprintf(fix, sizeof fix,
           "install -d -m 0700 -o %s -g %u %s   # as root (pam_systemd does it at login)\n"
           "export XDG_RUNTIME_DIR=%s",
           env->user ? env->user : "USER", (unsigned)env->gid, run_user, run_user);
  check_add(r, "xdg", CHECK_PROBLEM, fix,
            "XDG_RUNTIME_DIR is not set and %s does not exist: husk has nowhere to keep state",
            run_user);
}
