/* The state readers: husk's own record (<root>/<id>/state.json, read by
 * every command after create) and the OCI state that `state` prints and
 * hooks receive (oci_state_parse, used by list). */
#include <limits.h>

#include "container/state.h"
#include "fuzz.h"
#include "oci_state.h"

static void record(const uint8_t *data, size_t size)
{
  struct container c = {.dirfd = -1};
  struct husk_err e = {0};
  if (container_record_parse(&c, (const char *)data, size, &e) == 0) {
    fuzz_check(c.pid >= 0);
    fuzz_check(c.cgroup.layout >= CG_LAYOUT_NONE && c.cgroup.layout <= CG_LAYOUT_LAST);
    fuzz_check(!c.cgroup.path || (c.cgroup.path[0] == '/' && !strstr(c.cgroup.path, "/..")));
  } else {
    fuzz_check(e.msg != NULL);
  }
  herr_clear(&e);
  container_close(&c);
}

static void oci_state(const uint8_t *data, size_t size)
{
  struct oci_state st = {0}, again = {0};
  char *msg = NULL, *json;
  if (oci_state_parse((const char *)data, size, "state", &st, &msg) < 0) {
    fuzz_check(msg != NULL);
    free(msg);
    oci_state_clear(&st);
    return;
  }
  json = oci_state_to_json(&st, false);
  fuzz_check(json != NULL);
  if (oci_state_parse(json, strlen(json), "again", &again, &msg) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", msg, json);
    abort();
  }
  oci_state_clear(&again);
  oci_state_clear(&st);
  free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  record(data, size);
  oci_state(data, size);
  return 0;
}
