/* Shared helpers for the libocispec unit tests. */
#ifndef HUSK_TEST_OCISPEC_UTIL_H
#define HUSK_TEST_OCISPEC_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads tests/unit/data/ocispec/<name>, via $srcdir when automake sets it. */
static inline char *read_fixture(const char *name, size_t *len)
{
  const char *srcdir = getenv("srcdir");
  char path[4096];
  snprintf(path, sizeof(path), "%s/tests/unit/data/ocispec/%s", srcdir ? srcdir : ".", name);
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n + 1);
  if (buf && fread(buf, 1, n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (buf)
    buf[n] = '\0';
  fclose(f);
  *len = n;
  return buf;
}

static inline char *fixture_path(const char *name)
{
  static char path[4096];
  const char *srcdir = getenv("srcdir");
  snprintf(path, sizeof(path), "%s/tests/unit/data/ocispec/%s", srcdir ? srcdir : ".", name);
  return path;
}

#endif
