#include "sandbox/console.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/safepath.h"

int console_socket_connect(const char *path, struct husk_err *e)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd;
  if (strlen(path) >= sizeof addr.sun_path)
    return herr(e, ENAMETOOLONG, "console socket `%s`", path);
  strcpy(addr.sun_path, path);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return herr_sys(e, "console socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(fd);
    return herr(e, err, "connect to console socket `%s`", path);
  }
  return fd;
}

int send_fd(int sock, int fd, const char *name)
{
  char cbuf[CMSG_SPACE(sizeof(int))] = {0};
  struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name) + 1};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int recv_fd(int sock)
{
  char cbuf[CMSG_SPACE(sizeof(int))], name[4096];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c;
  int fd;
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0)
    return -errno;
  c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS)
    return -EBADMSG;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

/* The ptmx we open must be the container's devpts multiplexer (inode 2 of a
 * devpts superblock), not something the image planted (CVE-2025-52565). */
static int open_ptmx(struct husk_err *e)
{
  struct statfs sfs;
  struct stat st;
  int fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return herr_sys(e, "open /dev/pts/ptmx");
  if (fstatfs(fd, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC || fstat(fd, &st) < 0 ||
      st.st_ino != 2) {
    close(fd);
    return herr(e, EPERM, "/dev/pts/ptmx is not a devpts multiplexer: refusing it");
  }
  return fd;
}

int console_prepare_target(int rootfd, struct husk_err *e)
{
  struct stat st;
  int dev = safe_mkdir_in_root(rootfd, "/dev", 0755, e), fd;
  if (dev < 0)
    return herr_wrap(e, "/dev/console");
  /* /dev/console may be a planted symlink: replace anything but a regular file. */
  if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
      unlinkat(dev, "console", S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0) {
    close(dev);
    return herr_sys(e, "replace /dev/console");
  }
  fd = openat(dev, "console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  close(dev);
  if (fd < 0)
    return herr_sys(e, "create /dev/console");
  close(fd);
  return 0;
}

static int bind_console(int peer, struct husk_err *e)
{
  char src[32];
  struct stat st;
  int fd;
  /* Normally prepared already (console_prepare_target); checked again here. */
  if (lstat("/dev/console", &st) == 0 && !S_ISREG(st.st_mode))
    unlink("/dev/console");
  fd = open("/dev/console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return herr_sys(e, "create /dev/console");
  close(fd);
  snprintf(src, sizeof src, "/proc/self/fd/%d", peer);
  if (mount(src, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return herr_sys(e, "bind the pty on /dev/console");
  return 0;
}

static int setup_pty(const struct oci_process *p, int sock, bool bind, struct husk_err *e)
{
  int master = open_ptmx(e), peer, r = 0;
  unsigned unlock = 0;
  if (master < 0)
    return -1;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
      (peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
    close(master);
    return herr_sys(e, "allocate the pty peer");
  }
  if (p->console_size.set) {
    struct winsize ws = {.ws_row = (unsigned short)p->console_size.height,
                         .ws_col = (unsigned short)p->console_size.width};
    if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
      r = herr_sys(e, "process.consoleSize");
  }
  if (r == 0 && bind)
    r = bind_console(peer, e);
  if (r == 0 && (r = send_fd(sock, master, "/dev/console")) < 0)
    r = herr(e, -r, "send the pty master over the console socket");
  close(master);
  if (r == 0 && (setsid() < 0 || ioctl(peer, TIOCSCTTY, 0) < 0))
    r = herr_sys(e, "make the pty the controlling terminal");
  if (r == 0 && (dup2(peer, 0) < 0 || dup2(peer, 1) < 0 || dup2(peer, 2) < 0))
    r = herr_sys(e, "use the pty as stdio");
  close(peer);
  return r;
}

int console_setup(const struct oci_process *p, int sock, struct husk_err *e)
{
  return setup_pty(p, sock, true, e);
}

int console_setup_exec(const struct oci_process *p, int sock, struct husk_err *e)
{
  return setup_pty(p, sock, false, e);
}

static int copy_once(int from, int to)
{
  char buf[8192];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0)
    return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : 0;
  return write_all_fd(to, buf, (size_t)n) < 0 ? 0 : 1;
}

int console_relay(int master, int pidfd)
{
  struct termios saved, raw;
  bool is_tty = tcgetattr(0, &saved) == 0;
  struct pollfd p[3] = {{.fd = master, .events = POLLIN},
                        {.fd = 0, .events = POLLIN},
                        {.fd = pidfd, .events = POLLIN}};
  if (is_tty) {
    struct winsize ws;
    raw = saved;
    cfmakeraw(&raw);
    tcsetattr(0, TCSANOW, &raw);
    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
      ioctl(master, TIOCSWINSZ, &ws);
  }
  for (;;) {
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (p[0].revents & (POLLIN | POLLHUP)) {
      if (!copy_once(master, 1))
        break;
    }
    if (p[1].revents & POLLIN) {
      if (!copy_once(0, master))
        p[1].fd = -1;
    } else if (p[1].revents & (POLLHUP | POLLERR)) {
      p[1].fd = -1;
    }
    if ((p[2].revents & POLLIN) && !(p[0].revents & POLLIN))
      break;
  }
  if (is_tty)
    tcsetattr(0, TCSANOW, &saved);
  return 0;
}
