/* husk's D-Bus transport and the systemd calls against a scripted peer on
 * a unix socket (a forked child): authentication (both ways, BEGIN sent
 * with the AUTH lines before any reply is read), Hello,
 * AddMatch, StartTransientUnit with its JobRemoved (also arriving before
 * the reply), errors mapped to errno, a silent peer hitting the deadline,
 * a peer that hangs up, and no fd left behind. The peer checks what it
 * receives: a wrong body is answered with an error the test sees. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_wire.h"
#include "dbus/conn.h"
#include "tap.h"

enum scenario {
  S_OK,            /* everything answered, JobRemoved after the reply */
  S_SIGNAL_FIRST,  /* JobRemoved before the reply that names the job */
  S_JOB_FAILED,    /* the job ends "failed" */
  S_EXISTS,        /* UnitExists */
  S_SILENT_CALL,   /* never answers StartTransientUnit */
  S_SILENT_AUTH,   /* accepts, never answers the AUTH */
  S_WANTS_UID,     /* REJECTED for EXTERNAL without identity */
  S_NO_CHALLENGE,  /* OK at once, without a DATA challenge (our DATA: ERROR) */
  S_HANGUP,        /* closes the socket on StartTransientUnit */
  S_ACCESS_DENIED, /* AccessDenied for SetUnitProperties */
};

struct peer {
  int fd;
  uint8_t buf[65536];
  size_t len;
};

static int peer_fill(struct peer *p)
{
  ssize_t n = read(p->fd, p->buf + p->len, sizeof p->buf - p->len);
  if (n <= 0)
    return -1;
  p->len += (size_t)n;
  return 0;
}

static void peer_take(struct peer *p, size_t n)
{
  memmove(p->buf, p->buf + n, p->len - n);
  p->len -= n;
}

static int peer_line(struct peer *p, char *out, size_t cap)
{
  for (;;) {
    uint8_t *nl = memchr(p->buf, '\n', p->len);
    if (nl) {
      size_t n = (size_t)(nl - p->buf) + 1;
      snprintf(out, cap, "%.*s", (int)n - 2, (char *)p->buf);
      peer_take(p, n);
      return 0;
    }
    if (peer_fill(p) < 0)
      return -1;
  }
}

static int peer_msg(struct peer *p, struct dbus_msg *m)
{
  const char *why;
  size_t total;
  while (p->len < DBUS_FIXED_HEADER)
    if (peer_fill(p) < 0)
      return -1;
  if (!(total = dbus_msg_total_len(p->buf, &why)))
    return -1;
  while (p->len < total)
    if (peer_fill(p) < 0)
      return -1;
  uint8_t *raw = malloc(total);
  memcpy(raw, p->buf, total);
  peer_take(p, total);
  return dbus_msg_parse(raw, total, m, &why);
}

static uint32_t peer_serial = 100;

static void peer_send(struct peer *p, enum dbus_msg_type type, const struct dbus_call_spec *s)
{
  struct dbus_wbuf w = {0};
  dbus_msg_build(&w, type, ++peer_serial, s);
  if (write(p->fd, w.p, w.len) != (ssize_t)w.len)
    _exit(3);
  dw_free(&w);
}

static void reply_str(struct peer *p, uint32_t to, const char *sig, const char *v)
{
  struct dbus_wbuf b = {0};
  struct dbus_call_spec s = {.reply_serial = to, .signature = sig, .body = &b};
  if (sig && sig[0] == 'v')
    dw_signature(&b, "s");
  if (v)
    dw_string(&b, v);
  else
    s.signature = NULL, s.body = NULL;
  peer_send(p, DBUS_METHOD_RETURN, &s);
  dw_free(&b);
}

static void reply_error(struct peer *p, uint32_t to, const char *name, const char *text)
{
  struct dbus_wbuf b = {0};
  struct dbus_call_spec s = {.reply_serial = to, .error_name = name, .signature = "s", .body = &b};
  dw_string(&b, text);
  peer_send(p, DBUS_ERROR, &s);
  dw_free(&b);
}

static void job_removed(struct peer *p, uint32_t id, const char *unit, const char *result)
{
  struct dbus_wbuf b = {0};
  char job[64];
  struct dbus_call_spec s = {.path = SD_PATH,
                             .interface = SD_MANAGER,
                             .member = "JobRemoved",
                             .signature = "uoss",
                             .body = &b};
  snprintf(job, sizeof job, "/org/freedesktop/systemd1/job/%u", id);
  dw_u32(&b, id);
  dw_string(&b, job);
  dw_string(&b, unit);
  dw_string(&b, result);
  peer_send(p, DBUS_SIGNAL, &s);
  dw_free(&b);
}

