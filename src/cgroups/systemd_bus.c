/* The systemd manager over sd-bus with a deadline on every call (see
 * systemd_bus.h). Job results come from the manager's JobRemoved signal,
 * matched before the call that creates the job so none is missed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroups/systemd_bus.h"
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
#include <systemd/sd-bus.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

static uint64_t now_usec(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* What is left of the deadline (at least 1 usec: 0 means "default" to sd-bus). */
static uint64_t left(const struct sdb *b)
{
  uint64_t now = now_usec();
  return now >= b->deadline ? 1 : b->deadline - now;
}

static int timed_out(const struct sdb *b, const char *what, struct husk_err *e)
{
  return herr(e, ETIMEDOUT, "systemd: %s: no answer from %s within %llu s", what, b->address,
              (unsigned long long)(sdb_timeout_usec() / 1000000));
}

static int connect_to(struct sdb *b, const char *address)
{
  sd_bus *bus = NULL;
  int r = sd_bus_new(&bus);
  if (r >= 0)
    r = sd_bus_set_address(bus, address);
  if (r >= 0)
    r = sd_bus_start(bus);
  if (r < 0) {
    sd_bus_unref(bus);
    return r;
  }
  b->bus = bus;
  b->direct = true;
  snprintf(b->address, sizeof b->address, "%s", address);
  return 0;
}

/* Authentication and Hello happen in the background of the first call, and
 * sd-bus waits for them without a limit of ours: wait here, bounded. */
static int wait_ready(struct sdb *b, struct husk_err *e)
{
  for (;;) {
    int r = sd_bus_is_ready(b->bus);
    if (r > 0)
      return 0;
    if (r == 0)
      r = sd_bus_process(b->bus, NULL);
    if (r < 0)
      return herr(e, -r, "systemd: connect to %s", b->address);
    if (r > 0)
      continue;
    if (now_usec() >= b->deadline)
      return timed_out(b, "connect", e);
    r = sd_bus_wait(b->bus, left(b));
    if (r < 0 && r != -EINTR)
      return herr(e, -r, "systemd: connect to %s", b->address);
  }
}

static void restart_deadline(struct sdb *b)
{
  b->deadline = now_usec() + sdb_timeout_usec();
}

void sdb_close(struct sdb *b)
{
  if (b->bus)
    sd_bus_close_unref(b->bus); /* no flush: the peer may be the hung party */
  b->bus = NULL;
}

int sdb_open(struct sdb *b, bool user, struct husk_err *e)
{
  sd_bus *bus = NULL;
  char addr[sizeof b->address];
  const char *xdg = getenv("XDG_RUNTIME_DIR"), *kind = user ? "user" : "system";
  int r, r2;
  memset(b, 0, sizeof *b);
  restart_deadline(b);
  r = user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
  if (r >= 0) {
    b->bus = bus;
    snprintf(b->address, sizeof b->address, "the %s bus", kind);
    goto ready;
  }
  /* No bus daemon: systemd's own socket (what systemctl uses then). */
  if (user && !(xdg && *xdg))
    return herr(e, -r, "systemd: connect to the user bus (and XDG_RUNTIME_DIR is not set)");
  snprintf(addr, sizeof addr, "unix:path=%s/systemd/private", user ? xdg : "/run");
  if ((r2 = connect_to(b, addr)) < 0)
    return herr(e, -r2, "systemd: no %s bus (%s) and no systemd at %s", kind, strerror(-r),
                addr + strlen("unix:path="));
ready:
  if (wait_ready(b, e) < 0) {
    sdb_close(b);
    return -1;
  }
  return 0;
}

/* One method call on the manager, bounded by the deadline. */
static int call(struct sdb *b, sd_bus_message *m, sd_bus_message **reply, const char *what,
                struct husk_err *e)
{
  sd_bus_error err = SD_BUS_ERROR_NULL;
  int r = sd_bus_call(b->bus, m, left(b), &err, reply);
  if (r >= 0)
    return 0;
  if (r == -ETIMEDOUT || now_usec() >= b->deadline)
    r = timed_out(b, what, e);
  else if (sd_bus_error_has_name(&err, "org.freedesktop.systemd1.UnitExists"))
    r = herr(e, 0, "systemd: %s: %s", what, err.message), r = -EEXIST;
  else if (sd_bus_error_has_name(&err, "org.freedesktop.systemd1.NoSuchUnit") ||
           sd_bus_error_has_name(&err, "org.freedesktop.systemd1.LoadFailed"))
    r = herr(e, 0, "systemd: %s: %s", what, err.message), r = -ENOENT;
  else
    r = herr(e, -r, "systemd: %s: %s", what, err.message ? err.message : "call failed");
  sd_bus_error_free(&err);
  return r;
}

static int new_call(struct sdb *b, sd_bus_message **m, const char *method)
{
  return sd_bus_message_new_method_call(b->bus, m, SD_DEST, SD_PATH, SD_MANAGER, method);
}

