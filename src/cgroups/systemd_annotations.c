/* org.systemd.property.NAME=VALUE annotations → unit properties, with the
 * value syntax runc and crun accept (GVariant text). Pure; unit-tested. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_props.h"

#define PREFIX "org.systemd.property."

/* Properties husk sets itself and a caller must not replace: PIDs would move
 * other processes into the container's scope. */
static const char *const reserved[] = {"PIDs", NULL};

static bool name_valid(const char *n)
{
  size_t len = strlen(n);
  if (len == 0 || len >= 60 || !isupper((unsigned char)n[0]))
    return false;
  for (; *n; n++)
    if (!isalnum((unsigned char)*n))
      return false;
  return true;
}

static int parse_int(const char *s, bool is_signed, int64_t *i, uint64_t *u)
{
  char *end;
  errno = 0;
  if (!*s)
    return -1;
  if (is_signed)
    *i = strtoll(s, &end, 10);
  else {
    if (*s == '-')
      return -1;
    *u = strtoull(s, &end, 10);
  }
  return errno || *end ? -1 : 0;
}

/* "uint64 N", "@t N", ... → type + number text. */
static char typed_number(const char *v, const char **num)
{
  static const struct {
    const char *word;
    char type;
  } words[] = {{"uint64 ", 't'}, {"@t ", 't'}, {"int64 ", 'x'}, {"@x ", 'x'},
               {"uint32 ", 'u'}, {"@u ", 'u'}, {"int32 ", 'i'}, {"@i ", 'i'}};
  for (size_t k = 0; k < sizeof words / sizeof *words; k++)
    if (strncmp(v, words[k].word, strlen(words[k].word)) == 0) {
      *num = v + strlen(words[k].word);
      return words[k].type;
    }
  *num = v;
  return 0;
}

/* NAMESec with a lowercase letter before "Sec" is in seconds: systemd's
 * D-Bus property is NAMEUSec (TimeoutStopSec → TimeoutStopUSec). */
static bool seconds_name(const char *n)
{
  size_t len = strlen(n);
  return len > 3 && strcmp(n + len - 3, "Sec") == 0 && islower((unsigned char)n[len - 4]);
}

static int seconds_to_usec(const char *num, uint64_t *out)
{
  char *end;
  double d;
  errno = 0;
  d = strtod(num, &end);
  if (errno || *end || !(d >= 0) || d > 1.8e13)
    return -1;
  *out = (uint64_t)(d * 1e6 + 0.5);
  return 0;
}

static int set_number(struct sd_prop *x, char type, const char *num)
{
  int64_t i = 0;
  uint64_t u = 0;
  bool is_signed = type == 'x' || type == 'i';
  if (parse_int(num, is_signed, &i, &u) < 0)
    return -1;
  if (type == 'u' && u > UINT32_MAX)
    return -1;
  if (type == 'i' && (i < INT32_MIN || i > INT32_MAX))
    return -1;
  x->type = type;
  x->u = u;
  x->i = i;
  return 0;
}

static int parse_value(const char *name, const char *v, struct sd_prop *x)
{
  size_t len = strlen(v);
  const char *num;
  char type;
  snprintf(x->name, sizeof x->name, "%s", name);
  if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
    x->type = 'b';
    x->b = v[0] == 't';
    return 0;
  }
  if (len >= 2 && (v[0] == '\'' || v[0] == '"') && v[len - 1] == v[0]) {
    x->type = 's';
    x->s = strndup(v + 1, len - 2);
    return x->s ? 0 : -1;
  }
  type = typed_number(v, &num);
  if (seconds_name(name)) { /* any number, typed or bare, in seconds */
    snprintf(x->name, sizeof x->name, "%.*sUSec", (int)(strlen(name) - 3), name);
    x->type = 't';
    return seconds_to_usec(num, &x->u);
  }
  if (type)
    return set_number(x, type, num);
  if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, "USec") == 0)
    return set_number(x, 't', num);
  return -1;
}

int sd_props_from_annotations(const struct oci_map *annotations, struct sd_props *p,
                              struct husk_err *e)
{
  for (size_t i = 0; i < annotations->n; i++) {
    const char *key = annotations->items[i].key, *v = annotations->items[i].value;
    const char *name = key + strlen(PREFIX);
    struct sd_prop x = {0}, *np;
    if (strncmp(key, PREFIX, strlen(PREFIX)) != 0)
      continue;
    if (!name_valid(name))
      return herr(e, EINVAL, "annotation `%s`: `%s` is not a systemd property name", key, name);
    for (const char *const *r = reserved; *r; r++)
      if (strcmp(name, *r) == 0)
        return herr(e, EINVAL, "annotation `%s`: husk sets %s itself", key, name);
    if (parse_value(name, v ? v : "", &x) < 0) {
      free(x.s);
      return herr(e, EINVAL,
                  "annotation `%s`: cannot read the value `%s` (expected true, false, "
                  "'text', `uint64 N` (or @t/int64/@x/uint32/@u/int32/@i), or seconds for "
                  "a ...Sec property)",
                  key, v ? v : "");
    }
    np = realloc(p->items, sizeof *np * (p->n + 1));
    if (!np) {
      free(x.s);
      return herr(e, ENOMEM, "annotation `%s`", key);
    }
    p->items = np;
    p->items[p->n++] = x;
  }
  return 0;
}
