/* The systemd manager's D-Bus messages as bytes: method-call bodies built
 * from unit properties, and the replies and signals we read. Pure code
 * (unit-tested in tests/unit/test_dbus.c); systemd_bus.c sends them. */
#ifndef HUSK_SYSTEMD_WIRE_H
#define HUSK_SYSTEMD_WIRE_H

#include <sys/types.h>

#include "cgroups/systemd_props.h"
#include "dbus/message.h"
#include "dbus/wire.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

/* StartTransientUnit "ssa(sv)a(sa(sv))": unit, mode "fail", the properties
 * plus PIDs=[pid], no auxiliary units. */
void sd_wire_start_transient(struct dbus_wbuf *w, const char *unit, const struct sd_props *props,
                             pid_t pid);
/* SetUnitProperties "sba(sv)": runtime-only (not persisted to /etc). */
void sd_wire_set_properties(struct dbus_wbuf *w, const char *unit, const struct sd_props *props);
/* The property list a(sv) alone. */
void sd_wire_props(struct dbus_wbuf *w, const struct sd_props *props);

/* A reply whose body is exactly one value of signature sig ("s" or "o"):
 * the string, or NULL when the reply is not that. */
const char *sd_wire_reply_string(struct dbus_msg *m, const char *sig);
/* The reply of Properties.Get for a string property: "v" holding "s". */
const char *sd_wire_reply_variant_string(struct dbus_msg *m);
/* The manager's JobRemoved signal (uoss): 1 with job path and result,
 * 0 when m is another message. */
int sd_wire_job_removed(struct dbus_msg *m, const char **job, const char **result);
/* The text of a D-Bus error reply (its first string), or "" */
const char *sd_wire_error_text(struct dbus_msg *m);

#endif
