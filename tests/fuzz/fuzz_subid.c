/* /etc/subuid and /etc/subgid (rootless/subid.c): parsing and the range
 * arithmetic done with its result, for a user "alice" with uid 1000. */
#include "fuzz.h"
#include "subid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = fuzz_strndup(data, size);
  struct subid_file f;
  size_t bad = 0, mine = 0;
  uint64_t total, sum = 0;
  bool sum_overflowed = false;
  long other;
  if (subid_parse(text, &f, &bad) < 0) {
    free(text);
    return 0;
  }
  for (size_t i = 0; i < f.n; i++) {
    const struct subid_entry *en = &f.v[i];
    fuzz_check(en->owner && en->owner[0] && en->count > 0 && en->start + en->count > en->start);
    if (!subid_is_users(en, "alice", 1000))
      continue;
    sum_overflowed |= sum + en->count < sum;
    sum += en->count;
    /* every range of the user is delegated to the user */
    fuzz_check(subid_covers(&f, "alice", 1000, 1000, en->start, en->count));
    if (en->start <= UINT32_MAX && en->count <= UINT32_MAX - en->start) {
      struct oci_id_mapping m = {.container_id = 0, .host_id = (uint32_t)en->start,
                                 .size = (uint32_t)en->count};
      struct oci_id_mappings ms = {.n = 1, .items = &m};
      struct husk_err e = {0};
      fuzz_check(subid_check_mappings(&ms, "linux.uidMappings", SUBUID_FILE, &f, "alice", 1000,
                                      1000, &e) == 0);
    }
  }
  total = subid_user_total(&f, "alice", 1000);
  fuzz_check(sum_overflowed || total <= sum); /* the union is no larger than the parts */
  other = subid_overlap(&f, "alice", 1000, &mine);
  fuzz_check(other < 0 || ((size_t)other < f.n && mine < f.n));
  /* a mapping nobody delegated is refused with a message */
  {
    struct oci_id_mapping m = {.container_id = 0, .host_id = 4000000000u, .size = 7};
    struct oci_id_mappings ms = {.n = 1, .items = &m};
    struct husk_err e = {0};
    if (subid_check_mappings(&ms, "linux.gidMappings", SUBGID_FILE, &f, "alice", 1000, 1000, &e) <
        0)
      fuzz_check(e.msg != NULL);
    herr_clear(&e);
  }
  subid_file_free(&f);
  free(text);
  return 0;
}