/* What StartTransientUnit must carry: the unit, mode fail, our property
 * and PIDs=[4242]. NULL when right, else what is wrong. */
static const char *check_start(struct dbus_msg *m)
{
  struct dbus_rbuf *r = &m->body;
  const char *unit, *name, *sig;
  if (strcmp(m->signature, "ssa(sv)a(sa(sv))") != 0)
    return "signature";
  unit = dr_string(r);
  if (!unit || strcmp(unit, "t.scope") || strcmp(dr_string(r) ?: "", "fail"))
    return "unit or mode";
  dr_u32(r);
  dr_align(r, 8);
  name = (dr_align(r, 8), dr_string(r));
  sig = dr_signature(r);
  if (!name || strcmp(name, "MemoryMax") || !sig || strcmp(sig, "t") || dr_u64(r) != 1048576)
    return "MemoryMax";
  name = (dr_align(r, 8), dr_string(r));
  sig = dr_signature(r);
  if (!name || strcmp(name, "PIDs") || !sig || strcmp(sig, "au") || dr_u32(r) != 4 ||
      dr_u32(r) != 4242)
    return "PIDs";
  return r->failed ? "malformed" : NULL;
}

static void serve_calls(struct peer *p, enum scenario sc)
{
  struct dbus_msg m;
  while (peer_msg(p, &m) == 0) {
    const char *mem = m.member ? m.member : "", *bad;
    uint32_t to = m.serial;
    if (!strcmp(mem, "Hello"))
      reply_str(p, to, "s", ":1.42");
    else if (!strcmp(mem, "AddMatch"))
      reply_str(p, to, NULL, NULL);
    else if (!strcmp(mem, "StartTransientUnit")) {
      if (sc == S_SILENT_CALL) {
        dbus_msg_free(&m);
        pause();
      }
      if (sc == S_HANGUP)
        _exit(0);
      if ((bad = check_start(&m)))
        reply_error(p, to, "test.Mismatch", bad);
      else if (sc == S_EXISTS)
        reply_error(p, to, "org.freedesktop.systemd1.UnitExists", "Unit t.scope already exists.");
      else {
        job_removed(p, 8, "other.scope", "failed"); /* someone else's job */
        if (sc == S_SIGNAL_FIRST)
          job_removed(p, 9, "t.scope", "done");
        reply_str(p, to, "o", "/org/freedesktop/systemd1/job/9");
        if (sc != S_SIGNAL_FIRST)
          job_removed(p, 9, "t.scope", sc == S_JOB_FAILED ? "failed" : "done");
      }
    } else if (!strcmp(mem, "StopUnit"))
      reply_error(p, to, "org.freedesktop.systemd1.NoSuchUnit", "Unit t.scope not loaded.");
    else if (!strcmp(mem, "ResetFailedUnit"))
      reply_str(p, to, NULL, NULL);
    else if (!strcmp(mem, "GetUnit"))
      reply_str(p, to, "o", "/org/freedesktop/systemd1/unit/t_2escope");
    else if (!strcmp(mem, "Get"))
      reply_str(p, to, "v", "/system.slice/t.scope");
    else if (!strcmp(mem, "SetUnitProperties") && sc == S_ACCESS_DENIED)
      reply_error(p, to, "org.freedesktop.DBus.Error.AccessDenied", "Permission denied");
    else if (!strcmp(mem, "SetUnitProperties"))
      reply_str(p, to, NULL, NULL);
    else
      reply_error(p, to, "org.freedesktop.DBus.Error.UnknownMethod", mem);
    dbus_msg_free(&m);
  }
}

/* BEGIN must already be here, sent with the AUTH lines in one write: the
 * client may not wait for OK before it (see authenticate() in conn.c). */
static void expect_begin_pipelined(struct peer *p)
{
  if (p->len < 7 || memcmp(p->buf, "BEGIN\r\n", 7) != 0)
    _exit(8);
  peer_take(p, 7);
}

/* Accepts a connection and reads up to the end of its AUTH line. */
static void accept_auth(int lfd, struct peer *p, char *line, size_t cap)
{
  p->len = 0;
  if ((p->fd = accept(lfd, NULL, NULL)) < 0)
    _exit(2);
  while (p->len < 1)
    if (peer_fill(p) < 0)
      _exit(2);
  if (p->buf[0] != 0)
    _exit(4); /* the credentials byte */
  peer_take(p, 1);
  if (peer_line(p, line, cap) < 0)
    _exit(5);
}

