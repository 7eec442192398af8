/* Logging: text or JSON lines (`{"level","msg","time"}`, time RFC 3339) to the
 * --log file, and errors also to stderr (callers such as CRI-O read stderr). */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>

enum husk_log_level { HUSK_LOG_ERROR, HUSK_LOG_WARNING, HUSK_LOG_INFO, HUSK_LOG_DEBUG };

/* path may be NULL (stderr only), "file:PATH", or a plain path (crun's forms;
 * journald:/syslog: are accepted and mapped to stderr). */
int husk_log_init(const char *path, bool json, enum husk_log_level level);
void husk_log(enum husk_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Errors go to the log file (one line) and to stderr. */
void husk_log_error(const char *msg);
bool husk_log_enabled(enum husk_log_level level);
/* RFC 3339 UTC with nanoseconds into buf (>= 40 bytes). */
void husk_rfc3339_now(char *buf, unsigned len);

#define husk_debug(...) \
  do { if (husk_log_enabled(HUSK_LOG_DEBUG)) husk_log(HUSK_LOG_DEBUG, __VA_ARGS__); } while (0)
#define husk_warn(...) husk_log(HUSK_LOG_WARNING, __VA_ARGS__)
/* A warning the person running husk must see even without --log (a limit
 * that is not enforced): to --log when given, else to stderr. */
void husk_warn_visible(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
