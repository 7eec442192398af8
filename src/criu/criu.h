/* Checkpoint/restore by driving the `criu` program (CLI, not RPC).
 *
 *   criu_args.c    the argument lists for criu dump/pre-dump/restore, and the
 *                  excerpt of CRIU's log an error carries (pure logic)
 *   criu_mounts.c  which container mounts CRIU must treat as external (bind
 *                  mounts, masked files, host device nodes, cgroup binds,
 *                  /dev/console) and where they come from on restore
 *   criu_stdio.c   the init's stdio at dump (pipes, ttys, host files) recorded
 *                  in descriptors.json, and handed back on restore
 *   criu_run.c     runs criu (optionally inside the container's cgroup) and
 *                  turns a failure into an error with the log's lines */
#ifndef HUSK_CRIU_H
#define HUSK_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"
#include "oci_spec.h"
#include "util/error.h"

/* A growing NULL-terminated string vector. */
struct svec {
  char **v;
  size_t n, cap;
};
int sv_add(struct svec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool sv_has(const struct svec *s, const char *str);
void sv_free(struct svec *s);

/* Options shared by checkpoint and restore (runc's names). */
struct criu_opts {
  const char *image_path, *work_path;
  const char *manage_cgroups_mode; /* soft|full|strict|ignore; NULL: soft */
  const char *empty_ns;            /* "network" (runc) or "net" */
  bool tcp_established, ext_unix_sk, shell_job, file_locks, lazy_pages, auto_dedup;
  /* checkpoint only */
  const char *parent_path, *page_server;
  int status_fd;
  bool leave_running, pre_dump, tcp_skip_in_flight, link_remap;
  /* restore only */
  bool tcp_close;
  const char *lsm_profile, *lsm_mount_context;
};

/* What the dump needs besides the options. */
struct criu_dump_ctx {
  pid_t pid;
  const char *freeze_cgroup; /* freezer directory, or NULL */
  bool track_mem;            /* --track-mem: pre-dump, or a dump with a parent */
  struct svec external;      /* --external values */
};

/* What the restore needs besides the options. */
struct criu_restore_ctx {
  const char *root;          /* the rootfs (host path) */
  const char *cgroup_root;   /* the container's cgroup path, or NULL */
  const char *pidfile;       /* absolute; must not exist */
  struct svec external;      /* --external values: mnt[KEY]:HOSTPATH */
  struct svec inherit;       /* --inherit-fd values: fd[N]:ID */
  const char *action_script; /* --action-script (sh -c), or NULL */
};

int criu_valid_cgroups_mode(const char *mode);
/* argv for `criu dump|pre-dump ...` (argv[0] = criu). */
int criu_dump_argv(const char *criu, const struct criu_opts *o, const struct criu_dump_ctx *x,
                   struct svec *out, struct husk_err *e);
int criu_restore_argv(const char *criu, const struct criu_opts *o, const struct criu_restore_ctx *x,
                      struct svec *out, struct husk_err *e);
/* The lines of a CRIU log worth showing in an error: the "Error (" lines
 * (minus known noise), at most max, else the last lines. Heap string. */
char *criu_log_excerpt(const char *log, size_t max);

/* One line of /proc/PID/mountinfo. */
struct mnt_entry {
  int id;
  char *root, *mountpoint, *fstype;
};
struct mnt_list {
  struct mnt_entry *v;
  size_t n;
};
int mountinfo_parse(const char *text, struct mnt_list *out);
int mountinfo_read(pid_t pid, struct mnt_list *out, struct husk_err *e);
void mnt_list_free(struct mnt_list *l);
const struct mnt_entry *mnt_list_find(const struct mnt_list *l, const char *mountpoint);

/* Dump: --external mnt[MP]:MP for every mount of the container that CRIU
 * cannot rebuild from inside it. */
int criu_dump_mounts(const struct oci_spec *spec, const struct mnt_list *mounts,
                     struct svec *external);
/* Restore: mnt[MP]:HOST for every mount the dump may have marked external,
 * from the restore-time config (bundle: for relative bind sources; cg: the
 * new cgroup; console: the new pty's host path, or NULL; hierarchies: the
 * host's v1 hierarchy names, NULL-terminated). */
int criu_restore_mounts(const struct oci_spec *spec, const char *bundle, const struct cgroup *cg,
                        const char *const *hierarchies, const char *console, struct svec *external);

/* The init's fds 0-2 at dump: what each is, for CRIU ("pipe:[N]",
 * "file[MNT:INO]", "tty[RDEV:DEV]" or a plain path). */
struct criu_stdio {
  char *id[3];
};
int criu_stdio_inspect(pid_t pid, const struct mnt_list *mounts, struct criu_stdio *s,
                       struct husk_err *e);
/* --external values the dump needs for them. */
int criu_stdio_dump_external(const struct criu_stdio *s, struct svec *external);
/* descriptors.json in the image directory. */
int criu_stdio_save(const char *image_dir, const struct criu_stdio *s, struct husk_err *e);
int criu_stdio_load(const char *image_dir, struct criu_stdio *s, struct husk_err *e);
/* --inherit-fd values: our fd i stands for the dumped fd i; a tty is
 * replaced by tty_fd (the new pty's peer, or -1: error). */
int criu_stdio_inherit(const struct criu_stdio *s, int tty_fd, struct svec *inherit,
                       struct husk_err *e);
bool criu_stdio_has_tty(const struct criu_stdio *s);
void criu_stdio_free(struct criu_stdio *s);

/* Runs criu with argv. log: the log file CRIU writes (for the error);
 * cg: join this cgroup first (restore), or NULL; keep_fds: fds (>= 3) criu
 * must inherit, -1 terminated. Fills e with the log's lines on failure. */
int criu_run(char *const *argv, const char *what, const char *log, const struct cgroup *cg,
             const int *keep_fds, bool with_stdio, struct husk_err *e);
/* 1 when `criu check --feature NAME` passes, 0 otherwise. */
int criu_has_feature(const char *criu, const char *feature);
/* The criu binary: --criu, else $CRIU, else "criu". */
const char *criu_binary(const char *opt);

#endif
