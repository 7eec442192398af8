/* D-Bus client transport (see conn.h). The socket is non-blocking and
 * every wait is a poll() bounded by the connection's deadline. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dbus/address.h"
#include "dbus/conn.h"

#define MAX_ENDPOINTS 8
#define MAX_AUTH_LINE 512

uint64_t dbus_now_usec(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(struct dbus_conn *c, short events, const char *what, struct husk_err *e)
{
  for (;;) {
    uint64_t now = dbus_now_usec();
    struct pollfd p = {.fd = c->fd, .events = events};
    int r;
    if (now >= c->deadline)
      return herr(e, ETIMEDOUT, "D-Bus: %s %s", what, c->shown);
    r = poll(&p, 1, (int)((c->deadline - now + 999) / 1000));
    if (r > 0)
      return 0;
    if (r < 0 && errno != EINTR)
      return herr(e, errno, "D-Bus: %s %s: poll", what, c->shown);
  }
}

static int send_all(struct dbus_conn *c, const void *buf, size_t len, struct husk_err *e)
{
  const uint8_t *p = buf;
  while (len) {
    ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
    if (n > 0) {
      p += n, len -= (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN)
      return herr(e, errno, "D-Bus: send to %s", c->shown);
    if ((n = wait_fd(c, POLLOUT, "send to", e)) < 0)
      return (int)n;
  }
  return 0;
}

/* Reads what the peer has sent (at least one byte) into rx. */
static int fill(struct dbus_conn *c, struct husk_err *e)
{
  for (;;) {
    ssize_t n;
    if (c->rx_cap - c->rx_len < 4096) {
      size_t cap = c->rx_cap ? c->rx_cap * 2 : 8192;
      uint8_t *np = cap > 2 * (size_t)DBUS_MAX_MESSAGE ? NULL : realloc(c->rx, cap);
      if (!np)
        return herr(e, ENOMEM, "D-Bus: receive from %s", c->shown);
      c->rx = np, c->rx_cap = cap;
    }
    n = recv(c->fd, c->rx + c->rx_len, c->rx_cap - c->rx_len, 0);
    if (n > 0) {
      c->rx_len += (size_t)n;
      return 0;
    }
    if (n == 0)
      return herr(e, ECONNRESET, "D-Bus: %s closed the connection", c->shown);
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN)
      return herr(e, errno, "D-Bus: receive from %s", c->shown);
    if ((n = wait_fd(c, POLLIN, "no answer from", e)) < 0)
      return (int)n;
  }
}

static void consume(struct dbus_conn *c, size_t n)
{
  memmove(c->rx, c->rx + n, c->rx_len - n);
  c->rx_len -= n;
}

/* One "...\r\n" line of the authentication protocol, without the CRLF. */
static int read_line(struct dbus_conn *c, char *out, size_t cap, struct husk_err *e)
{
  for (;;) {
    uint8_t *nl = c->rx_len ? memchr(c->rx, '\n', c->rx_len) : NULL;
    if (nl) {
      size_t n = (size_t)(nl - c->rx);
      if (n == 0 || c->rx[n - 1] != '\r' || n >= cap)
        return herr(e, EPROTO, "D-Bus: %s: malformed authentication reply", c->shown);
      memcpy(out, c->rx, n - 1);
      out[n - 1] = 0;
      consume(c, n + 1);
      return 0;
    }
    if (c->rx_len > MAX_AUTH_LINE)
      return herr(e, EPROTO, "D-Bus: %s: authentication reply too long", c->shown);
    int r = fill(c, e);
    if (r < 0)
      return r;
  }
}

static bool starts(const char *line, const char *word)
{
  size_t n = strlen(word);
  return strncmp(line, word, n) == 0 && (line[n] == 0 || line[n] == ' ');
}

/* SASL EXTERNAL, pipelined as sd-bus clients do: the whole handshake,
 * BEGIN included, goes out in one write before any reply is read. sd-bus
 * servers (systemd's private socket) read the handshake in chunks and,
 * when BEGIN and a short first message arrive in the same read, leave the
 * message unparsed until more bytes come: a StopUnit sent right after
 * BEGIN then waited forever. Sent this way, our first message can only
 * follow the server's OK, which it sends after it has read BEGIN.
 *
 * First without an identity, so that the server takes it from SO_PEERCRED
 * (right inside a user namespace, where our uid is not the one the server
 * sees): 1 when the server rejects that (the caller reconnects), and then
 * with_uid sends our euid as hex. */
static int authenticate(struct dbus_conn *c, bool with_uid, struct husk_err *e)
{
  char line[MAX_AUTH_LINE], out[96], uid[16];
  int r, k = snprintf(out, sizeof out, "%cAUTH EXTERNAL", 0);
  bool challenged = false;
  if (with_uid) {
    snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
    out[k++] = ' ';
    for (const char *p = uid; *p; p++)
      k += snprintf(out + k, sizeof out - (size_t)k, "%02x", (unsigned char)*p);
  }
  k += snprintf(out + k, sizeof out - (size_t)k, "\r\n%sBEGIN\r\n", with_uid ? "" : "DATA\r\n");
  if ((r = send_all(c, out, (size_t)k, e)) < 0 || (r = read_line(c, line, sizeof line, e)) < 0)
    return r;
  if (!with_uid && starts(line, "DATA")) {
    challenged = true;
    if ((r = read_line(c, line, sizeof line, e)) < 0)
      return r;
  }
  if (!with_uid && (starts(line, "REJECTED") || starts(line, "ERROR")))
    return 1;
  if (!starts(line, "OK"))
    return herr_msg(e, EACCES, "D-Bus: %s refused our credentials (euid %u): `%s`", c->shown,
                    (unsigned)geteuid(), line);
  /* a server that accepted without asking for DATA answers ours with ERROR */
  if (!with_uid && !challenged && ((r = read_line(c, line, sizeof line, e)) < 0))
    return r;
  return 0;
}

