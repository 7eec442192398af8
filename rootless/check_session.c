/* The systemd cgroup driver talks to systemd over D-Bus: the system instance
 * for root, the user's own instance (user session bus) for a user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

static bool is_socket(const char *path)
{
  struct stat st;
  return path && stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

void check_session(const struct check_env *env, struct check_report *r)
{
  char bus[512], priv[512], fix[512];
  if (!env->systemd_driver) {
    check_add(r, "systemd", CHECK_SKIPPED, NULL,
              "the cgroupfs driver is in use (add --systemd-cgroup to check the systemd one)");
    return;
  }
  if (!env->rootless || env->uid == 0) {
    if (is_socket(env->system_bus) || is_socket(env->systemd_private))
      check_add(r, "systemd", CHECK_OK, NULL, "systemd reachable (%s)",
                is_socket(env->systemd_private) ? env->systemd_private : env->system_bus);
    else
      check_add(r, "systemd", CHECK_PROBLEM, "husk --cgroup-manager cgroupfs ...",
                "neither %s nor %s exists: systemd is not running as PID 1", env->system_bus,
                env->systemd_private);
    return;
  }
  snprintf(bus, sizeof bus, "%s/bus", env->xdg && *env->xdg ? env->xdg : "/nonexistent");
  snprintf(priv, sizeof priv, "%s/systemd/private",
           env->xdg && *env->xdg ? env->xdg : "/nonexistent");
  if ((env->dbus && *env->dbus) || is_socket(bus) || is_socket(priv)) {
    check_add(r, "systemd", CHECK_OK, NULL, "user session: %s",
              env->dbus && *env->dbus ? env->dbus
              : is_socket(bus)        ? bus
                                      : priv);
    return;
  }
  snprintf(fix, sizeof fix,
           "apt install dbus-user-session && loginctl enable-linger %s   # as root; then log in "
           "again\nhusk --cgroup-manager cgroupfs ...",
           env->user ? env->user : "USER");
  check_add(r, "systemd", CHECK_PROBLEM, fix,
            "no user D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set and %s is not a socket",
            bus);
}
