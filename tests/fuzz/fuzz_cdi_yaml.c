/* CDI spec files in YAML (libyaml events → the generic tree → the same
 * decoder). A YAML document that parses must also serialise as JSON that
 * parses again (trees from YAML are re-emitted, e.g. by `husk cdi`). */
#include "fuzz_cdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *err = NULL, *json;
  struct oci_json *tree = cdi_yaml_parse((const char *)data, size, &err), *again;
  if (tree) {
    json = oci_json_to_string(tree, false);
    if (json) { /* NULL past the generator's depth limit, or for .inf/.nan */
      again = oci_json_parse(json, strlen(json), "yaml-as-json", &err);
      if (!again) {
        fprintf(stderr, "YAML tree re-emitted as invalid JSON: %s\n%s\n", err, json);
        abort();
      }
      oci_json_free(again);
      free(json);
    }
    oci_json_free(tree);
  } else {
    fuzz_check(err != NULL);
  }
  free(err);
  fuzz_cdi_spec(data, size, true);
  return 0;
}
