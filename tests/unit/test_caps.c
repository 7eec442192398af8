/* Capability names → numbers and lists → masks (src/sandbox/caps.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/caps.h"
#include "tap.h"

int main(void)
{
  struct husk_err e = {0};
  uint64_t m = 0, unsup = 0;
  char *good[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE", NULL};
  char *bad[] = {"CAP_KILL", "CAP_FOO", NULL};
  char *lower[] = {"cap_kill", NULL};

  ok(caps_from_name("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
  ok(caps_from_name("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN is 21");
  ok(caps_from_name("CAP_AUDIT_WRITE") == 29, "CAP_AUDIT_WRITE is 29");
  ok(caps_from_name("CAP_BPF") == 39, "CAP_BPF is 39");
  ok(caps_from_name("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE is 40");
  ok(caps_from_name("CAP_FOO") == -1, "unknown name is -1");
  ok(caps_from_name("KILL") == -1, "names need the CAP_ prefix");
  ok(caps_from_name(NULL) == -1, "NULL is unknown");
  ok_str(caps_name(5), "CAP_KILL", "caps_name(5)");
  ok(caps_name(64) == NULL && caps_name(-1) == NULL, "caps_name out of range");
  for (int i = 0; i <= 40; i++)
    if (caps_from_name(caps_name(i)) != i)
      ok(0, "round trip %d", i);
  ok(1, "every name round-trips");
  ok(caps_last_cap() >= 36 && caps_last_cap() < 64, "cap_last_cap is sane (%d)", caps_last_cap());

  ok(caps_parse_list(good, "bounding", 40, &m, &unsup, &e) == 0, "parse a good list");
  ok(m == ((1ULL << 0) | (1ULL << 5) | (1ULL << 10) | (1ULL << 40)) && unsup == 0, "mask of a good list");
  m = unsup = 0;
  ok(caps_parse_list(good, "bounding", 38, &m, &unsup, &e) == 0, "kernel-unknown caps are not an error");
  ok(m == ((1ULL << 0) | (1ULL << 5) | (1ULL << 10)) && unsup == (1ULL << 40),
     "kernel-unknown caps are left out and reported");
  ok(caps_parse_list(NULL, "ambient", 40, &m, &unsup, &e) == 0 && m == 0, "absent list is empty");
  ok(caps_parse_list(bad, "effective", 40, &m, &unsup, &e) < 0, "unknown name fails");
  ok(e.msg && strncmp(e.msg, "process.capabilities.effective: unknown capability \"CAP_FOO\"", 60) == 0,
     "message names field and cap: %s", e.msg);
  herr_clear(&e);
  ok(caps_parse_list(lower, "permitted", 40, &m, &unsup, &e) < 0, "names are case-sensitive (as runc)");
  herr_clear(&e);
  return tap_done();
}
