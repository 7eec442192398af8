/* YAML scalar resolution as go-yaml v2 (YAML 1.1) does it: null (~, null,
 * empty), booleans (true/false, yes/no, on/off, y/n), integers (decimal,
 * 0x, 0o, 0b, a leading 0 is octal, '_' ignored), floats (incl. .inf/.nan);
 * quoted scalars and !!str are strings; !!int/!!bool/!!null/!!float force a
 * type; any other tag is refused. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/yaml_scalar.h"

__attribute__((format(printf, 2, 3))) static int fail(char **why, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(why, fmt, ap) < 0)
    *why = NULL;
  va_end(ap);
  return -1;
}

static bool in_list(const char *s, const char *const *list)
{
  for (; *list; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

/* go-yaml v2: strip '_', then Go's ParseInt/ParseUint with base 0. */
static bool resolve_int(const char *text, struct oci_json *v)
{
  char buf[96], *p = buf, *end;
  size_t n = 0;
  bool neg = false;
  int base = 10;
  unsigned long long u;
  for (const char *s = text; *s && n + 1 < sizeof buf; s++)
    if (*s != '_')
      buf[n++] = *s;
  buf[n] = '\0';
  if (*p == '+' || *p == '-')
    neg = *p++ == '-';
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    base = 16, p += 2;
  else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
    base = 8, p += 2;
  else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
    base = 2, p += 2;
  else if (p[0] == '0' && p[1])
    base = 8, p += 1;
  if (!*p || *p == '+' || *p == '-' || *p == ' ')
    return false;
  errno = 0;
  u = strtoull(p, &end, base);
  if (*end || errno == ERANGE || (neg && u > (unsigned long long)INT64_MAX + 1))
    return false;
  v->type = OCI_JSON_NUMBER;
  v->is_integer = true;
  v->is_negative = neg && u != 0;
  v->u64 = neg ? 0 : u;
  v->i64 = neg ? (int64_t)(0 - u) : (u <= INT64_MAX ? (int64_t)u : 0);
  return true;
}

static bool resolve_float(const char *s, struct oci_json *v)
{
  static const char *const special[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                        "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                        ".NaN",  ".NAN",  NULL};
  const char *p = s;
  bool digits = false;
  if (!in_list(s, special)) {
    if (*p == '+' || *p == '-')
      p++;
    while (*p >= '0' && *p <= '9')
      p++, digits = true;
    if (*p == '.')
      for (p++; *p >= '0' && *p <= '9'; p++)
        digits = true;
    if (digits && (*p == 'e' || *p == 'E')) {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!(*p >= '0' && *p <= '9'))
        return false;
      while (*p >= '0' && *p <= '9')
        p++;
    }
    if (!digits || *p)
      return false;
  }
  v->type = OCI_JSON_NUMBER;
  if (in_list(s, special)) /* strtod knows "inf", not YAML's ".inf" */
    v->dbl = strpbrk(s, "nN") && strpbrk(s, "aA") ? NAN : *s == '-' ? -INFINITY : INFINITY;
  else
    v->dbl = strtod(s, NULL);
  return true;
}

static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const trues[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                    "True", "TRUE", "on",  "On",  "ON",  NULL};
static const char *const falses[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                     "False", "FALSE", "off", "Off", "OFF", NULL};

#define TAG(x) "tag:yaml.org,2002:" x

int cdi_yaml_resolve(struct oci_json *v, const char *tag, bool plain, char **why)
{
  const char *s = v->string;
  *why = NULL;
  if (tag && strcmp(tag, "!") == 0)
    tag = TAG("str");
  if (tag && strcmp(tag, TAG("str")) && strcmp(tag, TAG("int")) && strcmp(tag, TAG("bool")) &&
      strcmp(tag, TAG("null")) && strcmp(tag, TAG("float")))
    return fail(why, "unsupported tag `%s`", tag);
  if ((!tag && !plain) || (tag && strcmp(tag, TAG("str")) == 0))
    return 0; /* a string */
  if ((!tag || !strcmp(tag, TAG("null"))) && in_list(s, nulls))
    v->type = OCI_JSON_NULL;
  else if ((!tag || !strcmp(tag, TAG("bool"))) && (in_list(s, trues) || in_list(s, falses)))
    v->type = OCI_JSON_BOOL, v->boolean = in_list(s, trues);
  else if ((!tag || !strcmp(tag, TAG("int")) || !strcmp(tag, TAG("float"))) && resolve_int(s, v))
    ;
  else if ((!tag || !strcmp(tag, TAG("float"))) && resolve_float(s, v))
    ;
  else if (tag)
    return fail(why, "`%s` is not a valid %s", s, tag + strlen(TAG("")));
  return 0;
}
