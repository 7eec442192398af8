/* cgroups for an unprivileged user: which tree there is, whether the user's
 * own cgroup v2 is delegated (owned by the user, as systemd's Delegate=
 * makes it), and which controllers it hands down. Without delegation the
 * containers still run; their limits are not enforced (husk warns). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "util/fs.h"

#define DROPIN "/etc/systemd/system/user@.service.d/delegate.conf"
#define WANTED "cpu cpuset io memory pids"
#define TO_V2 "boot the kernel with systemd.unified_cgroup_hierarchy=1 (cgroup v2)"

static const char *layout_name(enum cg_layout l)
{
  switch (l) {
  case CG_LAYOUT_V2:
    return "cgroup v2";
  case CG_LAYOUT_HYBRID:
    return "hybrid (cgroup v1 controllers + a cgroup v2 tree at unified/)";
  case CG_LAYOUT_V1:
    return "cgroup v1";
  default:
    return "no cgroup filesystem";
  }
}

/* The "0::" path in a /proc/PID/cgroup file. */
static char *own_path(const char *file)
{
  char *data = NULL, *out = NULL;
  if (read_file_at(AT_FDCWD, file, &data, NULL, NULL) < 0)
    return NULL;
  for (char *l = data; l && *l;) {
    char *nl = strchr(l, '\n');
    if (nl)
      *nl = '\0';
    if (!strncmp(l, "0::", 3))
      out = strdup(l + 3);
    l = nl ? nl + 1 : NULL;
  }
  free(data);
  return out;
}

static bool owned_by(const char *path, uid_t uid)
{
  struct stat st;
  return stat(path, &st) == 0 && st.st_uid == uid;
}

static void controllers(const struct check_env *env, struct check_report *r, const char *dir)
{
  char *avail = check_read_line(dir, "cgroup.controllers");
  char *sub = check_read_line(dir, "cgroup.subtree_control"), missing[128] = "";
  const char *w = WANTED;
  while (*w) {
    size_t n = strcspn(w, " ");
    bool have = false;
    for (const char *p = avail ? avail : ""; *p;) {
      size_t m = strcspn(p, " ");
      have |= m == n && !strncmp(p, w, n);
      p += m + (p[m] == ' ');
    }
    if (!have)
      snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%.*s",
               missing[0] ? " " : "", (int)n, w);
    w += n + (w[n] == ' ');
  }
  if (!missing[0])
    check_add(r, "cgroups.controllers", CHECK_OK, NULL,
              "delegated controllers: %s (enabled for children: %s)", avail,
              sub && *sub ? sub : "none yet");
  else
    check_add(r, "cgroups.controllers", CHECK_WARNING,
              env->cgroup_layout == CG_LAYOUT_V2
                  ? "mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\n"
                    "Delegate=" WANTED "\\n' > " DROPIN " && systemctl daemon-reload   # as "
                    "root; then log in again"
                  : TO_V2,
              "delegated controllers: `%s`; missing %s, so those limits are not enforced%s",
              avail ? avail : "", missing,
              env->cgroup_layout == CG_LAYOUT_HYBRID
                  ? " (a hybrid host: they are cgroup v1, which is never delegated)"
                  : "");
  free(avail);
  free(sub);
}

void check_cgroups(const struct check_env *env, struct check_report *r)
{
  char dir[4096], procs[4200], *own;
  const char *base;
  if (!env->rootless || env->uid == 0) {
    check_add(r, "cgroups", env->cgroup_layout == CG_LAYOUT_NONE ? CHECK_PROBLEM : CHECK_OK,
              env->cgroup_layout == CG_LAYOUT_NONE ? "mount -t cgroup2 none /sys/fs/cgroup" : NULL,
              "%s at %s (root manages cgroups directly)", layout_name(env->cgroup_layout),
              env->cgroup_root);
    return;
  }
  if (env->cgroup_layout != CG_LAYOUT_V2 && env->cgroup_layout != CG_LAYOUT_HYBRID) {
    check_add(r, "cgroups", CHECK_WARNING, TO_V2,
              "%s: no cgroup v2 tree, nothing can be delegated: containers run without limits",
              layout_name(env->cgroup_layout));
    return;
  }
  check_add(r, "cgroups", CHECK_OK, NULL, "%s", layout_name(env->cgroup_layout));
  base = env->cgroup_layout == CG_LAYOUT_V2 ? "" : "/unified";
  if (!env->self_cgroup) {
    check_add(r, "cgroups.delegation", CHECK_SKIPPED, NULL,
              "run husk check as the user to see its own cgroup");
    return;
  }
  if (!(own = own_path(env->self_cgroup))) {
    check_add(r, "cgroups.delegation", CHECK_WARNING, NULL, "no cgroup v2 entry in %s",
              env->self_cgroup);
    return;
  }
  snprintf(dir, sizeof dir, "%s%s%s", env->cgroup_root, base, strcmp(own, "/") ? own : "");
  snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
  if (!owned_by(dir, env->uid) || !owned_by(procs, env->uid)) {
    struct stat st;
    char fix[1024], mine[512];
    snprintf(mine, sizeof mine, "%s%s/%s", env->cgroup_root, base, env->user ? env->user : "USER");
    snprintf(fix, sizeof fix,
             "systemd-run --user --scope -p Delegate=yes husk run ...   # with a systemd user "
             "session\n"
             "D=%s; mkdir $D && chown %u $D $D/cgroup.procs $D/cgroup.subtree_control "
             "$D/cgroup.threads && echo $SHELL_PID > $D/cgroup.procs   # without systemd, as "
             "root; SHELL_PID: the shell you start husk from",
             mine, (unsigned)env->uid);
    check_add(r, "cgroups.delegation", CHECK_WARNING, fix,
              "your cgroup %s (%s) is not delegated to uid %u (owned by uid %d): containers "
              "run, but their limits are not enforced, pause and update are unavailable",
              own, dir, (unsigned)env->uid, stat(dir, &st) == 0 ? (int)st.st_uid : -1);
    free(own);
    return;
  }
  check_add(r, "cgroups.delegation", CHECK_OK, NULL, "your cgroup %s is delegated to you", own);
  controllers(env, r, dir);
  free(own);
}
