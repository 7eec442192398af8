/* The systemd manager over D-Bus with a deadline on every call (see
 * systemd_bus.h). Job results come from the manager's JobRemoved signal,
 * subscribed to before the call that creates the job so none is missed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_wire.h"
#include "config.h"

uint64_t sdb_timeout_usec(void)
{
  const char *s = getenv("HUSK_SYSTEMD_TIMEOUT");
  char *end;
  unsigned long v = s ? strtoul(s, &end, 10) : 0;
  if (!s || *end || v == 0 || v > 3600)
    v = 30;
  return (uint64_t)v * 1000000;
}

#ifdef HAVE_SYSTEMD

static int timed_out(const struct sdb *b, const char *what, struct husk_err *e)
{
  return herr(e, ETIMEDOUT, "systemd: %s: no answer from %s within %llu s", what, b->address,
              (unsigned long long)(sdb_timeout_usec() / 1000000));
}

void sdb_close(struct sdb *b)
{
  dbus_close(&b->conn); /* no flush: the peer may be the hung party */
}

/* Where the bus is: the environment (as every D-Bus client reads it), else
 * the well-known place. NULL (why set) when there is none to try. */
static const char *bus_address(bool user, char *buf, size_t len, const char **why)
{
  const char *env = getenv(user ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (env && *env)
    return env;
  if (!user)
    return "unix:path=/run/dbus/system_bus_socket";
  if (!xdg || !*xdg) {
    *why = "XDG_RUNTIME_DIR is not set";
    return NULL;
  }
  snprintf(buf, len, "unix:path=%s/bus", xdg);
  return buf;
}

int sdb_open(struct sdb *b, bool user, struct husk_err *e)
{
  char buf[sizeof b->address], priv[sizeof b->address], first[256] = "";
  const char *xdg = getenv("XDG_RUNTIME_DIR"), *kind = user ? "user" : "system", *why = NULL;
  const char *addr = bus_address(user, buf, sizeof buf, &why);
  int r = -ENOENT;
  memset(b, 0, sizeof *b);
  b->conn.fd = -1;
  b->deadline = dbus_now_usec() + sdb_timeout_usec();
  if (addr) {
    snprintf(b->address, sizeof b->address, "the %s bus", kind);
    if ((r = dbus_connect(&b->conn, addr, true, b->deadline, e)) == 0)
      return 0;
    if (r == -ETIMEDOUT)
      return timed_out(b, "connect", e);
    snprintf(first, sizeof first, "%s", e && e->msg ? e->msg : "");
    herr_clear(e);
  }
  /* No bus daemon: systemd's own socket (what systemctl uses then). */
  if (user && !(xdg && *xdg))
    return herr(e, -r, "systemd: connect to the user bus (and XDG_RUNTIME_DIR is not set)");
  snprintf(priv, sizeof priv, "unix:path=%s/systemd/private", user ? xdg : "/run");
  snprintf(b->address, sizeof b->address, "%s", priv + strlen("unix:path="));
  b->direct = true;
  if ((r = dbus_connect(&b->conn, priv, false, b->deadline, e)) == 0)
    return 0;
  if (r == -ETIMEDOUT)
    return timed_out(b, "connect", e);
  return herr_msg(e, -r, "systemd: no %s bus (%s) and no systemd at %s (%s)", kind,
                  why ? why : first, b->address, strerror(-r));
}

/* What a D-Bus error name means as errno (as sd-bus maps them). */
static int errno_of(const char *name)
{
  static const struct {
    const char *name;
    int err;
  } map[] = {
      {"org.freedesktop.systemd1.UnitExists", EEXIST},
      {"org.freedesktop.systemd1.NoSuchUnit", ENOENT},
      {"org.freedesktop.systemd1.LoadFailed", ENOENT},
      {"org.freedesktop.DBus.Error.AccessDenied", EACCES},
      {"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", EACCES},
      {"org.freedesktop.DBus.Error.NoReply", ETIMEDOUT},
      {"org.freedesktop.DBus.Error.Timeout", ETIMEDOUT},
      {"org.freedesktop.DBus.Error.TimedOut", ETIMEDOUT},
      {"org.freedesktop.DBus.Error.ServiceUnknown", EHOSTUNREACH},
      {"org.freedesktop.DBus.Error.InvalidArgs", EINVAL},
      {"org.freedesktop.DBus.Error.PropertyReadOnly", EPERM},
      {"org.freedesktop.DBus.Error.NoMemory", ENOMEM},
      {"org.freedesktop.DBus.Error.LimitsExceeded", ENOBUFS},
  };
  for (size_t i = 0; i < sizeof map / sizeof *map; i++)
    if (strcmp(name, map[i].name) == 0)
      return map[i].err;
  return EIO;
}

/* One method call on the manager. Errors: UnitExists -EEXIST, no such unit
 * -ENOENT, the deadline -ETIMEDOUT, others -1; e says which. */
static int call(struct sdb *b, const char *path, const char *iface, const char *member,
                const char *sig, const struct dbus_wbuf *body, struct dbus_msg *reply,
                const char *what, struct husk_err *e)
{
  struct dbus_call_spec s = {.destination = SD_DEST,
                             .path = path,
                             .interface = iface,
                             .member = member,
                             .signature = sig,
                             .body = body};
  int r = dbus_call(&b->conn, &s, reply, e), err;
  if (r == 0)
    return 0;
  if (r == -ETIMEDOUT)
    return timed_out(b, what, e);
  if (r < 0)
    return herr_wrap(e, "systemd: %s", what);
  err = errno_of(reply->error_name);
  herr_msg(e, err, "systemd: %s: %s (%s)", what, sd_wire_error_text(reply), reply->error_name);
  dbus_msg_free(reply);
  return err == EEXIST || err == ENOENT || err == ETIMEDOUT ? -err : -1;
}

static int manager_call(struct sdb *b, const char *member, const char *sig,
                        const struct dbus_wbuf *body, struct dbus_msg *reply, const char *what,
                        struct husk_err *e)
{
  if (body->failed)
    return herr(e, ENOMEM, "systemd: %s: build the message", what);
  return call(b, SD_PATH, SD_MANAGER, member, sig, body, reply, what, e);
}

/* JobRemoved signals seen while waiting: the one for our job may come
 * before the reply that names the job. */
struct job_wait {
  const char *job; /* NULL until the call's reply named it */
  char *result;    /* ours */
  char *seen_job[16], *seen_result[16];
  size_t n_seen;
};

static void on_message(const struct dbus_msg *m, void *data)
{
  struct job_wait *w = data;
  struct dbus_msg copy = *m; /* the body reader advances */
  const char *job, *result;
  if (!sd_wire_job_removed(&copy, &job, &result))
    return;
  if (w->job && !w->result && strcmp(job, w->job) == 0)
    w->result = strdup(result);
  else if (!w->job && w->n_seen < 16 && (w->seen_job[w->n_seen] = strdup(job))) {
    w->seen_result[w->n_seen] = strdup(result);
    w->n_seen++;
  }
}

static void job_wait_free(struct job_wait *w)
{
  free(w->result);
  for (size_t i = 0; i < w->n_seen; i++)
    free(w->seen_job[i]), free(w->seen_result[i]);
}

/* The bus routes the manager's signals to us only when asked; a direct
 * connection gets JobRemoved for its own jobs anyway. */
static int subscribe_jobs(struct sdb *b, struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  struct dbus_msg reply;
  struct dbus_call_spec s = {.destination = "org.freedesktop.DBus",
                             .path = "/org/freedesktop/DBus",
                             .interface = "org.freedesktop.DBus",
                             .member = "AddMatch",
                             .signature = "s",
                             .body = &body};
  int r;
  if (b->direct || b->matched)
    return 0;
  dw_string(&body, "type='signal',sender='" SD_DEST "',path='" SD_PATH "',interface='" SD_MANAGER
                   "',member='JobRemoved'");
  r = body.failed ? -ENOMEM : dbus_call(&b->conn, &s, &reply, e);
  dw_free(&body);
  if (r == -ETIMEDOUT)
    return timed_out(b, "subscribe to job results", e);
  if (r == 1)
    r = herr(e, EIO, "systemd: subscribe to job results on %s: %s", b->address, reply.error_name);
  else if (r < 0)
    r = herr_wrap(e, "systemd: subscribe to job results on %s", b->address);
  dbus_msg_free(&reply);
  b->matched = r == 0;
  return r;
}

/* After the call's reply named the job: its result, from a JobRemoved seen
 * already or one still to come, within the deadline. */
static int wait_job(struct sdb *b, struct job_wait *w, const char *what, struct husk_err *e)
{
  for (size_t i = 0; i < w->n_seen && !w->result; i++)
    if (strcmp(w->seen_job[i], w->job) == 0)
      w->result = w->seen_result[i], w->seen_result[i] = NULL;
  while (!w->result) {
    int r = dbus_dispatch_one(&b->conn, e);
    if (r == -ETIMEDOUT)
      return herr(e, ETIMEDOUT, "systemd: %s: job %s did not finish within %llu s", what, w->job,
                  (unsigned long long)(sdb_timeout_usec() / 1000000));
    if (r < 0)
      return herr_wrap(e, "systemd: %s: waiting for job %s", what, w->job);
  }
  if (strcmp(w->result, "done") != 0)
    return herr(e, EIO, "systemd: %s: job finished with result `%s`", what, w->result);
  return 0;
}

static int job_call(struct sdb *b, const char *member, const char *sig,
                    const struct dbus_wbuf *body, const char *what, bool *sent, struct husk_err *e)
{
  struct job_wait w = {0};
  struct dbus_msg reply = {0};
  int r = subscribe_jobs(b, e);
  b->conn.on_other = on_message;
  b->conn.on_other_data = &w;
  if (r == 0 && (r = manager_call(b, member, sig, body, &reply, what, e)) == 0) {
    if (sent)
      *sent = true;
    if (!(w.job = sd_wire_reply_string(&reply, "o")))
      r = herr(e, EPROTO, "systemd: %s: the reply names no job", what);
    else
      r = wait_job(b, &w, what, e);
  }
  b->conn.on_other = NULL;
  dbus_msg_free(&reply);
  job_wait_free(&w);
  return r;
}

int sdb_start_transient(struct sdb *b, const char *unit, const struct sd_props *props, pid_t pid,
                        bool *sent, struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  char what[320];
  int r;
  snprintf(what, sizeof what, "start the transient unit %s", unit);
  sd_wire_start_transient(&body, unit, props, pid);
  r = job_call(b, "StartTransientUnit", "ssa(sv)a(sa(sv))", &body, what, sent, e);
  dw_free(&body);
  return r;
}

int sdb_stop(struct sdb *b, const char *unit, struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  char what[320];
  int r;
  snprintf(what, sizeof what, "stop %s", unit);
  dw_string(&body, unit);
  dw_string(&body, "replace");
  r = job_call(b, "StopUnit", "ss", &body, what, NULL, e);
  dw_free(&body);
  if (r == -ENOENT) { /* already gone: what we wanted */
    herr_clear(e);
    return 0;
  }
  return r;
}

int sdb_reset_failed(struct sdb *b, const char *unit, struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  struct dbus_msg reply = {0};
  char what[320];
  int r;
  snprintf(what, sizeof what, "ResetFailedUnit %s", unit);
  dw_string(&body, unit);
  r = manager_call(b, "ResetFailedUnit", "s", &body, &reply, what, e);
  dw_free(&body);
  dbus_msg_free(&reply);
  if (r == -ENOENT) {
    herr_clear(e);
    return 0;
  }
  return r;
}

int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *props,
                       struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  struct dbus_msg reply = {0};
  char what[320];
  int r;
  snprintf(what, sizeof what, "SetUnitProperties %s", unit);
  sd_wire_set_properties(&body, unit, props);
  r = manager_call(b, "SetUnitProperties", "sba(sv)", &body, &reply, what, e);
  dw_free(&body);
  dbus_msg_free(&reply);
  return r;
}

