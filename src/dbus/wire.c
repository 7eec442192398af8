/* D-Bus marshalling (see wire.h). We write little-endian ('l'); we read
 * both byte orders, as the specification requires of every peer. */
#include <stdlib.h>
#include <string.h>

#include "dbus/wire.h"

static void grow(struct dbus_wbuf *w, size_t more)
{
  size_t cap = w->cap ? w->cap : 256;
  uint8_t *np;
  if (w->failed)
    return;
  if (w->len + more > DBUS_MAX_MESSAGE) {
    w->failed = true;
    return;
  }
  while (cap < w->len + more)
    cap *= 2;
  if (cap == w->cap)
    return;
  if (!(np = realloc(w->p, cap))) {
    w->failed = true;
    return;
  }
  w->p = np;
  w->cap = cap;
}

void dw_bytes(struct dbus_wbuf *w, const void *p, size_t n)
{
  grow(w, n);
  if (w->failed)
    return;
  memcpy(w->p + w->len, p, n);
  w->len += n;
}

void dw_align(struct dbus_wbuf *w, size_t alignment)
{
  static const uint8_t zeros[8];
  size_t pad = (alignment - w->len % alignment) % alignment;
  dw_bytes(w, zeros, pad);
}

void dw_u8(struct dbus_wbuf *w, uint8_t v)
{
  dw_bytes(w, &v, 1);
}

void dw_u32(struct dbus_wbuf *w, uint32_t v)
{
  uint8_t b[4] = {v, v >> 8, v >> 16, v >> 24};
  dw_align(w, 4);
  dw_bytes(w, b, 4);
}

void dw_u64(struct dbus_wbuf *w, uint64_t v)
{
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  dw_align(w, 8);
  dw_bytes(w, b, 8);
}

void dw_bool(struct dbus_wbuf *w, bool v)
{
  dw_u32(w, v ? 1 : 0);
}

void dw_string(struct dbus_wbuf *w, const char *s)
{
  size_t n = strlen(s);
  dw_u32(w, (uint32_t)n);
  dw_bytes(w, s, n + 1);
}

void dw_signature(struct dbus_wbuf *w, const char *sig)
{
  size_t n = strlen(sig);
  if (n > DBUS_MAX_SIGNATURE) {
    w->failed = true;
    return;
  }
  dw_u8(w, (uint8_t)n);
  dw_bytes(w, sig, n + 1);
}

struct dw_array dw_array_open(struct dbus_wbuf *w, size_t elem_alignment)
{
  struct dw_array a;
  dw_u32(w, 0);
  a.len_at = w->len - 4;
  dw_align(w, elem_alignment); /* present even when the array stays empty */
  a.start = w->len;
  return a;
}

void dw_array_close(struct dbus_wbuf *w, struct dw_array a)
{
  size_t n = w->len - a.start;
  if (w->failed)
    return;
  if (n > DBUS_MAX_ARRAY) {
    w->failed = true;
    return;
  }
  for (int i = 0; i < 4; i++)
    w->p[a.len_at + i] = (uint8_t)(n >> (8 * i));
}

void dw_free(struct dbus_wbuf *w)
{
  free(w->p);
  memset(w, 0, sizeof *w);
}

/* ---- reading ---- */

static const uint8_t *take(struct dbus_rbuf *r, size_t n)
{
  const uint8_t *p;
  if (r->failed || r->pos > r->len || r->len - r->pos < n) {
    r->failed = true;
    return NULL;
  }
  p = r->p + r->pos;
  r->pos += n;
  return p;
}

void dr_align(struct dbus_rbuf *r, size_t alignment)
{
  size_t pad = (alignment - r->pos % alignment) % alignment;
  const uint8_t *p = take(r, pad);
  for (size_t i = 0; p && i < pad; i++)
    if (p[i]) /* padding must be zero */
      r->failed = true;
}

uint8_t dr_u8(struct dbus_rbuf *r)
{
  const uint8_t *p = take(r, 1);
  return p ? *p : 0;
}

static uint64_t load(struct dbus_rbuf *r, size_t n)
{
  const uint8_t *p;
  uint64_t v = 0;
  dr_align(r, n);
  if (!(p = take(r, n)))
    return 0;
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t)p[r->big_endian ? n - 1 - i : i] << (8 * i);
  return v;
}

uint32_t dr_u32(struct dbus_rbuf *r)
{
  return (uint32_t)load(r, 4);
}

uint64_t dr_u64(struct dbus_rbuf *r)
{
  return load(r, 8);
}

bool dr_bool(struct dbus_rbuf *r)
{
  uint32_t v = dr_u32(r);
  if (v > 1)
    r->failed = true;
  return v == 1;
}

