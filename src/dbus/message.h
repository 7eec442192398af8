/* D-Bus messages: the fixed header, the header fields and the body
 * (specification "Message Format"). Pure code, no I/O. */
#ifndef HUSK_DBUS_MESSAGE_H
#define HUSK_DBUS_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "dbus/wire.h"

enum dbus_msg_type {
  DBUS_METHOD_CALL = 1,
  DBUS_METHOD_RETURN = 2,
  DBUS_ERROR = 3,
  DBUS_SIGNAL = 4,
};

/* The fixed part before the header fields' array content. */
#define DBUS_FIXED_HEADER 16

/* A message to build. Body: what dw_* wrote (NULL when signature is
 * empty); it was written from offset 0 and lands 8-aligned, so its
 * alignment holds. */
struct dbus_call_spec {
  const char *destination; /* NULL on a direct connection is fine */
  const char *path, *interface, *member;
  const char *signature; /* of the body; "" or NULL for none */
  const struct dbus_wbuf *body;
  uint32_t reply_serial;  /* returns and errors */
  const char *error_name; /* errors */
};

/* Appends a whole message of the given type to out (which must end
 * 8-aligned). -1 on allocation failure or a body over the limits. */
int dbus_msg_build(struct dbus_wbuf *out, enum dbus_msg_type type, uint32_t serial,
                   const struct dbus_call_spec *c);
/* A method call (flags: a reply is expected). */
int dbus_msg_build_call(struct dbus_wbuf *out, uint32_t serial, const struct dbus_call_spec *c);

/* A received message. Strings point into raw, which the message owns. */
struct dbus_msg {
  uint8_t *raw;
  size_t len;
  uint8_t type, flags;
  uint32_t serial, reply_serial;
  const char *path, *interface, *member, *error_name, *destination, *sender;
  const char *signature; /* "" when the body is empty */
  struct dbus_rbuf body; /* positioned at the body's first byte */
};

/* The total length of the message whose first 16 bytes are hdr, or 0
 * with *why set when those bytes cannot start a message. */
size_t dbus_msg_total_len(const uint8_t hdr[DBUS_FIXED_HEADER], const char **why);
/* Parses raw[0..len) (a whole message; ownership of raw passes to m even
 * on failure). -1 with *why set when malformed. */
int dbus_msg_parse(uint8_t *raw, size_t len, struct dbus_msg *m, const char **why);
void dbus_msg_free(struct dbus_msg *m);

#endif
