/* Shared bits of the libFuzzer harnesses (docs/fuzzing.md). Each fuzz_*.c
 * defines LLVMFuzzerTestOneInput; it is linked either with libFuzzer
 * (--enable-fuzzers, clang) or with replay.c, which feeds it every file of
 * its corpus under `make check`. A broken invariant aborts, which both count
 * as a crash. */
#ifndef HUSK_FUZZ_H
#define HUSK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy (inputs are not strings). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if (!s)
    abort();
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#define fuzz_check(cond)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                 \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#endif
