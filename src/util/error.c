#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int code_of(int errnum) { return errnum > 0 ? -errnum : -1; }

int herr(struct husk_err *e, int errnum, const char *fmt, ...)
{
  char *base = NULL, *full = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&base, fmt, ap) < 0)
    base = NULL;
  va_end(ap);
  if (base && errnum > 0 && asprintf(&full, "%s: %s", base, strerror(errnum)) >= 0) {
    free(base);
    base = full;
  }
  return herr_take(e, errnum, base);
}

int herr_msg(struct husk_err *e, int errnum, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  return herr_take(e, errnum, msg);
}

int herr_take(struct husk_err *e, int errnum, char *msg)
{
  if (!e) {
    free(msg);
    return code_of(errnum);
  }
  free(e->msg);
  e->msg = msg ? msg : strdup("out of memory");
  e->errnum = errnum;
  return code_of(errnum);
}

int herr_wrap(struct husk_err *e, const char *fmt, ...)
{
  char *prefix = NULL, *full = NULL;
  va_list ap;
  if (!e)
    return -1;
  va_start(ap, fmt);
  if (vasprintf(&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end(ap);
  if (prefix && asprintf(&full, "%s: %s", prefix, e->msg ? e->msg : "unknown error") >= 0) {
    free(e->msg);
    e->msg = full;
  }
  free(prefix);
  return code_of(e->errnum);
}

void herr_clear(struct husk_err *e)
{
  free(e->msg);
  e->msg = NULL;
  e->errnum = 0;
}
