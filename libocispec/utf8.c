/* Strict UTF-8 validation (RFC 3629) and lossy repair for output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci_internal.h"

/* Length of the valid sequence at s (1..4), or 0 if s starts an invalid one. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
  unsigned char c = s[0];
  size_t need;
  uint32_t cp, min;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    need = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    need = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    need = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if (left < need)
    return 0;
  for (size_t i = 1; i < need; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return need;
}

size_t oci_utf8_valid_prefix(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;

  while (i < len) {
    size_t n = utf8_seq_len(p + i, len - i);
    if (n == 0)
      break;
    i += n;
  }
  return i;
}

char *oci_utf8_sanitize(const char *s, size_t len, size_t *out_len)
{
  /* Worst case: every byte becomes the 3-byte U+FFFD. */
  char *out = malloc(len * 3 + 1);
  size_t o = 0, i = 0;

  if (!out)
    return NULL;
  while (i < len) {
    size_t ok = oci_utf8_valid_prefix(s + i, len - i);
    memcpy(out + o, s + i, ok);
    o += ok;
    i += ok;
    if (i < len) {
      memcpy(out + o, "\xef\xbf\xbd", 3);
      o += 3;
      i++;
    }
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}