static const char *text(struct dbus_rbuf *r, size_t n)
{
  const uint8_t *p = take(r, n + 1);
  if (!p || p[n] != 0 || memchr(p, 0, n)) {
    r->failed = true;
    return NULL;
  }
  return (const char *)p;
}

const char *dr_string(struct dbus_rbuf *r)
{
  uint32_t n = dr_u32(r);
  return r->failed ? NULL : text(r, n);
}

const char *dr_signature(struct dbus_rbuf *r)
{
  uint8_t n = dr_u8(r);
  const char *s = r->failed ? NULL : text(r, n);
  if (s && !dbus_signature_valid(s))
    r->failed = true;
  return r->failed ? NULL : s;
}

size_t dbus_type_alignment(char code)
{
  switch (code) {
  case 'y':
  case 'g':
  case 'v':
    return 1;
  case 'n':
  case 'q':
    return 2;
  case 'b':
  case 'i':
  case 'u':
  case 'h':
  case 's':
  case 'o':
  case 'a':
    return 4;
  case 'x':
  case 't':
  case 'd':
  case '(':
  case '{':
    return 8;
  default:
    return 0;
  }
}

static bool basic(char c)
{
  return c && strchr("ybnqiuxtdhsog", c);
}

/* depth counts arrays and structs together (the specification allows 32
 * of each; 64 in all is the same bound for our purposes). */
static size_t complete_len(const char *sig, int depth)
{
  size_t n, k;
  if (depth > 2 * DBUS_MAX_DEPTH)
    return 0;
  if (basic(sig[0]) || sig[0] == 'v')
    return 1;
  if (sig[0] == 'a') {
    if (sig[1] == '{') {
      if (!basic(sig[2]) || !(n = complete_len(sig + 3, depth + 2)) || sig[3 + n] != '}')
        return 0;
      return 4 + n;
    }
    n = complete_len(sig + 1, depth + 1);
    return n ? 1 + n : 0;
  }
  if (sig[0] != '(')
    return 0;
  for (k = 1; sig[k] != ')'; k += n)
    if (!(n = complete_len(sig + k, depth + 1)))
      return 0;
  return k == 1 ? 0 : k + 1; /* "()" is not a type */
}

size_t dbus_complete_type_len(const char *sig)
{
  return complete_len(sig, 0);
}

bool dbus_signature_valid(const char *sig)
{
  size_t n, total = strlen(sig);
  if (total > DBUS_MAX_SIGNATURE)
    return false;
  for (size_t k = 0; k < total; k += n)
    if (!(n = dbus_complete_type_len(sig + k)))
      return false;
  return true;
}

static void skip(struct dbus_rbuf *r, const char **sig, int depth);

static void skip_array(struct dbus_rbuf *r, const char **sig, int depth)
{
  const char *elem = *sig + 1;
  size_t elen = dbus_complete_type_len(*sig) - 1, end;
  uint32_t n = dr_u32(r);
  if (n > DBUS_MAX_ARRAY)
    r->failed = true;
  dr_align(r, dbus_type_alignment(*elem));
  if (r->failed || n > r->len - r->pos) {
    r->failed = true;
    return;
  }
  end = r->pos + n;
  while (!r->failed && r->pos < end) {
    const char *e = elem;
    if (*e == '{') { /* dict entry: key and value inside braces */
      dr_align(r, 8);
      e++;
      skip(r, &e, depth + 1);
      skip(r, &e, depth + 1);
    } else
      skip(r, &e, depth + 1);
  }
  if (r->pos != end)
    r->failed = true;
  *sig += 1 + elen;
}

static void skip(struct dbus_rbuf *r, const char **sig, int depth)
{
  const char *s = *sig, *inner;
  if (r->failed || depth > 2 * DBUS_MAX_DEPTH || !dbus_complete_type_len(s)) {
    r->failed = true;
    return;
  }
  switch (*s) {
  case 'y':
    dr_u8(r);
    break;
  case 'b':
    dr_bool(r);
    break;
  case 'n':
  case 'q':
    load(r, 2);
    break;
  case 'i':
  case 'u':
  case 'h':
    dr_u32(r);
    break;
  case 'x':
  case 't':
  case 'd':
    dr_u64(r);
    break;
  case 's':
  case 'o':
    dr_string(r);
    break;
  case 'g':
    dr_signature(r);
    break;
  case 'v':
    inner = dr_signature(r);
    if (inner && dbus_complete_type_len(inner) == strlen(inner) && *inner)
      skip(r, &inner, depth + 1);
    else
      r->failed = true;
    break;
  case 'a':
    skip_array(r, sig, depth);
    return;
  case '(':
    dr_align(r, 8);
    for (s++; *s != ')' && !r->failed;)
      skip(r, &s, depth + 1);
    *sig = s + 1;
    return;
  }
  *sig = s + 1;
}

void dr_skip(struct dbus_rbuf *r, const char **sig)
{
  skip(r, sig, 0);
}
