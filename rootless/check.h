/* `husk check`: the rootless checklist people follow by hand, as a report.
 * Every check reads the machine through the paths in struct check_env, so
 * unit tests run them on crafted files (tests/unit/test_check.c). Each item
 * is ok, a problem (with the exact command that fixes it), a warning (an
 * optional feature missing) or skipped (does not apply). */
#ifndef HUSK_CHECK_H
#define HUSK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"

enum check_status { CHECK_OK, CHECK_WARNING, CHECK_PROBLEM, CHECK_SKIPPED };

struct check_item {
  char *id; /* stable name, e.g. "subuid" */
  enum check_status status;
  char *summary; /* what was found */
  char *fix;     /* the command(s) that fix it; NULL when nothing to do */
};

struct check_report {
  struct check_item *v;
  size_t n;
};

struct check_env {
  /* who is checked */
  const char *user; /* NULL when uid has no passwd entry */
  uid_t uid;
  gid_t gid;
  bool rootless;       /* check for an unprivileged user (uid != 0 or --rootless) */
  bool systemd_driver; /* the systemd cgroup driver was asked for */
  /* where things are (the real paths, or crafted ones in tests) */
  const char *proc_sys;    /* /proc/sys */
  const char *subuid;      /* /etc/subuid */
  const char *subgid;      /* /etc/subgid */
  const char *path;        /* $PATH for helper lookups */
  const char *xdg;         /* $XDG_RUNTIME_DIR (NULL or "" when unset) */
  const char *run_user;    /* /run/user */
  const char *cgroup_root; /* /sys/fs/cgroup */
  enum cg_layout cgroup_layout;
  const char *self_cgroup;     /* /proc/self/cgroup of the checked user's shell */
  const char *dbus;            /* $DBUS_SESSION_BUS_ADDRESS */
  const char *system_bus;      /* /run/dbus/system_bus_socket */
  const char *systemd_private; /* /run/systemd/private */
  const char *kernel_release;  /* uname -r */
  bool probe_userns;           /* also try to create a user namespace (real runs only) */
};

/* ---- the report ---- */
void check_add(struct check_report *r, const char *id, enum check_status st, const char *fix,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const struct check_item *check_find(const struct check_report *r, const char *id);
size_t check_count(const struct check_report *r, enum check_status st);
void check_report_free(struct check_report *r);
const char *check_status_name(enum check_status st);
/* Text for people; JSON ({"user","uid","rootless","ok","checks":[...]}). */
char *check_report_text(const struct check_report *r, const struct check_env *env);
char *check_report_json(const struct check_report *r, const struct check_env *env);

/* ---- the checks (one file each) ---- */
void check_userns(const struct check_env *env, struct check_report *r);  /* sysctls */
void check_subids(const struct check_env *env, struct check_report *r);  /* subuid/subgid */
void check_helpers(const struct check_env *env, struct check_report *r); /* newuidmap */
void check_xdg(const struct check_env *env, struct check_report *r);     /* state dir */
void check_cgroups(const struct check_env *env, struct check_report *r); /* delegation */
void check_session(const struct check_env *env, struct check_report *r); /* systemd/D-Bus */
void check_tools(const struct check_env *env, struct check_report *r);   /* podman, CRIU */
/* All of them, in the order a user sets things up. */
void check_all(const struct check_env *env, struct check_report *r);

/* ---- shared helpers ---- */
/* The first executable named prog in path (":"-separated). Heap string. */
char *check_which(const char *path, const char *prog);
/* Reads a one-line file (trimmed). NULL when missing. */
char *check_read_line(const char *dir, const char *file);

#endif