static int append_prop(sd_bus_message *m, const struct sd_prop *p)
{
  int r = sd_bus_message_open_container(m, 'r', "sv");
  if (r >= 0)
    r = sd_bus_message_append(m, "s", p->name);
  if (r < 0)
    return r;
  switch (p->type) {
  case 'b':
    r = sd_bus_message_append(m, "v", "b", (int)p->b);
    break;
  case 't':
    r = sd_bus_message_append(m, "v", "t", p->u);
    break;
  case 'x':
    r = sd_bus_message_append(m, "v", "x", p->i);
    break;
  case 'u':
    r = sd_bus_message_append(m, "v", "u", (uint32_t)p->u);
    break;
  case 'i':
    r = sd_bus_message_append(m, "v", "i", (int32_t)p->i);
    break;
  case 's':
    r = sd_bus_message_append(m, "v", "s", p->s);
    break;
  case 'A':
    r = sd_bus_message_open_container(m, 'v', "a(ss)");
    if (r >= 0)
      r = sd_bus_message_open_container(m, 'a', "(ss)");
    for (size_t k = 0; r >= 0 && k < p->n_pairs; k++)
      r = sd_bus_message_append(m, "(ss)", p->pairs[2 * k], p->pairs[2 * k + 1]);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
    break;
  case 'y':
    r = sd_bus_message_open_container(m, 'v', "ay");
    if (r >= 0)
      r = sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
    break;
  default:
    return -EINVAL;
  }
  return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_props(sd_bus_message *m, const struct sd_props *props)
{
  for (size_t i = 0; i < props->n; i++) {
    int r = append_prop(m, &props->items[i]);
    if (r < 0)
      return r;
  }
  return 0;
}

struct job_wait {
  const char *unit;
  char *job;    /* object path from the call's reply */
  char *result; /* from JobRemoved */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
  struct job_wait *w = userdata;
  const char *path, *unit, *result;
  uint32_t id;
  (void)ret;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job && strcmp(path, w->job) == 0 && !w->result)
    w->result = strdup(result);
  return 0;
}

/* Reads the job path from reply, then processes messages until its
 * JobRemoved arrived or the deadline passed. */
static int wait_job(struct sdb *b, struct job_wait *w, sd_bus_message *reply, const char *what,
                    struct husk_err *e)
{
  const char *job;
  int r = sd_bus_message_read(reply, "o", &job);
  if (r < 0)
    return herr(e, -r, "systemd: %s: read the job", what);
  if (!(w->job = strdup(job)))
    return herr(e, ENOMEM, "systemd: %s", what);
  while (!w->result) {
    r = sd_bus_process(b->bus, NULL);
    if (r < 0)
      return herr(e, -r, "systemd: %s: waiting for job %s", what, job);
    if (r > 0)
      continue;
    if (now_usec() >= b->deadline)
      return herr(e, ETIMEDOUT, "systemd: %s: job %s did not finish within %llu s", what, job,
                  (unsigned long long)(sdb_timeout_usec() / 1000000));

    r = sd_bus_wait(b->bus, left(b));
    if (r < 0 && r != -EINTR)
      return herr(e, -r, "systemd: %s: waiting for job %s", what, job);
  }
  if (!w->result || strcmp(w->result, "done") != 0)
    return herr(e, EIO, "systemd: %s: job finished with result `%s`", what,
                w->result ? w->result : "?");
  return 0;
}

/* The match for JobRemoved, installed before the call that makes the job. */
static int match_jobs(struct sdb *b, sd_bus_slot **slot, struct job_wait *w, struct husk_err *e)
{
  int r;
  sd_bus_set_method_call_timeout(b->bus, left(b)); /* AddMatch is a call too */
  r = sd_bus_match_signal(b->bus, slot, b->direct ? NULL : SD_DEST, SD_PATH, SD_MANAGER,
                          "JobRemoved", on_job_removed, w);
  if (r == -ETIMEDOUT || (r < 0 && now_usec() >= b->deadline))
    return timed_out(b, "subscribe to job results", e);
  if (r < 0)
    return herr(e, -r, "systemd: subscribe to job results on %s", b->address);
  return 0;
}

static int job_call(struct sdb *b, sd_bus_message *m, const char *unit, const char *what,
                    bool *sent, struct husk_err *e)
{
  struct job_wait w = {.unit = unit};
  sd_bus_slot *slot = NULL;
  sd_bus_message *reply = NULL;
  int r = match_jobs(b, &slot, &w, e);
  if (r == 0 && (r = call(b, m, &reply, what, e)) == 0) {
    if (sent)
      *sent = true;
    r = wait_job(b, &w, reply, what, e);
  }
  sd_bus_message_unref(reply);
  sd_bus_slot_unref(slot);
  free(w.job);
  free(w.result);
  return r;
}

