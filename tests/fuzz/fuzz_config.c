/* config.json (and exec's process.json, update's resources) parser. Whatever
 * parses must serialise and parse again (the state dir keeps a copy). */
#include "fuzz.h"
#include "oci_spec.h"

static void roundtrip(const struct oci_spec *spec)
{
  char *json = oci_spec_to_json(spec), *msg = NULL;
  struct oci_spec *again = NULL;
  fuzz_check(json != NULL);
  if (oci_spec_parse(json, strlen(json), "roundtrip", &again, &msg) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", msg, json);
    abort();
  }
  oci_spec_free(again);
  free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct oci_spec *spec = NULL;
  struct oci_process *proc = NULL;
  struct oci_resources *res = NULL;
  char *msg = NULL;
  if (oci_spec_parse((const char *)data, size, "config.json", &spec, &msg) == 0) {
    fuzz_check(msg == NULL);
    roundtrip(spec);
    oci_spec_free(spec);
  } else {
    fuzz_check(msg != NULL && spec == NULL);
    free(msg);
  }
  msg = NULL;
  if (oci_process_parse((const char *)data, size, "process.json", &proc, &msg) == 0)
    oci_process_free(proc);
  free(msg);
  msg = NULL;
  if (oci_resources_parse((const char *)data, size, "resources.json", &res, &msg) == 0)
    oci_resources_free(res);
  free(msg);
  return 0;
}
