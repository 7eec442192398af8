/* Where an unprivileged user's containers are recorded: $XDG_RUNTIME_DIR/husk,
 * or /run/user/UID/husk when the variable is unset or empty (runc's rule). */
#ifndef HUSK_XDG_H
#define HUSK_XDG_H

#include <stdbool.h>

#include "util/error.h"

/* The default state root for a caller that is not root. Heap string. */
char *xdg_state_root(void);
/* Fills e when root (the default root) cannot be created, saying which
 * variable or directory is missing and what to do. Returns -1. */
int xdg_state_root_error(const char *root, int err, struct husk_err *e);

#endif
