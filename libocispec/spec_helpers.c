/* Small pure helpers on the model. */
#include <string.h>

#include "oci_spec.h"

/* The last entry wins, matching how duplicate JSON keys are read. */
const char *oci_map_get(const struct oci_map *m, const char *key)
{
  for (size_t i = m ? m->n : 0; i-- > 0;)
    if (m->items[i].key && strcmp(m->items[i].key, key) == 0)
      return m->items[i].value;
  return NULL;
}

size_t oci_strv_len(char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

const struct oci_namespace *oci_linux_namespace(const struct oci_linux *l, const char *type)
{
  for (size_t i = 0; l && i < l->n_namespaces; i++)
    if (l->namespaces[i].type && strcmp(l->namespaces[i].type, type) == 0)
      return &l->namespaces[i];
  return NULL;
}
