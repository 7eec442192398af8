/* The systemd manager over D-Bus (husk's own client, src/dbus/), every call
 * bounded by one deadline: a hung dbus-daemon or systemd makes husk fail
 * with a message, never hang. Built with the systemd driver (HAVE_SYSTEMD,
 * configure --with-systemd, the default); otherwise every function fails
 * with ENOTSUP. */
#ifndef HUSK_SYSTEMD_BUS_H
#define HUSK_SYSTEMD_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/systemd_props.h"
#include "dbus/conn.h"
#include "util/error.h"

struct sdb {
  struct dbus_conn conn;
  bool direct;       /* a private socket: no bus daemon, no sender names */
  bool matched;      /* AddMatch for JobRemoved sent */
  uint64_t deadline; /* CLOCK_MONOTONIC, usec */
  char address[160]; /* what we are connected to, for messages */
};

/* Seconds every operation (connect + calls + job wait) may take:
 * $HUSK_SYSTEMD_TIMEOUT, default 30. */
uint64_t sdb_timeout_usec(void);
/* root: the system bus, or /run/systemd/private when there is none;
 * user: the user manager's bus, or $XDG_RUNTIME_DIR/systemd/private. */
int sdb_open(struct sdb *b, bool user, struct husk_err *e);
void sdb_close(struct sdb *b);
/* StartTransientUnit(unit, "fail", props + PIDs=[pid]) and waits for its
 * job. Returns -EEXIST (e filled) when a unit of that name is loaded. *sent
 * is set once systemd accepted the call (the unit is then ours to stop). */
int sdb_start_transient(struct sdb *b, const char *unit, const struct sd_props *props, pid_t pid,
                        bool *sent, struct husk_err *e);
/* StopUnit + job wait; a unit that does not exist is success. */
int sdb_stop(struct sdb *b, const char *unit, struct husk_err *e);
/* ResetFailedUnit; a unit that does not exist is success. */
int sdb_reset_failed(struct sdb *b, const char *unit, struct husk_err *e);
int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *props,
                       struct husk_err *e);
/* A string property of the unit (iface "org.freedesktop.systemd1.Unit"
 * or ".Scope"). -ENOENT when the unit is not loaded. *out is heap. */
int sdb_unit_property(struct sdb *b, const char *unit, const char *iface, const char *prop,
                      char **out, struct husk_err *e);

#endif
