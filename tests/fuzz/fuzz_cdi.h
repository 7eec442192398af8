/* Shared by the two CDI harnesses: one spec, parsed as JSON or as YAML. */
#ifndef HUSK_FUZZ_CDI_H
#define HUSK_FUZZ_CDI_H

#include "cdi/spec.h"
#include "fuzz.h"
#include "oci_json.h"

static inline void fuzz_cdi_spec(const uint8_t *data, size_t size, bool yaml)
{
  struct cdi_spec *spec = NULL;
  char *err = NULL;
  if (cdi_spec_parse((const char *)data, size, yaml, &spec, &err) == 0) {
    /* what validation promises the injector */
    fuzz_check(spec && spec->kind && spec->vendor && spec->class_ && spec->version);
    fuzz_check(cdi_version_index(spec->version) >= 0);
    fuzz_check(cdi_spec_min_version(spec) != NULL);
    for (size_t i = 0; i < spec->n_devices; i++)
      fuzz_check(spec->devices[i].name && spec->devices[i].name[0]);
    cdi_spec_free(spec);
  } else {
    fuzz_check(err != NULL && spec == NULL);
    free(err);
  }
}

#endif
