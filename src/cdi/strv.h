/* NULL-terminated heap string vectors, the shape libocispec uses for lists. */
#ifndef HUSK_CDI_STRV_H
#define HUSK_CDI_STRV_H

#include <stddef.h>

size_t cdi_strv_len(char *const *v);
/* Appends a heap copy of s; *v may be NULL. Returns -1 on ENOMEM. */
int cdi_strv_push(char ***v, const char *s);
/* Heap copy; NULL stays NULL (and so does an allocation failure: check ok). */
char **cdi_strv_dup(char *const *v, int *ok);
void cdi_strv_free(char **v);
int cdi_strv_contains(char *const *v, const char *s);

#endif
