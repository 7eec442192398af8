#include "util/fault.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Finds `point` as a whole item of the comma-separated spec; returns its
 * action ("" when none) or NULL. */
static const char *fault_action_for(const char *spec, const char *point)
{
  size_t n = strlen(point);
  for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
    if (strncmp(p, point, n) != 0)
      continue;
    if (p[n] == '=')
      return p + n + 1;
    if (p[n] == ',' || p[n] == '\0')
      return "";
  }
  return NULL;
}

static int action_is(const char *action, const char *name)
{
  size_t n = strlen(name);
  return strncmp(action, name, n) == 0 && (action[n] == ',' || action[n] == '\0');
}

bool fault_is_set(const char *point)
{
  const char *spec = getenv("HUSK_FAULT");
  return spec && fault_action_for(spec, point) != NULL;
}

int fault_point(const char *point, struct husk_err *e)
{
  const char *spec = getenv("HUSK_FAULT");
  const char *action;
  if (spec == NULL || (action = fault_action_for(spec, point)) == NULL)
    return 0;
  if (action_is(action, "kill")) {
    kill(getpid(), SIGKILL);
    /* Still here: we are a pid namespace's init, which its own SIGKILL
     * does not reach. Die as abruptly. */
    _exit(128 + SIGKILL);
  }
  if (action_is(action, "stop"))
    for (;;)
      pause();
  if (action_is(action, "slow")) { /* a runtime descheduled here: widens a race window */
    struct timespec ts = {0, 500 * 1000 * 1000};
    while (nanosleep(&ts, &ts) < 0)
      ;
    return 0;
  }
  return herr(e, 0, "injected fault at %s", point);
}