int sdb_unit_property(struct sdb *b, const char *unit, const char *iface, const char *prop,
                      char **out, struct husk_err *e)
{
  struct dbus_wbuf body = {0};
  struct dbus_msg reply = {0};
  const char *val;
  char what[320], *upath = NULL;
  int r;
  snprintf(what, sizeof what, "read %s of %s", prop, unit);
  dw_string(&body, unit);
  r = manager_call(b, "GetUnit", "s", &body, &reply, what, e);
  dw_free(&body);
  if (r == 0 && !(val = sd_wire_reply_string(&reply, "o")))
    r = herr(e, EPROTO, "systemd: %s: GetUnit returned no object path", what);
  else if (r == 0 && !(upath = strdup(val)))
    r = herr(e, ENOMEM, "systemd: %s", what);
  dbus_msg_free(&reply);
  if (r < 0)
    return r;
  dw_string(&body, iface);
  dw_string(&body, prop);
  r = body.failed
          ? herr(e, ENOMEM, "systemd: %s", what)
          : call(b, upath, "org.freedesktop.DBus.Properties", "Get", "ss", &body, &reply, what, e);
  dw_free(&body);
  free(upath);
  if (r == 0 && !(val = sd_wire_reply_variant_string(&reply)))
    r = herr(e, EPROTO, "systemd: %s: the value is not a string", what);
  else if (r == 0 && !(*out = strdup(val)))
    r = herr(e, ENOMEM, "systemd: %s", what);
  dbus_msg_free(&reply);
  return r < 0 ? r : 0;
}

