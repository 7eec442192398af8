/* A D-Bus client connection over a unix socket: connect, authenticate
 * (EXTERNAL, the kernel's peer credentials), Hello on a bus, method calls
 * and their replies. Every wait is bounded by one deadline (CLOCK_MONOTONIC
 * usec): a peer that stops answering makes the operation fail, never hang. */
#ifndef HUSK_DBUS_CONN_H
#define HUSK_DBUS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "dbus/message.h"
#include "util/error.h"

struct dbus_conn;
/* Called for every message that is not the reply being waited for
 * (signals, mostly). The message is freed after the call. */
typedef void (*dbus_msg_cb)(const struct dbus_msg *m, void *data);

struct dbus_conn {
  int fd;
  uint32_t serial;
  uint64_t deadline;
  bool bus;        /* a bus daemon (Hello sent); false: a peer-to-peer socket */
  char shown[128]; /* the socket, for messages */
  uint8_t *rx;     /* received, not yet consumed */
  size_t rx_len, rx_cap;
  dbus_msg_cb on_other;
  void *on_other_data;
};

uint64_t dbus_now_usec(void);

/* Connects to the first reachable unix socket of `address` and
 * authenticates; with `bus`, also says Hello (the first call a bus needs).
 * On failure c is closed and e says which socket and why; the return value
 * is -errno (-ETIMEDOUT when the deadline passed). */
int dbus_connect(struct dbus_conn *c, const char *address, bool bus, uint64_t deadline,
                 struct husk_err *e);
void dbus_close(struct dbus_conn *c);

/* Sends a method call and waits for its reply, which fills *reply (the
 * caller frees it): 0 for a method return, 1 for a D-Bus error (error_name
 * set). Transport failures return -errno with e filled (-ETIMEDOUT past
 * the deadline) and leave *reply empty. */
int dbus_call(struct dbus_conn *c, const struct dbus_call_spec *spec, struct dbus_msg *reply,
              struct husk_err *e);
/* Waits for the next message from the peer and hands it to on_other.
 * -ETIMEDOUT at the deadline, other -errno on failures. */
int dbus_dispatch_one(struct dbus_conn *c, struct husk_err *e);

#endif
