/* mounts[].options: one option per input line. */
#include "fuzz.h"
#include "sandbox/mount_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = fuzz_strndup(data, size), **opts, *save = NULL;
  size_t n = 1;
  struct mount_opts mo;
  const char *bad = NULL;
  for (size_t i = 0; i < size; i++)
    n += data[i] == '\n';
  opts = calloc(n + 1, sizeof *opts);
  fuzz_check(opts != NULL);
  /* strsep, not strtok: empty options (",,") must reach the parser */
  save = text;
  for (size_t i = 0; i < n; i++)
    opts[i] = strsep(&save, "\n");
  if (mount_opts_parse(opts, &mo, &bad) < 0)
    fuzz_check(bad != NULL && *bad == '\0');
  else
    fuzz_check(!mo.recursive_bind || mo.bind);
  mount_opts_clear(&mo);
  free(opts);
  free(text);
  return 0;
}
