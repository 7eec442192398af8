/* The generic JSON tree (oci_json.h) under the state record and CDI specs:
 * whatever parses must serialise and parse again to the same text. */
#include "fuzz.h"
#include "oci_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *msg = NULL, *once, *twice;
  struct oci_json *doc = oci_json_parse((const char *)data, size, "input", &msg), *again;
  if (!doc) {
    fuzz_check(msg != NULL);
    free(msg);
    return 0;
  }
  once = oci_json_to_string(doc, false);
  if (once) { /* NULL only for trees deeper than the generator's limit */
    again = oci_json_parse(once, strlen(once), "again", &msg);
    if (!again) {
      fprintf(stderr, "re-parse failed: %s\n%s\n", msg, once);
      abort();
    }
    twice = oci_json_to_string(again, false);
    fuzz_check(twice && strcmp(once, twice) == 0);
    free(twice);
    oci_json_free(again);
  }
  free(once);
  oci_json_free(doc);
  return 0;
}
