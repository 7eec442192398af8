/* CDI spec files in JSON (cdi_spec_parse: the tree, strict decode, validation). */
#include "fuzz_cdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_cdi_spec(data, size, false);
  return 0;
}