static void serve(int lfd, enum scenario sc)
{
  static struct peer p;
  char line[512];
  if (sc == S_SILENT_AUTH) {
    p.fd = accept(lfd, NULL, NULL);
    pause();
  }
  accept_auth(lfd, &p, line, sizeof line);
  if (strcmp(line, "AUTH EXTERNAL") != 0)
    _exit(5);
  if (sc == S_WANTS_UID) {
    char want[64], uid[16];
    int k = snprintf(want, sizeof want, "AUTH EXTERNAL ");
    snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
    for (char *c = uid; *c; c++)
      k += snprintf(want + k, sizeof want - (size_t)k, "%02x", (unsigned char)*c);
    dprintf(p.fd, "REJECTED EXTERNAL\r\n");
    close(p.fd); /* the client tries again on a new connection */
    accept_auth(lfd, &p, line, sizeof line);
    if (strcmp(line, want) != 0)
      _exit(6);
  } else if (sc == S_NO_CHALLENGE) {
    /* the spec's WaitingForBegin state: anything but BEGIN gets ERROR */
    dprintf(p.fd, "OK 0123456789abcdef0123456789abcdef\r\n");
    if (peer_line(&p, line, sizeof line) < 0 || strcmp(line, "DATA") != 0)
      _exit(7);
    dprintf(p.fd, "ERROR \"unexpected DATA\"\r\n");
    expect_begin_pipelined(&p);
    serve_calls(&p, sc);
    _exit(0);
  } else {
    dprintf(p.fd, "DATA\r\n");
    if (peer_line(&p, line, sizeof line) < 0 || strcmp(line, "DATA") != 0)
      _exit(7);
  }
  expect_begin_pipelined(&p);
  dprintf(p.fd, "OK 0123456789abcdef0123456789abcdef\r\n");
  serve_calls(&p, sc);
  _exit(0);
}

static char sock_path[108];

static pid_t start_peer(enum scenario sc)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char addr[160];
  pid_t pid;
  unlink(sock_path);
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
  if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 4) < 0)
    return -1;
  fflush(stdout); /* the child must not repeat our buffered output */
  if ((pid = fork()) == 0)
    serve(lfd, sc);
  close(lfd);
  snprintf(addr, sizeof addr, "unix:path=%s", sock_path);
  setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
  return pid;
}

static int stop_peer(pid_t pid)
{
  int st = 0;
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return st;
}

static int count_fds(void)
{
  int n = 0;
  for (int fd = 0; fd < 256; fd++)
    n += fcntl(fd, F_GETFD) >= 0;
  return n;
}

static void props(struct sd_props *p)
{
  memset(p, 0, sizeof *p);
  sd_props_add_u64(p, "MemoryMax", 1048576);
}

/* Runs open + start on a fresh peer; returns start's result. */
static int start_with(enum scenario sc, struct husk_err *e, bool *sent)
{
  struct sdb b;
  struct sd_props p;
  pid_t peer = start_peer(sc);
  int r;
  props(&p);
  *sent = false;
  r = sdb_open(&b, false, e);
  if (r == 0)
    r = sdb_start_transient(&b, "t.scope", &p, 4242, sent, e);
  sdb_close(&b);
  sd_props_free(&p);
  stop_peer(peer);
  return r;
}

