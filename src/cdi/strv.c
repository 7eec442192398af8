#include "cdi/strv.h"

#include <stdlib.h>
#include <string.h>

size_t cdi_strv_len(char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

int cdi_strv_push(char ***v, const char *s)
{
  size_t n = cdi_strv_len(*v);
  char *copy = strdup(s);
  char **nv = copy ? realloc(*v, (n + 2) * sizeof(*nv)) : NULL;
  if (!nv) {
    free(copy);
    return -1;
  }
  nv[n] = copy;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

char **cdi_strv_dup(char *const *v, int *ok)
{
  size_t n = cdi_strv_len(v);
  char **out;
  *ok = 1;
  if (!v)
    return NULL;
  out = calloc(n + 1, sizeof(*out));
  for (size_t i = 0; out && i < n; i++) {
    if (!(out[i] = strdup(v[i]))) {
      cdi_strv_free(out);
      out = NULL;
    }
  }
  if (!out)
    *ok = 0;
  return out;
}

void cdi_strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

int cdi_strv_contains(char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp(v[i], s) == 0)
      return 1;
  return 0;
}
