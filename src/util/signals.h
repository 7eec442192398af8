/* Signal names and numbers as callers send them: "9", "KILL", "SIGKILL",
 * "sigkill", and the real-time forms RTMIN+n / RTMAX-n. */
#ifndef HUSK_SIGNALS_H
#define HUSK_SIGNALS_H

int signal_parse(const char *s);

#endif
