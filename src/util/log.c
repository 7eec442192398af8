#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci_json.h"

/* Parsed command-line state only (the architecture's one allowed global). */
static int log_fd = -1;
static bool log_json;
static enum husk_log_level log_level = HUSK_LOG_WARNING;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int husk_log_init(const char *path, bool json, enum husk_log_level level)
{
  log_json = json;
  log_level = level;
  if (!path || !*path || strncmp(path, "journald:", 9) == 0 || strncmp(path, "syslog:", 7) == 0)
    return 0;
  if (strncmp(path, "file:", 5) == 0)
    path += 5;
  log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  return log_fd < 0 ? -errno : 0;
}

bool husk_log_enabled(enum husk_log_level level)
{
  return level <= log_level;
}

void husk_rfc3339_now(char *buf, unsigned len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  /* not strftime: it calls tzset(), which reads /etc/localtime (7 syscalls
   * per container) for a UTC time that needs no zone */
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

static void write_all(int fd, const char *s, size_t n)
{
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    s += w;
    n -= (size_t)w;
  }
}

static void emit(int fd, enum husk_log_level level, const char *msg)
{
  char now[64], *line = NULL;
  husk_rfc3339_now(now, sizeof now);
  if (log_json) {
    struct oci_json_gen *g = oci_json_gen_new(false);
    char *doc;
    oci_json_map_open(g);
    oci_json_kv_string(g, "level", level_names[level]);
    oci_json_kv_string(g, "msg", msg);
    oci_json_kv_string(g, "time", now);
    oci_json_map_close(g);
    doc = oci_json_gen_finish(g);
    oci_json_gen_free(g);
    if (doc && asprintf(&line, "%s\n", doc) < 0)
      line = NULL;
    free(doc);
  } else if (asprintf(&line, "%s %s: %s\n", now, level_names[level], msg) < 0) {
    line = NULL;
  }
  if (line)
    write_all(fd, line, strlen(line));
  free(line);
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  if (!husk_log_enabled(level))
    return;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (!msg)
    return;
  /* Warnings and debug go only to --log (stdout/stderr belong to the
   * container or to JSON consumers); without --log, debug goes to stderr. */
  if (log_fd >= 0)
    emit(log_fd, level, msg);
  else if (level == HUSK_LOG_DEBUG)
    emit(STDERR_FILENO, level, msg);
  free(msg);
}

void husk_warn_visible(const char *fmt, ...)
{
  char *msg = NULL, *line = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (!msg)
    return;
  if (log_fd >= 0)
    emit(log_fd, HUSK_LOG_WARNING, msg);
  else if (asprintf(&line, "husk: warning: %s\n", msg) >= 0)
    write_all(STDERR_FILENO, line, strlen(line));
  free(line);
  free(msg);
}

void husk_log_error(const char *msg)
{
  char *line = NULL;
  if (log_fd >= 0)
    emit(log_fd, HUSK_LOG_ERROR, msg);
  if (asprintf(&line, "husk: %s\n", msg) >= 0) {
    write_all(STDERR_FILENO, line, strlen(line));
    free(line);
  }
}
