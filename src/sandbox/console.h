/* The container's terminal: a pty from the container's own devpts, the
 * master sent over --console-socket (one message, one SCM_RIGHTS fd), the
 * peer bound on /dev/console and made the process's stdio. */
#ifndef HUSK_CONSOLE_H
#define HUSK_CONSOLE_H

#include "oci_spec.h"
#include "util/error.h"

/* Connects to the caller's console socket (before the child leaves the host's
 * filesystem view). */
int console_socket_connect(const char *path, struct husk_err *e);
/* Before pivot, while the rootfs may still be written (root.readonly comes
 * later): makes /dev/console inside rootfd an empty regular file, the bind
 * target of the pty, replacing whatever else the image put there (a symlink
 * out of it: CVE-2025-52565). */
int console_prepare_target(int rootfd, struct husk_err *e);
/* In the container after pivot: allocates the pty, sends the master on sock,
 * makes the peer the controlling terminal and fds 0-2. */
int console_setup(const struct oci_process *p, int sock, struct husk_err *e);
/* The same for exec: a new pty from the container's devpts, /dev/console left alone. */
int console_setup_exec(const struct oci_process *p, int sock, struct husk_err *e);
int send_fd(int sock, int fd, const char *name);
int recv_fd(int sock);
/* Foreground run/exec with a tty and no socket: copy between our stdio and the
 * master until the child exits (stdin put in raw mode when it is a tty). */
int console_relay(int master, int pidfd);

#endif
