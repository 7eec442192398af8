/* The error type every fallible function fills: one message that names the
 * operation, the path or field, and the reason (errno text). Functions return
 * 0 on success and a negative value on failure; nothing prints from deep
 * inside — the command decides what to do with the message. */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>

struct husk_err {
  int errnum;  /* errno of the root cause, 0 if none */
  char *msg;   /* heap; NULL when no error */
};

/* Sets the error (replacing any previous one). When errnum != 0, appends
 * ": <strerror(errnum)>". Returns -1 (or -errnum when errnum != 0). */
int herr(struct husk_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like herr() but the message is complete: no ": <errno text>" appended
 * (for messages that already say what is wrong and how to fix it). */
int herr_msg(struct husk_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like herr() with errno. */
#define herr_sys(e, ...) herr((e), errno, __VA_ARGS__)
/* Prefixes the existing message with "<fmt>: ". Returns the same code. */
int herr_wrap(struct husk_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of a heap message (e.g. from libocispec). */
int herr_take(struct husk_err *e, int errnum, char *msg);
void herr_clear(struct husk_err *e);

#endif
