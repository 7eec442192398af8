#include "xdg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *xdg_var(void)
{
  const char *x = getenv("XDG_RUNTIME_DIR");
  return x && *x ? x : NULL;
}

char *xdg_state_root(void)
{
  const char *x = xdg_var();
  char *out = NULL;
  if (x)
    return asprintf(&out, "%s/husk", x) < 0 ? NULL : out;
  return asprintf(&out, "/run/user/%u/husk", geteuid()) < 0 ? NULL : out;
}

int xdg_state_root_error(const char *root, int err, struct husk_err *e)
{
  const char *x = xdg_var();
  struct stat st;
  char dir[64];
  if (x)
    return herr_msg(e, err,
                    "state directory `%s`: cannot create it under XDG_RUNTIME_DIR=%s (%s): point "
                    "XDG_RUNTIME_DIR at a directory you own with mode 0700, or pass --root DIR",
                    root, x, strerror(err));
  snprintf(dir, sizeof dir, "/run/user/%u", geteuid());
  if (stat(dir, &st) < 0)
    return herr_msg(
        e, err,
        "no state directory: XDG_RUNTIME_DIR is not set and %s does not exist (no login "
        "session created it): set XDG_RUNTIME_DIR to a directory you own with mode 0700, "
        "or have root run `install -d -m 0700 -o %u %s` (what pam_systemd does at login), "
        "or pass --root DIR",
        dir, geteuid(), dir);
  return herr_msg(
      e, err,
      "state directory `%s`: cannot create it (%s): XDG_RUNTIME_DIR is not set and %s is "
      "not writable by uid %u; set XDG_RUNTIME_DIR to a directory you own with mode "
      "0700, or pass --root DIR",
      root, strerror(err), dir, geteuid());
}