static int connect_one(struct dbus_conn *c, const struct dbus_endpoint *ep, struct husk_err *e)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), r, err = 0;
  socklen_t len = sizeof err;
  snprintf(c->shown, sizeof c->shown, "%s", ep->shown);
  if (fd < 0)
    return herr(e, errno, "D-Bus: socket");
  c->fd = fd;
  while ((r = connect(fd, (const struct sockaddr *)&ep->sa, ep->len)) < 0 && errno == EAGAIN) {
    /* a full listen backlog: the server is alive but slow; retry */
    struct timespec ts = {0, 10000000};
    if (dbus_now_usec() >= c->deadline)
      return herr(e, ETIMEDOUT, "D-Bus: connect to %s", c->shown);
    nanosleep(&ts, NULL);
  }
  if (r < 0 && errno == EINPROGRESS) {
    if ((r = wait_fd(c, POLLOUT, "connect to", e)) < 0)
      return r;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
      err = errno;
    r = err ? -1 : 0;
    errno = err;
  }
  if (r < 0)
    return herr(e, errno, "D-Bus: connect to %s", c->shown);
  return 0;
}

void dbus_close(struct dbus_conn *c)
{
  if (c->fd >= 0)
    close(c->fd);
  free(c->rx);
  c->fd = -1;
  c->rx = NULL;
  c->rx_len = c->rx_cap = 0;
}

static int hello(struct dbus_conn *c, struct husk_err *e)
{
  struct dbus_call_spec s = {.destination = "org.freedesktop.DBus",
                             .path = "/org/freedesktop/DBus",
                             .interface = "org.freedesktop.DBus",
                             .member = "Hello"};
  struct dbus_msg reply;
  int r = dbus_call(c, &s, &reply, e);
  if (r == 1)
    r = herr(e, EPROTO, "D-Bus: %s refused Hello: %s", c->shown, reply.error_name);
  dbus_msg_free(&reply);
  return r;
}

int dbus_connect(struct dbus_conn *c, const char *address, bool bus, uint64_t deadline,
                 struct husk_err *e)
{
  struct dbus_endpoint eps[MAX_ENDPOINTS];
  const char *why;
  int n = dbus_address_parse(address, eps, MAX_ENDPOINTS, &why), r = -EINVAL;
  memset(c, 0, sizeof *c);
  c->fd = -1;
  c->deadline = deadline;
  c->bus = bus;
  if (n < 0)
    return herr_msg(e, EINVAL, "D-Bus: address `%s`: %s", address, why);
  for (int i = 0; i < n; i++) {
    if (i)
      herr_clear(e), dbus_close(c);
    r = connect_one(c, &eps[i], e);
    if (r == 0 && (r = authenticate(c, false, e)) == 1) {
      dbus_close(c); /* the server wants our uid: a fresh connection */
      if ((r = connect_one(c, &eps[i], e)) == 0)
        r = authenticate(c, true, e);
    }
    if (r == 0 && (!bus || (r = hello(c, e)) == 0))
      return 0;
    if (r == -ETIMEDOUT)
      break; /* the deadline is spent: no time for the next entry */
  }
  dbus_close(c);
  return r < 0 ? r : -EIO;
}

/* The next whole message from the peer. */
static int read_msg(struct dbus_conn *c, struct dbus_msg *m, struct husk_err *e)
{
  const char *why = NULL;
  size_t total;
  uint8_t *raw;
  int r;
  while (c->rx_len < DBUS_FIXED_HEADER)
    if ((r = fill(c, e)) < 0)
      return r;
  if (!(total = dbus_msg_total_len(c->rx, &why)))
    return herr_msg(e, EPROTO, "D-Bus: %s sent a bad message: %s", c->shown, why);
  while (c->rx_len < total)
    if ((r = fill(c, e)) < 0)
      return r;
  if (!(raw = malloc(total)))
    return herr(e, ENOMEM, "D-Bus: receive from %s", c->shown);
  memcpy(raw, c->rx, total);
  consume(c, total);
  if (dbus_msg_parse(raw, total, m, &why) < 0) {
    dbus_msg_free(m);
    return herr_msg(e, EPROTO, "D-Bus: %s sent a bad message: %s", c->shown, why);
  }
  return 0;
}

int dbus_dispatch_one(struct dbus_conn *c, struct husk_err *e)
{
  struct dbus_msg m;
  int r = read_msg(c, &m, e);
  if (r < 0)
    return r;
  if (c->on_other)
    c->on_other(&m, c->on_other_data);
  dbus_msg_free(&m);
  return 0;
}

int dbus_call(struct dbus_conn *c, const struct dbus_call_spec *spec, struct dbus_msg *reply,
              struct husk_err *e)
{
  struct dbus_wbuf out = {0};
  uint32_t serial = ++c->serial;
  int r;
  memset(reply, 0, sizeof *reply);
  if (dbus_msg_build_call(&out, serial, spec) < 0) {
    dw_free(&out);
    return herr(e, ENOMEM, "D-Bus: build the call %s", spec->member);
  }
  r = send_all(c, out.p, out.len, e);
  dw_free(&out);
  while (r == 0) {
    struct dbus_msg m;
    if ((r = read_msg(c, &m, e)) < 0)
      break;
    if ((m.type == DBUS_METHOD_RETURN || m.type == DBUS_ERROR) && m.reply_serial == serial) {
      *reply = m;
      return m.type == DBUS_ERROR ? 1 : 0;
    }
    if (c->on_other)
      c->on_other(&m, c->on_other_data);
    dbus_msg_free(&m);
  }
  return r;
}
