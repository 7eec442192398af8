#include "cdi/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/strv.h"
#include "oci_spec.h"

static bool is_letter(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}
static bool is_alnum(char c)
{
  return is_letter(c) || is_digit(c);
}

/* vendor and class share one rule; `extra` lists what may appear inside. */
static int validate_segment(const char *s, const char *extra, bool digit_first, const char **why)
{
  size_t n = s ? strlen(s) : 0;
  if (n == 0)
    return *why = "is empty", -1;
  if (!is_letter(s[0]) && !(digit_first && is_digit(s[0])))
    return *why =
               digit_first ? "should start with a letter or digit" : "should start with a letter",
           -1;
  for (size_t i = 1; i + 1 < n; i++)
    if (!is_alnum(s[i]) && !strchr(extra, s[i]))
      return *why = "contains an invalid character", -1;
  if (!is_alnum(s[n - 1]))
    return *why = "should end with a letter or digit", -1;
  return 0;
}

int cdi_validate_vendor(const char *vendor, const char **why)
{
  return validate_segment(vendor, "_-.", false, why);
}

int cdi_validate_class(const char *class_, const char **why)
{
  return validate_segment(class_, "_-.", false, why);
}

int cdi_validate_device_name(const char *name, const char **why)
{
  return validate_segment(name, "_-.:", true, why);
}

int cdi_split_kind(const char *kind, char **vendor, char **class_)
{
  const char *slash = kind ? strchr(kind, '/') : NULL;
  if (!slash || slash == kind || !slash[1])
    return -1;
  *vendor = strndup(kind, (size_t)(slash - kind));
  *class_ = strdup(slash + 1);
  if (!*vendor || !*class_) {
    free(*vendor);
    free(*class_);
    *vendor = *class_ = NULL;
    return -1;
  }
  return 0;
}

void cdi_name_clear(struct cdi_name *n)
{
  free(n->vendor);
  free(n->class_);
  free(n->device);
  n->vendor = n->class_ = n->device = NULL;
}

__attribute__((format(printf, 3, 4))) static int fail(char **err, struct cdi_name *out,
                                                      const char *fmt, ...)
{
  va_list ap;
  if (err) { /* format first: the arguments may point into *out */
    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
      *err = NULL;
    va_end(ap);
  }
  cdi_name_clear(out);
  return -1;
}

int cdi_parse_qualified(const char *s, struct cdi_name *out, char **err)
{
  const char *eq = s ? strchr(s, '=') : NULL, *why = NULL;
  char *kind;
  *out = (struct cdi_name){0};
  if (err)
    *err = NULL;
  if (!s || !*s || s[0] == '/' || !eq || eq == s || !eq[1])
    return fail(err, out, "`%s`: not a qualified CDI device name (vendor/class=name)", s ? s : "");
  kind = strndup(s, (size_t)(eq - s));
  if (!kind || cdi_split_kind(kind, &out->vendor, &out->class_) < 0) {
    free(kind);
    return fail(err, out, "`%s`: not a qualified CDI device name (vendor/class=name)", s);
  }
  free(kind);
  if (!(out->device = strdup(eq + 1)))
    return fail(err, out, "`%s`: out of memory", s);
  if (cdi_validate_vendor(out->vendor, &why) < 0)
    return fail(err, out, "invalid CDI device name `%s`: vendor `%s` %s", s, out->vendor, why);
  if (cdi_validate_class(out->class_, &why) < 0)
    return fail(err, out, "invalid CDI device name `%s`: class `%s` %s", s, out->class_, why);
  if (cdi_validate_device_name(out->device, &why) < 0)
    return fail(err, out, "invalid CDI device name `%s`: device name `%s` %s", s, out->device, why);
  return 0;
}

bool cdi_is_qualified(const char *s)
{
  struct cdi_name n;
  int r = cdi_parse_qualified(s, &n, NULL);
  cdi_name_clear(&n);
  return r == 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One annotation value: "a/b=c,a/b=d" (no spaces allowed, as in the reference). */
static int split_value(const char *key, const char *value, char ***v, size_t *n, char **err)
{
  char *copy = strdup(value ? value : ""), *tok, *p = copy;
  int r = 0;
  if (!copy)
    return -1;
  for (;;) {
    char *comma = strchr(p, ',');
    tok = p;
    if (comma)
      *comma = '\0';
    struct cdi_name nm;
    char *why = NULL;
    if (cdi_parse_qualified(tok, &nm, &why) < 0) {
      if (asprintf(err, "annotation `%s`: %s", key, why ? why : "invalid name") < 0)
        *err = NULL;
      free(why);
      r = -1;
      break;
    }
    cdi_name_clear(&nm);
    if (cdi_strv_push(v, tok) < 0) {
      r = -1;
      break;
    }
    (*n)++;
    if (!comma)
      break;
    p = comma + 1;
  }
  free(copy);
  return r;
}

int cdi_annotation_devices(const struct oci_map *annotations, char ***v, size_t *n, char **err)
{
  const char **keys = calloc(annotations->n + 1, sizeof(*keys));
  size_t nk = 0;
  int r = 0;
  *err = NULL;
  if (!keys)
    return -1;
  for (size_t i = 0; i < annotations->n; i++)
    if (strncmp(annotations->items[i].key, CDI_ANNOTATION_PREFIX, strlen(CDI_ANNOTATION_PREFIX)) ==
        0)
      keys[nk++] = annotations->items[i].key;
  qsort(keys, nk, sizeof(*keys), cmp_str);
  for (size_t i = 0; r == 0 && i < nk; i++)
    r = split_value(keys[i], oci_map_get(annotations, keys[i]), v, n, err);
  free(keys);
  return r;
}
