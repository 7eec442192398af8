/* Fault injection for the robustness tests. A named point in the code calls
 * fault_point("name", e); when HUSK_FAULT names that point the process
 * misbehaves on purpose there:
 *
 *   HUSK_FAULT=<point>[=<action>][,<point>[=<action>]...]
 *     action  fail   (default) the call returns an error "injected fault at <point>"
 *             kill   the process SIGKILLs itself (a runtime killed mid-operation)
 *             stop   the process blocks forever (a runtime that hangs; kill it)
 *             slow   the process sleeps 0.5 s there and goes on (a race window held open)
 *
 * Without HUSK_FAULT this is one getenv per point. The variable is read from the
 * runtime's own environment, never from the container's. */
#ifndef HUSK_FAULT_H
#define HUSK_FAULT_H

#include <stdbool.h>

#include "util/error.h"

/* True when HUSK_FAULT names `point` (any action): for switches that make the
 * runtime take another path, e.g. "safepath:no-openat2" (the fallback walk). */
bool fault_is_set(const char *point);

/* Returns 0, or -1 with e set when the point is told to fail. */
int fault_point(const char *point, struct husk_err *e);

#endif
