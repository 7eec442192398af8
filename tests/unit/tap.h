/* Minimal TAP producer for husk's C unit tests (automake runs each binary;
 * exit status 0 = pass). Use: ok(cond, "name %d", x); ... return tap_done(); */
#ifndef HUSK_TAP_H
#define HUSK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
  va_list ap;
  tap_count++;
  if (!cond)
    tap_failed++;
  printf("%sok %d - ", cond ? "" : "not ", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  return cond;
}

#define ok_str(got, want, name)                                                                \
  do {                                                                                         \
    const char *g_ = (got), *w_ = (want);                                                      \
    if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, "%s", name))                            \
      printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");     \
  } while (0)

static inline int tap_done(void)
{
  printf("1..%d\n", tap_count);
  if (tap_failed)
    printf("# %d of %d failed\n", tap_failed, tap_count);
  return tap_failed ? 1 : 0;
}

#endif