int sdb_start_transient(struct sdb *b, const char *unit, const struct sd_props *props, pid_t pid,
                        bool *sent, struct husk_err *e)
{
  sd_bus_message *m = NULL;
  char what[320];
  int r;
  snprintf(what, sizeof what, "start the transient unit %s", unit);
  r = new_call(b, &m, "StartTransientUnit");
  if (r >= 0)
    r = sd_bus_message_append(m, "ss", unit, "fail");
  if (r >= 0)
    r = sd_bus_message_open_container(m, 'a', "(sv)");
  if (r >= 0)
    r = append_props(m, props);
  if (r >= 0)
    r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
  if (r >= 0)
    r = sd_bus_message_close_container(m);
  if (r >= 0)
    r = sd_bus_message_append(m, "a(sa(sv))", 0);
  if (r < 0) {
    sd_bus_message_unref(m);
    return herr(e, -r, "systemd: %s: build the message", what);
  }
  r = job_call(b, m, unit, what, sent, e);
  sd_bus_message_unref(m);
  return r;
}

int sdb_stop(struct sdb *b, const char *unit, struct husk_err *e)
{
  sd_bus_message *m = NULL;
  char what[320];
  int r;
  snprintf(what, sizeof what, "stop %s", unit);
  r = new_call(b, &m, "StopUnit");
  if (r >= 0)
    r = sd_bus_message_append(m, "ss", unit, "replace");
  if (r < 0) {
    sd_bus_message_unref(m);
    return herr(e, -r, "systemd: %s", what);
  }
  r = job_call(b, m, unit, what, NULL, e);
  sd_bus_message_unref(m);
  if (r == -ENOENT) { /* already gone: what we wanted */
    herr_clear(e);
    return 0;
  }
  return r;
}

static int simple_call(struct sdb *b, const char *method, const char *unit,
                       const struct sd_props *props, struct husk_err *e)
{
  sd_bus_message *m = NULL;
  char what[320];
  int r;
  snprintf(what, sizeof what, "%s %s", method, unit);
  r = new_call(b, &m, method);
  if (r >= 0)
    r = sd_bus_message_append(m, "s", unit);
  if (r >= 0 && props) {
    r = sd_bus_message_append(m, "b", 1); /* runtime: not persisted to /etc */
    if (r >= 0)
      r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
      r = append_props(m, props);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
  }
  if (r < 0) {
    sd_bus_message_unref(m);
    return herr(e, -r, "systemd: %s: build the message", what);
  }
  r = call(b, m, NULL, what, e);
  sd_bus_message_unref(m);
  return r;
}

int sdb_reset_failed(struct sdb *b, const char *unit, struct husk_err *e)
{
  int r = simple_call(b, "ResetFailedUnit", unit, NULL, e);
  if (r == -ENOENT) {
    herr_clear(e);
    return 0;
  }
  return r;
}

int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *props,
                       struct husk_err *e)
{
  return simple_call(b, "SetUnitProperties", unit, props, e);
}

int sdb_unit_property(struct sdb *b, const char *unit, const char *iface, const char *prop,
                      char **out, struct husk_err *e)
{
  sd_bus_message *m = NULL, *reply = NULL;
  const char *path, *val;
  char what[320], *upath = NULL;
  int r;
  snprintf(what, sizeof what, "read %s of %s", prop, unit);
  if ((r = new_call(b, &m, "GetUnit")) >= 0 && (r = sd_bus_message_append(m, "s", unit)) >= 0)
    r = call(b, m, &reply, what, e);
  else
    r = herr(e, -r, "systemd: %s", what);
  sd_bus_message_unref(m);
  m = NULL;
  if (r < 0)
    goto out;
  if ((r = sd_bus_message_read(reply, "o", &path)) < 0 || !(upath = strdup(path))) {
    r = herr(e, r < 0 ? -r : ENOMEM, "systemd: %s", what);
    goto out;
  }
  sd_bus_message_unref(reply);
  reply = NULL;
  r = sd_bus_message_new_method_call(b->bus, &m, SD_DEST, upath, "org.freedesktop.DBus.Properties",
                                     "Get");
  if (r >= 0)
    r = sd_bus_message_append(m, "ss", iface, prop);
  if (r < 0 || (r = call(b, m, &reply, what, e)) < 0)
    goto out;
  if ((r = sd_bus_message_read(reply, "v", "s", &val)) < 0 || !(*out = strdup(val)))
    r = herr(e, r < 0 ? -r : ENOMEM, "systemd: %s: read the value", what);
out:
  sd_bus_message_unref(m);
  sd_bus_message_unref(reply);
  free(upath);
  return r < 0 ? r : 0;
}

#else /* !HAVE_SYSTEMD */

static int no_systemd(struct husk_err *e)
{
  return herr(e, ENOTSUP,
              "the systemd cgroup manager needs husk built with libsystemd "
              "(configure --with-systemd)");
}

int sdb_open(struct sdb *b, bool user, struct husk_err *e)
{
  (void)user;
  b->bus = NULL;
  return no_systemd(e);
}
void sdb_close(struct sdb *b)
{
  b->bus = NULL;
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
