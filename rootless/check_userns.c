/* Can the user create user namespaces: the sysctls that gate them (upstream,
 * Debian/Ubuntu's unprivileged_userns_clone, Ubuntu 23.10+'s AppArmor switch),
 * then, on a real run, an actual attempt. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define PERSIST "/etc/sysctl.d/90-husk-userns.conf"

static void max_user_namespaces(const struct check_env *env, struct check_report *r)
{
  char *v = check_read_line(env->proc_sys, "user/max_user_namespaces");
  if (!v)
    check_add(r, "userns.max", CHECK_PROBLEM,
              "the kernel lacks user namespaces (CONFIG_USER_NS): boot a kernel built with it",
              "%s/user/max_user_namespaces is missing", env->proc_sys);
  else if (atol(v) <= 0)
    check_add(r, "userns.max", CHECK_PROBLEM,
              "sysctl -w user.max_user_namespaces=15000\n"
              "echo user.max_user_namespaces=15000 >> " PERSIST,
              "user.max_user_namespaces = %s: no user namespace can be created", v);
  else
    check_add(r, "userns.max", CHECK_OK, NULL, "user.max_user_namespaces = %s", v);
  free(v);
}

/* A distribution switch: missing on upstream kernels. */
static void distro_switch(const struct check_env *env, struct check_report *r, const char *file,
                          const char *id, const char *bad, const char *fix, const char *why)
{
  char *v = check_read_line(env->proc_sys, file);
  char name[128];
  snprintf(name, sizeof name, "%s", file);
  for (char *p = name; *p; p++)
    if (*p == '/')
      *p = '.';
  if (!v)
    check_add(r, id, CHECK_SKIPPED, NULL, "%s: not present on this kernel", name);
  else if (strcmp(v, bad) != 0)
    check_add(r, id, CHECK_OK, NULL, "%s = %s", name, v);
  else
    check_add(r, id, env->rootless ? CHECK_PROBLEM : CHECK_OK, env->rootless ? fix : NULL,
              "%s = %s: %s%s", name, v, why, env->rootless ? "" : " (root is not affected)");
  free(v);
}

/* The real thing, in a child: what the kernel answers this user. */
static void probe(const struct check_env *env, struct check_report *r)
{
  int fds[2], err = 0;
  pid_t pid;
  if (!env->probe_userns || pipe(fds) < 0)
    return;
  pid = fork();
  if (pid == 0) {
    int e = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
    if (write(fds[1], &e, sizeof e) < 0)
      _exit(1);
    _exit(0);
  }
  close(fds[1]);
  if (pid < 0 || read(fds[0], &err, sizeof err) != sizeof err)
    err = pid < 0 ? errno : EIO;
  close(fds[0]);
  if (pid > 0)
    waitpid(pid, NULL, 0);
  if (err == 0)
    check_add(r, "userns.create", CHECK_OK, NULL, "created a user namespace as uid %u",
              (unsigned)geteuid());
  else
    check_add(r, "userns.create", CHECK_PROBLEM,
              "see the userns.* items above; on Ubuntu 23.10+ also an AppArmor profile with "
              "`userns,` for husk",
              "unshare(CLONE_NEWUSER) as uid %u failed: %s", (unsigned)geteuid(), strerror(err));
}

void check_userns(const struct check_env *env, struct check_report *r)
{
  max_user_namespaces(env, r);
  distro_switch(env, r, "kernel/unprivileged_userns_clone", "userns.clone", "0",
                "sysctl -w kernel.unprivileged_userns_clone=1\n"
                "echo kernel.unprivileged_userns_clone=1 >> " PERSIST,
                "unprivileged users may not create user namespaces");
  distro_switch(env, r, "kernel/apparmor_restrict_unprivileged_userns", "userns.apparmor", "1",
                "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\n"
                "or keep it and install an AppArmor profile for husk: printf 'abi <abi/4.0>,\\n"
                "include <tunables/global>\\nprofile husk /usr/local/bin/husk flags=(unconfined) "
                "{\\n  userns,\\n}\\n' > /etc/apparmor.d/husk && apparmor_parser -r "
                "/etc/apparmor.d/husk",
                "AppArmor refuses user namespaces to unconfined programs");
  probe(env, r);
}