#else /* !HAVE_SYSTEMD */

static int no_systemd(struct husk_err *e)
{
  return herr(e, ENOTSUP,
              "the systemd cgroup manager is not built into this husk "
              "(configure --with-systemd)");
}

int sdb_open(struct sdb *b, bool user, struct husk_err *e)
{
  (void)user;
  b->conn.fd = -1;
  return no_systemd(e);
}
void sdb_close(struct sdb *b)
{
  (void)b;
}
int sdb_start_transient(struct sdb *b, const char *unit, const struct sd_props *props, pid_t pid,
                        bool *sent, struct husk_err *e)
{
  (void)b, (void)unit, (void)props, (void)pid, (void)sent;
  return no_systemd(e);
}
int sdb_stop(struct sdb *b, const char *unit, struct husk_err *e)
{
  (void)b, (void)unit;
  return no_systemd(e);
}
int sdb_reset_failed(struct sdb *b, const char *unit, struct husk_err *e)
{
  (void)b, (void)unit;
  return no_systemd(e);
}
int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *props,
                       struct husk_err *e)
{
  (void)b, (void)unit, (void)props;
  return no_systemd(e);
}
int sdb_unit_property(struct sdb *b, const char *unit, const char *iface, const char *prop,
                      char **out, struct husk_err *e)
{
  (void)b, (void)unit, (void)iface, (void)prop, (void)out;
  return no_systemd(e);
}
#endif
