/* Parsing D-Bus addresses (see address.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dbus/address.h"

static int hexval(char c)
{
  return isdigit((unsigned char)c) ? c - '0'
         : c >= 'a' && c <= 'f'    ? c - 'a' + 10
         : c >= 'A' && c <= 'F'    ? c - 'A' + 10
                                   : -1;
}

/* Unescapes [s, end) into out (size cap). -1: bad escape, NUL, too long. */
static int unescape(const char *s, const char *end, char *out, size_t cap, size_t *n)
{
  size_t k = 0;
  while (s < end) {
    int c = (unsigned char)*s++;
    if (c == '%') {
      int hi, lo;
      if (end - s < 2 || (hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
        return -1;
      c = hi * 16 + lo;
      s += 2;
    }
    if (c == 0 || k + 1 >= cap)
      return -1;
    out[k++] = (char)c;
  }
  out[k] = 0;
  *n = k;
  return 0;
}

/* One "unix:key=value,..." entry [s, end) → ep. 1 stored, 0 not unix, -1 bad. */
static int parse_entry(const char *s, const char *end, struct dbus_endpoint *ep, const char **why)
{
  const char *colon = memchr(s, ':', end - s), *kv;
  bool have = false;
  if (!colon) {
    *why = "an entry without `transport:`";
    return -1;
  }
  if (colon - s != 4 || memcmp(s, "unix", 4) != 0)
    return 0;
  memset(ep, 0, sizeof *ep);
  ep->sa.sun_family = AF_UNIX;
  for (kv = colon + 1; kv < end;) {
    const char *comma = memchr(kv, ',', end - kv), *eq;
    const char *stop = comma ? comma : end;
    size_t n;
    if (!(eq = memchr(kv, '=', stop - kv))) {
      *why = "a key without `=value`";
      return -1;
    }
    bool path = eq - kv == 4 && memcmp(kv, "path", 4) == 0;
    bool abstract = eq - kv == 8 && memcmp(kv, "abstract", 8) == 0;
    if (path || abstract) {
      char *dst = ep->sa.sun_path + (abstract ? 1 : 0);
      if (have) {
        *why = "more than one of path= and abstract=";
        return -1;
      }
      if (unescape(eq + 1, stop, dst, sizeof ep->sa.sun_path - (abstract ? 1 : 0), &n) < 0 ||
          n == 0) {
        *why = "a bad socket path (escape, length or empty)";
        return -1;
      }
      ep->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
      snprintf(ep->shown, sizeof ep->shown, "%s%s", abstract ? "@" : "", dst);
      have = true;
    }
    kv = comma ? comma + 1 : end;
  }
  return have ? 1 : 0; /* unix:tmpdir= etc. are for servers */
}

int dbus_address_parse(const char *addr, struct dbus_endpoint *out, size_t max, const char **why)
{
  size_t n = 0;
  const char *s = addr;
  *why = NULL;
  while (*s && n < max) {
    const char *semi = strchr(s, ';'), *end = semi ? semi : s + strlen(s);
    if (end > s) {
      int r = parse_entry(s, end, &out[n], why);
      if (r < 0)
        return -1;
      n += (size_t)r;
    }
    s = semi ? semi + 1 : end;
  }
  if (n == 0) {
    *why = "no unix socket (unix:path= or unix:abstract=) in the address";
    return -1;
  }
  return (int)n;
}
