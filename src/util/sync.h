/* The parent/child protocol during create: one SOCK_SEQPACKET socketpair,
 * one small message per step. Errors from the child travel as SYNC_ERROR with
 * the full message text, so the parent reports exactly what failed inside. */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stdint.h>

enum sync_type {
  SYNC_ERROR = 1,     /* child → parent: text = message, value = errno */
  SYNC_MAPS_DONE,     /* parent → child: uid/gid maps written, cgroup joined */
  SYNC_PID,           /* child → parent: value = pid of the real init (after an extra fork) */
  SYNC_MOUNTS_DONE,   /* child → parent: run prestart/createRuntime hooks now */
  SYNC_HOOKS_DONE,    /* parent → child: hooks ran; continue */
  SYNC_READY,         /* child → parent: blocked before exec; value = pid in container */
  SYNC_START,         /* start → init: go */
  SYNC_EXEC_ERROR,    /* init → start: exec or startContainer failed */
  SYNC_SECCOMP,       /* init → start: about to load a filter with a notify listener;
                         start → init: connected to the agent, load it */
  SYNC_SECCOMP_DONE,  /* start → init: the agent has the listener; go on to exec */
  SYNC_STARTING,      /* init → start: startContainer hooks passed, exec next (EOF
                         without it: the init died before the user's program) */
};

struct sync_msg {
  uint32_t type;
  int32_t value;
  char text[4088];
};

int sync_send(int fd, enum sync_type type, int value, const char *text);
/* Waits up to timeout_ms (-1: forever). Returns 0, -ETIMEDOUT, -EPIPE on EOF. */
int sync_recv(int fd, struct sync_msg *m, int timeout_ms);

#endif