static void test_happy_path(void)
{
  struct husk_err e = {0};
  struct sdb b;
  struct sd_props p;
  char *val = NULL;
  bool sent = false;
  int fds = count_fds();
  pid_t peer = start_peer(S_OK);
  props(&p);
  ok(sdb_open(&b, false, &e) == 0, "connect, authenticate, Hello (%s)", e.msg ? e.msg : "");
  ok(sdb_start_transient(&b, "t.scope", &p, 4242, &sent, &e) == 0 && sent,
     "StartTransientUnit: the peer accepted the body, the job finished (%s)", e.msg ? e.msg : "");
  ok(sdb_unit_property(&b, "t.scope", "org.freedesktop.systemd1.Scope", "ControlGroup", &val, &e) ==
         0,
     "GetUnit + Properties.Get (%s)", e.msg ? e.msg : "");
  ok_str(val, "/system.slice/t.scope", "the property's value");
  ok(sdb_set_properties(&b, "t.scope", &p, &e) == 0, "SetUnitProperties");
  ok(sdb_stop(&b, "t.scope", &e) == 0, "StopUnit of a unit that is gone is success");
  ok(sdb_reset_failed(&b, "t.scope", &e) == 0, "ResetFailedUnit");
  sdb_close(&b);
  ok(count_fds() == fds, "no fd left after close");
  int st = stop_peer(peer);
  ok((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (WIFEXITED(st) && WEXITSTATUS(st) == 0),
     "the peer saw a well-formed conversation (wait status %#x)", st);
  free(val);
  sd_props_free(&p);
  herr_clear(&e);
}

static void test_errors(void)
{
  struct husk_err e = {0};
  bool sent;
  uint64_t t0;
  int r;
  r = start_with(S_SIGNAL_FIRST, &e, &sent);
  ok(r == 0 && sent, "JobRemoved before the reply is not missed (%s)", e.msg ? e.msg : "");
  herr_clear(&e);
  r = start_with(S_JOB_FAILED, &e, &sent);
  ok(r < 0 && sent && e.msg && strstr(e.msg, "`failed`"), "a failed job is an error: %s",
     e.msg ? e.msg : "");
  herr_clear(&e);
  r = start_with(S_EXISTS, &e, &sent);
  ok(r == -EEXIST && !sent && strstr(e.msg, "already exists"), "UnitExists is -EEXIST: %s",
     e.msg ? e.msg : "");
  herr_clear(&e);
  r = start_with(S_WANTS_UID, &e, &sent);
  ok(r == 0, "a peer that wants the uid in AUTH gets it (%s)", e.msg ? e.msg : "");
  herr_clear(&e);
  r = start_with(S_NO_CHALLENGE, &e, &sent);
  ok(r == 0 && sent, "a peer that says OK without a DATA challenge (its ERROR read) (%s)",
     e.msg ? e.msg : "");
  herr_clear(&e);
  r = start_with(S_HANGUP, &e, &sent);
  ok(r < 0 && strstr(e.msg, "closed the connection"), "a peer that hangs up: %s",
     e.msg ? e.msg : "");
  herr_clear(&e);
  setenv("HUSK_SYSTEMD_TIMEOUT", "1", 1);
  t0 = dbus_now_usec();
  r = start_with(S_SILENT_CALL, &e, &sent);
  ok(r == -ETIMEDOUT && strstr(e.msg, "no answer") && strstr(e.msg, "within 1 s"),
     "a silent systemd: %s", e.msg ? e.msg : "");
  ok(dbus_now_usec() - t0 < 3000000, "  ... after about the 1 s deadline (%llu ms)",
     (unsigned long long)(dbus_now_usec() - t0) / 1000);
  herr_clear(&e);
  t0 = dbus_now_usec();
  r = start_with(S_SILENT_AUTH, &e, &sent);
  ok(r == -ETIMEDOUT && strstr(e.msg, "connect"), "a bus that accepts and never authenticates: %s",
     e.msg ? e.msg : "");
  ok(dbus_now_usec() - t0 < 3000000, "  ... bounded too");
  unsetenv("HUSK_SYSTEMD_TIMEOUT");
  herr_clear(&e);
}

static void test_access_denied(void)
{
  struct husk_err e = {0};
  struct sdb b;
  struct sd_props p;
  pid_t peer = start_peer(S_ACCESS_DENIED);
  props(&p);
  ok(sdb_open(&b, false, &e) == 0, "open");
  int r = sdb_set_properties(&b, "t.scope", &p, &e);
  ok(r < 0 && e.errnum == EACCES && strstr(e.msg, "AccessDenied") &&
         strstr(e.msg, "Permission denied"),
     "AccessDenied names the error and maps to EACCES: %s", e.msg ? e.msg : "");
  sdb_close(&b);
  stop_peer(peer);
  sd_props_free(&p);
  herr_clear(&e);
}

static void test_no_bus(void)
{
  struct husk_err e = {0};
  struct sdb b;
  setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/husk-test-bus", 1);
  if (access("/run/systemd/private", F_OK) == 0) {
    ok(1, "# skip: this host has /run/systemd/private");
    return;
  }
  int r = sdb_open(&b, false, &e);
  ok(r < 0 && strstr(e.msg, "no system bus") && strstr(e.msg, "/nonexistent/husk-test-bus") &&
         strstr(e.msg, "/run/systemd/private"),
     "no bus and no private socket: both named: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  unsetenv("XDG_RUNTIME_DIR");
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  r = sdb_open(&b, true, &e);
  ok(r < 0 && strstr(e.msg, "XDG_RUNTIME_DIR"), "user bus without XDG_RUNTIME_DIR: %s",
     e.msg ? e.msg : "");
  herr_clear(&e);
}

int main(void)
{
  char dir[] = "/tmp/husk-dbus-peer.XXXXXX";
  signal(SIGPIPE, SIG_IGN);
  if (!mkdtemp(dir))
    return 99;
  snprintf(sock_path, sizeof sock_path, "%s/bus", dir);
  test_happy_path();
  test_errors();
  test_access_denied();
  test_no_bus();
  unlink(sock_path);
  rmdir(dir);
  return tap_done();
}
