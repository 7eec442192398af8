#include "util/sync.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

int sync_send(int fd, enum sync_type type, int value, const char *text)
{
  struct sync_msg m = {.type = type, .value = value};
  size_t len = offsetof(struct sync_msg, text);
  if (text) {
    size_t n = strnlen(text, sizeof m.text - 1);
    memcpy(m.text, text, n);
    len += n + 1;
  }
  for (;;) {
    ssize_t w = send(fd, &m, len, MSG_NOSIGNAL);
    if (w >= 0)
      return 0;
    if (errno != EINTR)
      return -errno;
  }
}

int sync_recv(int fd, struct sync_msg *m, int timeout_ms)
{
  struct pollfd p = {.fd = fd, .events = POLLIN};
  ssize_t r;
  for (;;) {
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return -ETIMEDOUT;
    break;
  }
  memset(m, 0, sizeof *m);
  do
    r = recv(fd, m, sizeof *m, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -errno;
  if (r < (ssize_t)offsetof(struct sync_msg, text))
    return -EPIPE;
  m->text[sizeof m->text - 1] = '\0';
  return 0;
}
