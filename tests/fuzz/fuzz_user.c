/* exec -u/--user: "UID" or "UID:GID", decimal, below 2^32-1 (CVE-2026-30892). */
#include <ctype.h>

#include "cmd/exec_process.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = fuzz_strndup(data, size);
  uint32_t uid = 0, gid = 0;
  bool has_gid = false;
  struct husk_err e = {0};
  if (exec_parse_user(s, &uid, &gid, &has_gid, &e) == 0) {
    const char *colon = strchr(s, ':');
    fuzz_check(uid != UINT32_MAX && (!has_gid || gid != UINT32_MAX));
    fuzz_check(has_gid == (colon != NULL));
    fuzz_check(isdigit((unsigned char)s[0]));
    fuzz_check(!colon || isdigit((unsigned char)colon[1]));
    for (const char *p = s; *p; p++)
      fuzz_check(isdigit((unsigned char)*p) || p == colon);
  } else {
    fuzz_check(e.msg != NULL);
  }
  herr_clear(&e);
  free(s);
  return 0;
}
