/* Typing a YAML scalar (see yaml_scalar.c). */
#ifndef HUSK_CDI_YAML_SCALAR_H
#define HUSK_CDI_YAML_SCALAR_H

#include <stdbool.h>

#include "oci_json.h"

/* v->string holds the scalar's text; v (a STRING node) becomes NULL, BOOL or
 * NUMBER when the tag or the plain-scalar rules say so. -1 + *why (heap). */
int cdi_yaml_resolve(struct oci_json *v, const char *tag, bool plain, char **why);

#endif
