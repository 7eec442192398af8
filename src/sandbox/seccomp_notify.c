/* The runtime's side of SCMP_ACT_NOTIFY (see seccomp.c for the init's side).
 *
 * The listener fd is taken out of the init with pidfd_getfd, so the filtered
 * init makes no syscall to hand it over, and it goes to the agent at
 * linux.seccomp.listenerPath the way runc's seccomp agent protocol has it:
 * one message on a unix stream socket, SCM_RIGHTS carrying the fd, and the
 * payload a ContainerProcessState JSON:
 *   {"ociVersion":..., "fds":["seccompFd"], "pid":<init, host pid>,
 *    "metadata":<listenerMetadata>, "state":<container state>}
 * Every wait here has a deadline: the runtime never blocks on the container. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "oci_json.h"
#include "sandbox/security.h"
#include "util/sync.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define LISTENER_WAIT_MS 10000

static int connect_agent(const char *path, struct husk_err *e)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd;
  if (strlen(path) >= sizeof addr.sun_path)
    return herr(e, ENAMETOOLONG, "linux.seccomp.listenerPath `%s`", path);
  strcpy(addr.sun_path, path);
  if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
    return herr_sys(e, "linux.seccomp.listenerPath: socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    herr_sys(e, "linux.seccomp.listenerPath: connect to `%s`", path);
    close(fd);
    return -1;
  }
  return fd;
}

/* The number of the init's seccomp listener fd, or -1 when none (yet). */
static int scan_listener(pid_t pid)
{
  char dir[64], link[320], target[64];
  struct dirent *d;
  DIR *dp;
  int found = -1;
  snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
  if (!(dp = opendir(dir)))
    return -1;
  while (found < 0 && (d = readdir(dp))) {
    ssize_t n;
    if (d->d_name[0] == '.')
      continue;
    snprintf(link, sizeof link, "%s/%s", dir, d->d_name);
    n = readlink(link, target, sizeof target - 1);
    if (n > 0) {
      target[n] = '\0';
      if (strcmp(target, "anon_inode:seccomp notify") == 0)
        found = atoi(d->d_name);
    }
  }
  closedir(dp);
  return found;
}

/* Waits for the filter to be loaded; stops early when the init writes (an
 * error) or goes away. */
static int wait_listener(int conn, pid_t pid, struct husk_err *e)
{
  struct pollfd p = {.fd = conn, .events = POLLIN};
  for (int waited = 0; waited < LISTENER_WAIT_MS; waited++) {
    int n = scan_listener(pid);
    if (n >= 0)
      return n;
    if (poll(&p, 1, 1) > 0)
      return herr(e, EPROTO, "linux.seccomp: the init stopped before loading the filter");
  }
  return herr(e, ETIMEDOUT, "linux.seccomp: no listener appeared in the init");
}

static int take_fd(pid_t pid, int num, struct husk_err *e)
{
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), fd;
  if (pidfd < 0)
    return herr_sys(e, "linux.seccomp: pidfd_open %d", (int)pid);
  fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
  if (fd < 0)
    herr_sys(e, "linux.seccomp: take the listener from the init (pidfd_getfd)");
  close(pidfd);
  return fd;
}

static char *agent_message(pid_t pid, const struct oci_seccomp *s, const char *state_json)
{
  struct oci_json_gen *g = oci_json_gen_new(false);
  char *head, *out = NULL;
  size_t n;
  oci_json_map_open(g);
  oci_json_kv_string(g, "ociVersion", OCI_SPEC_VERSION);
  oci_json_key(g, "fds");
  oci_json_array_open(g);
  oci_json_string(g, "seccompFd");
  oci_json_array_close(g);
  oci_json_kv_int(g, "pid", pid);
  oci_json_kv_string(g, "metadata", s->listener_metadata ? s->listener_metadata : "");
  oci_json_map_close(g);
  head = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  /* Splice the (already JSON) state in as the last member. */
  if (head && (n = strlen(head)) > 1 && head[n - 1] == '}') {
    head[n - 1] = '\0';
    if (asprintf(&out, "%s,\"state\":%s}", head, state_json) < 0)
      out = NULL;
  }
  free(head);
  return out;
}

static int send_to_agent(int sock, int fd, const char *msg, struct husk_err *e)
{
  char cbuf[CMSG_SPACE(sizeof(int))] = {0};
  struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                      .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  ssize_t r;
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  do
    r = sendmsg(sock, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return herr_sys(e, "linux.seccomp.listenerPath: send the listener to the agent");
  if ((size_t)r < iov.iov_len)
    return herr(e, EMSGSIZE, "linux.seccomp.listenerPath: short send to the agent");
  return 0;
}

int seccomp_notify_forward(int conn, pid_t pid, const struct oci_seccomp *s,
                           const char *state_json, struct husk_err *e)
{
  int sock = -1, num, fd = -1, r = -1;
  char *msg = NULL;
  if (!s || !s->listener_path)
    return herr(e, EINVAL, "linux.seccomp.listenerPath: missing");
  if ((sock = connect_agent(s->listener_path, e)) < 0)
    return -1;
  if (sync_send(conn, SYNC_SECCOMP, 0, NULL) < 0) {
    herr(e, EPIPE, "linux.seccomp: lost the container init");
    goto out;
  }
  if ((num = wait_listener(conn, pid, e)) < 0 || (fd = take_fd(pid, num, e)) < 0)
    goto out;
  if (!(msg = agent_message(pid, s, state_json))) {
    herr(e, ENOMEM, "linux.seccomp: agent message");
    goto out;
  }
  if (send_to_agent(sock, fd, msg, e) < 0)
    goto out;
  if (sync_send(conn, SYNC_SECCOMP_DONE, 0, NULL) < 0) {
    herr(e, EPIPE, "linux.seccomp: lost the container init");
    goto out;
  }
  r = 0;
out:
  free(msg);
  if (fd >= 0)
    close(fd);
  close(sock);
  return r;
}
