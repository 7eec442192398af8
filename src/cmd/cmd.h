/* Commands: one file each; all share the global options. */
#ifndef HUSK_CMD_H
#define HUSK_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"
#include "util/error.h"

struct husk_globals {
  char *root;
  const char *log;
  bool log_json, debug;
  enum cg_manager cgroup_manager;
  const char *rootless; /* true|false|auto (runc); accepted, informational */
  const char *cdi_spec_dirs; /* --cdi-spec-dir, ':'-separated; NULL: env or default */
  const char *criu;     /* --criu PATH (checkpoint/restore); NULL: $CRIU or criu */
};

struct husk_cmd {
  const char *name;
  const char *summary;
  int (*fn)(struct husk_globals *g, int argc, char **argv);
};

extern const struct husk_cmd husk_commands[];

/* Reports an error (stderr + --log) and returns the exit code 1. */
int cmd_fail(struct husk_err *e);
/* Parses per-command options with runc's conventions: --x=v and --x v, -x,
 * single-dash long names (-no-subreaper). in_order stops at the first
 * positional (exec, kill, ps). Returns the index of the first positional, or
 * -1 after printing an error. opt_fn handles each option. */
typedef int (*opt_fn)(int c, const char *arg, void *ctx);
#define HELP_OPTION {"help", no_argument, NULL, 'h'}
/* Returns -2 after printing help (exit 0). */
int cmd_parse(int argc, char **argv, const char *usage, const struct option *longopts,
              const char *shortopts, bool in_order, opt_fn fn, void *ctx);
/* Prints `husk CMD --help`: usage, summary, every option of longopts. */
void cmd_help(const char *cmd, const char *usage, const struct option *longopts,
              const char *shortopts);
/* Exactly n positionals required (or at least n when at_least). */
int cmd_need_args(int argc, int first, int n, bool at_least, const char *usage,
                  struct husk_err *e);

/* crun's --regex: fn for every container id under root matching pattern (ERE);
 * each failure is reported, and any makes the result -1. */
typedef int (*cmd_id_fn)(const char *id, void *ctx, struct husk_err *e);
int cmd_for_each_match(const char *root, const char *pattern, cmd_id_fn fn, void *ctx,
                       struct husk_err *e);

/* Foreground run/exec: relays the tty (master >= 0), forwards signals to pid,
 * reaps orphans, returns the exit code (128+n for a signal). */
int foreground_wait(pid_t pid, int master);

int cmd_create(struct husk_globals *g, int argc, char **argv);
int cmd_run(struct husk_globals *g, int argc, char **argv);
int cmd_start(struct husk_globals *g, int argc, char **argv);
int cmd_state(struct husk_globals *g, int argc, char **argv);
int cmd_kill(struct husk_globals *g, int argc, char **argv);
int cmd_delete(struct husk_globals *g, int argc, char **argv);
int cmd_list(struct husk_globals *g, int argc, char **argv);
int cmd_exec(struct husk_globals *g, int argc, char **argv);
int cmd_ps(struct husk_globals *g, int argc, char **argv);
int cmd_pause(struct husk_globals *g, int argc, char **argv);
int cmd_resume(struct husk_globals *g, int argc, char **argv);
int cmd_update(struct husk_globals *g, int argc, char **argv);
int cmd_events(struct husk_globals *g, int argc, char **argv);
int cmd_spec(struct husk_globals *g, int argc, char **argv);
int cmd_features(struct husk_globals *g, int argc, char **argv);
int cmd_check(struct husk_globals *g, int argc, char **argv);
int cmd_checkpoint(struct husk_globals *g, int argc, char **argv);
int cmd_restore(struct husk_globals *g, int argc, char **argv);
int cmd_restore_hooks(struct husk_globals *g, int argc, char **argv);
int cmd_cdi(struct husk_globals *g, int argc, char **argv);

#endif
