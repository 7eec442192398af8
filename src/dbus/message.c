/* Building method calls and parsing whatever the peer sends (see message.h). */
#include <stdlib.h>
#include <string.h>

#include "dbus/message.h"

enum field {
  F_PATH = 1,
  F_INTERFACE = 2,
  F_MEMBER = 3,
  F_ERROR_NAME = 4,
  F_REPLY_SERIAL = 5,
  F_DESTINATION = 6,
  F_SENDER = 7,
  F_SIGNATURE = 8,
  F_UNIX_FDS = 9,
};

static void field_str(struct dbus_wbuf *w, uint8_t code, const char *type, const char *v)
{
  if (!v)
    return;
  dw_align(w, 8);
  dw_u8(w, code);
  dw_signature(w, type);
  if (type[0] == 'g')
    dw_signature(w, v);
  else
    dw_string(w, v);
}

int dbus_msg_build(struct dbus_wbuf *out, enum dbus_msg_type type, uint32_t serial,
                   const struct dbus_call_spec *c)
{
  size_t body_len = c->body ? c->body->len : 0, start = out->len;
  struct dw_array fields;
  if ((c->body && c->body->failed) || start % 8)
    return -1; /* alignment counts from the message's start */
  dw_u8(out, 'l');
  dw_u8(out, (uint8_t)type);
  dw_u8(out, 0); /* flags: a reply is expected, auto-start allowed */
  dw_u8(out, 1); /* protocol version */
  dw_u32(out, (uint32_t)body_len);
  dw_u32(out, serial);
  fields = dw_array_open(out, 8);
  field_str(out, F_PATH, "o", c->path);
  field_str(out, F_INTERFACE, "s", c->interface);
  field_str(out, F_MEMBER, "s", c->member);
  field_str(out, F_ERROR_NAME, "s", c->error_name);
  if (c->reply_serial) {
    dw_align(out, 8);
    dw_u8(out, F_REPLY_SERIAL);
    dw_signature(out, "u");
    dw_u32(out, c->reply_serial);
  }
  field_str(out, F_DESTINATION, "s", c->destination);
  if (c->signature && *c->signature)
    field_str(out, F_SIGNATURE, "g", c->signature);
  dw_array_close(out, fields);
  dw_align(out, 8);
  if (body_len)
    dw_bytes(out, c->body->p, body_len);
  return out->failed ? -1 : 0;
}

int dbus_msg_build_call(struct dbus_wbuf *out, uint32_t serial, const struct dbus_call_spec *c)
{
  return dbus_msg_build(out, DBUS_METHOD_CALL, serial, c);
}

static uint32_t u32_at(const uint8_t *p, bool big)
{
  return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

size_t dbus_msg_total_len(const uint8_t hdr[DBUS_FIXED_HEADER], const char **why)
{
  bool big = hdr[0] == 'B';
  uint64_t body, fields, total;
  if (hdr[0] != 'l' && hdr[0] != 'B') {
    *why = "bad byte-order mark";
    return 0;
  }
  if (hdr[3] != 1) {
    *why = "unsupported protocol version";
    return 0;
  }
  body = u32_at(hdr + 4, big);
  fields = u32_at(hdr + 12, big);
  total = DBUS_FIXED_HEADER + ((fields + 7) & ~(uint64_t)7) + body;
  if (fields > DBUS_MAX_ARRAY || total > DBUS_MAX_MESSAGE) {
    *why = "message larger than the protocol allows";
    return 0;
  }
  return (size_t)total;
}

/* One header field (a struct (yv)); unknown codes are skipped. */
static void read_field(struct dbus_rbuf *r, struct dbus_msg *m)
{
  uint8_t code;
  const char *sig, *val;
  dr_align(r, 8);
  code = dr_u8(r);
  sig = dr_signature(r);
  if (!sig || r->failed)
    return;
  if (code == F_REPLY_SERIAL || code == F_UNIX_FDS) {
    if (strcmp(sig, "u") != 0) {
      r->failed = true;
      return;
    }
    uint32_t v = dr_u32(r);
    if (code == F_REPLY_SERIAL)
      m->reply_serial = v;
    return;
  }
  if (code >= F_PATH && code <= F_SIGNATURE) {
    const char *want = code == F_PATH ? "o" : code == F_SIGNATURE ? "g" : "s";
    if (strcmp(sig, want) != 0) {
      r->failed = true;
      return;
    }
    val = want[0] == 'g' ? dr_signature(r) : dr_string(r);
    const char **slot[] = {NULL, &m->path,        &m->interface, &m->member,   &m->error_name,
                           NULL, &m->destination, &m->sender,    &m->signature};
    *slot[code] = val;
    return;
  }
  if (dbus_complete_type_len(sig) != strlen(sig) || !*sig)
    r->failed = true;
  else
    dr_skip(r, &sig);
}

static const char *check_required(const struct dbus_msg *m)
{
  switch (m->type) {
  case DBUS_METHOD_CALL:
    return m->path && m->member ? NULL : "a method call without path or member";
  case DBUS_METHOD_RETURN:
    return m->reply_serial ? NULL : "a method return without reply serial";
  case DBUS_ERROR:
    return m->reply_serial && m->error_name ? NULL : "an error without reply serial or name";
  case DBUS_SIGNAL:
    return m->path && m->interface && m->member ? NULL : "a signal without path or member";
  default:
    return NULL; /* unknown types must be ignored, not rejected */
  }
}

int dbus_msg_parse(uint8_t *raw, size_t len, struct dbus_msg *m, const char **why)
{
  struct dbus_rbuf r = {.p = raw, .len = len};
  size_t fields_end, body_len;
  size_t total;
  memset(m, 0, sizeof *m);
  m->raw = raw;
  m->len = len;
  *why = "truncated message";
  if (len < DBUS_FIXED_HEADER)
    return -1;
  if (!(total = dbus_msg_total_len(raw, why)) || total != len)
    return -1;
  r.big_endian = raw[0] == 'B';
  r.pos = 1;
  m->type = dr_u8(&r);
  m->flags = dr_u8(&r);
  dr_u8(&r);
  body_len = dr_u32(&r);
  m->serial = dr_u32(&r);
  fields_end = dr_u32(&r);
  fields_end += r.pos;
  while (!r.failed && r.pos < fields_end)
    read_field(&r, m);
  if (r.failed || r.pos != fields_end) {
    *why = "malformed header fields";
    return -1;
  }
  dr_align(&r, 8);
  if (r.failed || len - r.pos != body_len || m->serial == 0) {
    *why = r.failed ? "non-zero header padding" : "bad body length or serial";
    return -1;
  }
  if ((*why = check_required(m)))
    return -1;
  if (!m->signature)
    m->signature = "";
  if (body_len && !*m->signature) {
    *why = "a body without a signature";
    return -1;
  }
  m->body = r;
  return 0;
}

void dbus_msg_free(struct dbus_msg *m)
{
  free(m->raw);
  memset(m, 0, sizeof *m);
}
