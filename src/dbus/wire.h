/* The D-Bus wire format (marshalling, D-Bus specification "Message
 * Protocol"): every value is aligned to its own size from the start of the
 * message (b/i/u/s/o/a to 4, x/t and structs to 8, y/g/v to 1), strings are
 * a u32 length + bytes + NUL, signatures a u8 length + bytes + NUL, arrays a
 * u32 byte length, then padding to the element's alignment (even when
 * empty), then the elements. Pure code, no I/O: unit-tested in
 * tests/unit/test_dbus.c and fuzzed through the message parser. */
#ifndef HUSK_DBUS_WIRE_H
#define HUSK_DBUS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the specification. */
#define DBUS_MAX_MESSAGE (128u << 20)
#define DBUS_MAX_ARRAY (64u << 20)
#define DBUS_MAX_SIGNATURE 255
#define DBUS_MAX_DEPTH 32

/* A growing little-endian buffer. Writers never fail individually: an
 * allocation failure sets `failed` and later writes do nothing. */
struct dbus_wbuf {
  uint8_t *p;
  size_t len, cap;
  bool failed;
};

void dw_align(struct dbus_wbuf *w, size_t alignment);
void dw_u8(struct dbus_wbuf *w, uint8_t v);
void dw_u32(struct dbus_wbuf *w, uint32_t v);
void dw_u64(struct dbus_wbuf *w, uint64_t v);
void dw_bool(struct dbus_wbuf *w, bool v);
/* 's' and 'o' */
void dw_string(struct dbus_wbuf *w, const char *s);
/* 'g' (also the type inside a 'v') */
void dw_signature(struct dbus_wbuf *w, const char *sig);
void dw_bytes(struct dbus_wbuf *w, const void *p, size_t n);

struct dw_array {
  size_t len_at; /* where the u32 length goes */
  size_t start;  /* first element, after the padding */
};
struct dw_array dw_array_open(struct dbus_wbuf *w, size_t elem_alignment);
void dw_array_close(struct dbus_wbuf *w, struct dw_array a);
void dw_free(struct dbus_wbuf *w);

/* A reader over a received message; positions count from the message's
 * first byte, so alignment is right. Any malformed value sets `failed`
 * (sticky) and readers then return zero values / NULL. */
struct dbus_rbuf {
  const uint8_t *p;
  size_t len, pos;
  bool big_endian;
  bool failed;
};

void dr_align(struct dbus_rbuf *r, size_t alignment);
uint8_t dr_u8(struct dbus_rbuf *r);
uint32_t dr_u32(struct dbus_rbuf *r);
uint64_t dr_u64(struct dbus_rbuf *r);
bool dr_bool(struct dbus_rbuf *r);
/* 's' and 'o': valid UTF-8 is not checked, a NUL inside or a missing
 * terminator is an error. Points into the buffer. */
const char *dr_string(struct dbus_rbuf *r);
const char *dr_signature(struct dbus_rbuf *r);
/* Skips one complete type starting at *sig (advanced past it). */
void dr_skip(struct dbus_rbuf *r, const char **sig);

/* Alignment of the first type code of a signature. 0: not a type code. */
size_t dbus_type_alignment(char code);
/* One complete type at the start of sig: its length, 0 when malformed. */
size_t dbus_complete_type_len(const char *sig);
/* A whole signature of complete types, at most 255 bytes. */
bool dbus_signature_valid(const char *sig);

#endif
