/* Building the container. The parent (launch.c) clones the child into its
 * namespaces and answers it over a socketpair; the child (init.c) sets up the
 * rootfs and process in a fixed order and blocks before exec until `start`. */
#ifndef HUSK_SANDBOX_H
#define HUSK_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "container/state.h"
#include "sandbox/namespaces.h"
#include "oci_spec.h"
#include "util/error.h"

struct sandbox_opts {
  const char *console_socket; /* path; NULL when none */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;           /* extra fds after 2 (plus LISTEN_FDS) passed through */
  bool foreground;            /* `run` without -d: the caller waits for the init */
  int console_fd_out;         /* run in the foreground with a tty: receive the master here */
};

/* Everything the child needs, prepared by the parent before clone (the child
 * shares the parent's memory image up to that point). */
struct sandbox {
  const struct oci_spec *spec;
  const struct sandbox_opts *opts;
  struct container *c;
  struct ns_plan ns;
  char *rootfs;       /* absolute host path of root.path */
  int sync_fd;        /* child's end of the socketpair */
  int start_fd;       /* listening socket the init accepts `start` on */
  int console_sock;   /* connected console socket, or -1 */
  char *exec_path;    /* args[0] resolved at create time (child) */
  bool hooks_started; /* the create hooks began: a failure now owes poststop */
};

/* Runs the whole create: returns with the init blocked before exec, its pid in
 * c->pid, and nothing left behind on failure (the caller removes state). */
int sandbox_create(struct sandbox *sb, struct husk_err *e);
/* The child's entry point after clone; never returns. */
__attribute__((noreturn)) void sandbox_child(struct sandbox *sb);
/* Connects to start.sock of a created container and releases it. Returns 0
 * when the user program was exec'd (startContainer hooks passed). */
int sandbox_start(struct container *c, const struct oci_spec *spec, const char *state_json,
                  struct husk_err *e);

#endif
