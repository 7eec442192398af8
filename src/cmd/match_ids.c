/* crun's --regex for kill and delete: the ID argument is a POSIX extended regular
 * expression and the action applies to every container whose id matches. */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "container/state.h"

int cmd_for_each_match(const char *root, const char *pattern, cmd_id_fn fn, void *ctx,
                       struct husk_err *e)
{
  regex_t re;
  char **ids = NULL, buf[256];
  size_t n = 0;
  int rc, failed = 0;
  if ((rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
    regerror(rc, &re, buf, sizeof buf);
    return herr(e, EINVAL, "--regex `%s`: %s", pattern, buf);
  }
  if (state_list_ids(root, &ids, &n, e) < 0) {
    regfree(&re);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    struct husk_err one = {0};
    if (regexec(&re, ids[i], 0, NULL, 0) == 0 && fn(ids[i], ctx, &one) < 0) {
      cmd_fail(&one); /* report each failure, go on with the others */
      failed = 1;
    }
    free(ids[i]);
  }
  free(ids);
  regfree(&re);
  return failed ? herr(e, EIO, "--regex `%s`: not every matching container was handled", pattern)
                : 0;
}
