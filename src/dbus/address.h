/* D-Bus server addresses ("unix:path=/run/dbus/system_bus_socket;..."),
 * specification "Server Addresses": entries separated by `;`, each
 * `transport:key=value,...` with %XX escapes. Pure code. */
#ifndef HUSK_DBUS_ADDRESS_H
#define HUSK_DBUS_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

struct dbus_endpoint {
  struct sockaddr_un sa;
  socklen_t len;
  char shown[sizeof(((struct sockaddr_un *)0)->sun_path) + 16]; /* for messages */
};

/* The unix entries of addr, in order (path= and abstract=); entries of
 * other transports (tcp, launchd, unixexec, ...) are skipped. Returns how
 * many were stored (at most max), or -1 with *why set when addr is
 * malformed or names no unix socket we can connect to. */
int dbus_address_parse(const char *addr, struct dbus_endpoint *out, size_t max, const char **why);

#endif
