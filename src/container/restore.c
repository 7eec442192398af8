/* restore: a new container from a checkpoint. lifecycle_create does the
 * shared part (config, fresh state record, the cgroup from the restore-time
 * config, pid file, cleanup on failure) and calls restore_spawn instead of
 * building a sandbox:
 *   1. the stdio names the dump recorded (descriptors.json)
 *   2. a new pty when the process has a terminal: its master goes over the
 *      console socket (or stays with us in the foreground), its peer
 *      replaces the dumped tty and is bound on /dev/console
 *   3. external mounts mapped from this config, a network namespace path
 *   4. criu restore, run inside the container's cgroup with --cgroup-root
 *      so the tasks land there; the init becomes our child
 *      (--restore-sibling) and its pid comes from CRIU's pidfile; prestart
 *      and createRuntime hooks run from CRIU's action script
 *      (restore_hooks.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "container/checkpoint.h"
#include "container/restore_hooks.h"
#include "sandbox/console.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/safepath.h"

struct pty {
  int master, peer;
  char path[64]; /* the peer's host path (bound on /dev/console) */
};

static int open_pty(const struct oci_process *p, struct pty *t, struct husk_err *e)
{
  t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t->master < 0)
    return herr_sys(e, "restore: open /dev/ptmx");
  if (grantpt(t->master) < 0 || unlockpt(t->master) < 0 ||
      ptsname_r(t->master, t->path, sizeof t->path) != 0)
    return herr_sys(e, "restore: unlock the pty");
  t->peer = open(t->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t->peer < 0)
    return herr_sys(e, "restore: open %s", t->path);
  if (p->console_size.set) {
    struct winsize ws = {.ws_row = (unsigned short)p->console_size.height,
                         .ws_col = (unsigned short)p->console_size.width};
    if (ioctl(t->peer, TIOCSWINSZ, &ws) < 0)
      return herr_sys(e, "process.consoleSize");
  }
  return 0;
}

/* Where the master goes: the console socket, or us (foreground). */
static int hand_over_master(const struct sandbox *sb, struct restore_req *r, struct pty *t,
                            struct husk_err *e)
{
  int sock, rc;
  if (!sb->opts->console_socket) {
    r->master = t->master;
    t->master = -1;
    return 0;
  }
  if ((sock = console_socket_connect(sb->opts->console_socket, e)) < 0)
    return -1;
  rc = send_fd(sock, t->master, "/dev/console");
  close(sock);
  return rc < 0 ? herr(e, -rc, "send the pty master over the console socket") : 0;
}

static int check_terminal(const struct sandbox *sb, const struct restore_req *r, struct husk_err *e)
{
  bool tty = sb->spec->process.terminal;
  if (tty && !sb->opts->console_socket && r->detach)
    return herr(e, EINVAL,
                "cannot allocate tty if husk will detach without setting console "
                "socket");
  if (!tty && sb->opts->console_socket)
    return herr(e, EINVAL, "--console-socket given but process.terminal is false");
  return 0;
}

/* The v1 hierarchies mounted on the host (for cgroup mounts). */
static int host_hierarchies(struct svec *out)
{
  DIR *d;
  struct dirent *de;
  if (cgroup_detect_layout() == CG_LAYOUT_V2 || !(d = opendir("/sys/fs/cgroup")))
    return 0;
  while ((de = readdir(d)))
    if (de->d_type == DT_DIR && de->d_name[0] != '.' && sv_add(out, "%s", de->d_name) < 0) {
      closedir(d);
      return -1;
    }
  closedir(d);
  return 0;
}

/* A network namespace joined by path: CRIU puts the tasks into it. */
static int open_netns(const struct oci_spec *spec, int *fd, struct husk_err *e)
{
  const struct oci_namespace *ns = oci_linux_namespace(&spec->linux_, "network");
  if (!ns || !ns->path || !*ns->path)
    return 0;
  *fd = open(ns->path, O_RDONLY | O_CLOEXEC);
  return *fd < 0 ? herr_sys(e, "linux.namespaces: network path `%s`", ns->path) : 0;
}

static int read_pid(const char *path, pid_t *pid, struct husk_err *e)
{
  char *text = NULL;
  size_t len;
  if (read_file_at(AT_FDCWD, path, &text, &len, e) < 0)
    return herr_wrap(e, "criu restore: its pidfile");
  *pid = (pid_t)atoi(text);
  free(text);
  unlink(path);
  return *pid > 0 ? 0 : herr(e, EINVAL, "criu restore: no pid in %s", path);
}

static bool is_under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* Inside a tmpfs of the config: CRIU brings its contents back itself. */
static bool in_config_tmpfs(const struct oci_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct oci_mount *m = &spec->mounts[i];
    if (m->type && strcmp(m->type, "tmpfs") == 0 && m->destination &&
        strcmp(m->destination, dest) != 0 && is_under(dest, m->destination))
      return true;
  }
  return false;
}

/* A bind's target is a file when its source is one. */
static bool source_is_dir(const struct oci_mount *m, const char *bundle)
{
  char path[PATH_MAX];
  struct stat st;
  bool bind = m->type && strcmp(m->type, "bind") == 0;
  for (char **o = m->options; o && *o && !bind; o++)
    bind = strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0;
  if (!bind || !m->source)
    return true;
  snprintf(path, sizeof path, "%s%s%s", m->source[0] == '/' ? "" : bundle,
           m->source[0] == '/' ? "" : "/", m->source);
  return stat(path, &st) < 0 || S_ISDIR(st.st_mode);
}

/* CRIU mounts onto the restore root what the dump recorded, but a fresh
 * rootfs (podman restore --import, a new bundle) lacks the mount points
 * create made: make them as create would (runc does the same). */
static int make_mountpoints(const struct oci_spec *spec, const char *rootfs, const char *bundle,
                            struct husk_err *e)
{
  int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), fd, r = 0;
  if (rootfd < 0)
    return herr_sys(e, "root.path `%s`", rootfs);
  for (size_t i = 0; r == 0 && i < spec->n_mounts; i++) {
    const struct oci_mount *m = &spec->mounts[i];
    if (!m->destination || in_config_tmpfs(spec, m->destination))
      continue;
    fd = safe_mount_target(rootfd, m->destination, source_is_dir(m, bundle), e);
    if (fd < 0)
      r = herr_wrap(e, "mounts[%zu] `%s`: make the mount point for restore", i, m->destination);
    else
      close(fd);
  }
  close(rootfd);
  return r;
}

struct plan {
  struct criu_stdio stdio;
  struct pty tty;
  struct svec hier;
  struct criu_restore_ctx x;
  int netfd;
  char pidfile[PATH_MAX];
  char action[2 * PATH_MAX];
};

static int prepare(struct sandbox *sb, struct restore_req *r, struct plan *p, struct husk_err *e)
{
  const struct oci_spec *spec = sb->spec;
  struct container *c = sb->c;
  bool tty = spec->process.terminal;
  if (check_terminal(sb, r, e) < 0 || criu_stdio_load(r->criu.image_path, &p->stdio, e) < 0 ||
      make_mountpoints(spec, sb->rootfs, c->bundle, e) < 0)
    return -1;
  if (tty && (open_pty(&spec->process, &p->tty, e) < 0 || hand_over_master(sb, r, &p->tty, e) < 0))
    return -1;
  if (open_netns(spec, &p->netfd, e) < 0)
    return -1;
  if (host_hierarchies(&p->hier) < 0 ||
      criu_restore_mounts(spec, c->bundle, &c->cgroup, (const char *const *)p->hier.v,
                          tty ? p->tty.path : NULL, &p->x.external) < 0 ||
      (p->netfd >= 0 && sv_add(&p->x.inherit, "fd[%d]:extRootNetNS", p->netfd) < 0))
    return herr(e, ENOMEM, "restore");
  if (criu_stdio_inherit(&p->stdio, tty ? p->tty.peer : -1, &p->x.inherit, e) < 0)
    return -1;
  snprintf(p->pidfile, sizeof p->pidfile, "%s/%s/criu.pid", c->root, c->id);
  unlink(p->pidfile); /* CRIU refuses an existing one */
  p->x.root = sb->rootfs;
  p->x.pidfile = p->pidfile;
  if (restore_hooks_wanted(spec)) {
    if (restore_hooks_script(c, p->action, sizeof p->action) < 0)
      return herr(e, ENAMETOOLONG, "restore: the hooks' action script");
    p->x.action_script = p->action;
  }
  if (c->cgroup.manager != CG_MANAGER_DISABLED && c->cgroup.path)
    p->x.cgroup_root = c->cgroup.path;
  return 0;
}

static void plan_free(struct plan *p)
{
  criu_stdio_free(&p->stdio);
  sv_free(&p->hier);
  sv_free(&p->x.external);
  sv_free(&p->x.inherit);
  if (p->tty.master >= 0)
    close(p->tty.master);
  if (p->tty.peer >= 0)
    close(p->tty.peer);
  if (p->netfd >= 0)
    close(p->netfd);
}

int restore_spawn(struct sandbox *sb, void *arg, struct husk_err *e)
{
  struct restore_req *r = arg;
  struct plan p = {.tty = {.master = -1, .peer = -1}, .netfd = -1};
  struct svec argv = {0};
  const struct cgroup *cg = NULL;
  char log[PATH_MAX];
  int keep[3] = {-1, -1, -1}, k = 0, rc = -1;
  if (sb->c->cgroup.manager == CG_MANAGER_SYSTEMD) /* its scope needs a pid before CRIU runs */
    return herr(e, ENOTSUP,
                "restore: not supported with the systemd cgroup manager (use "
                "--cgroup-manager=cgroupfs)");
  if (prepare(sb, r, &p, e) < 0 || criu_restore_argv(r->criu_bin, &r->criu, &p.x, &argv, e) < 0 ||
      fault_point("restore:before-criu", e) < 0)
    goto out;
  if (p.tty.peer >= 0)
    keep[k++] = p.tty.peer;
  if (p.netfd >= 0)
    keep[k++] = p.netfd;
  if (sb->c->cgroup.manager != CG_MANAGER_DISABLED && sb->c->cgroup.path)
    cg = &sb->c->cgroup;
  snprintf(log, sizeof log, "%s/restore.log",
           r->criu.work_path ? r->criu.work_path : r->criu.image_path);
  if (criu_run(argv.v, "restore", log, cg, keep, true, e) < 0) {
    char *hook = restore_hooks_failure(sb->c); /* CRIU stopped because a hook failed */
    if (hook)
      herr_msg(e, EIO, "%s (CRIU's restore was stopped)", hook);
    free(hook);
    goto out;
  }
  if (read_pid(p.pidfile, &sb->c->pid, e) < 0)
    goto out;
  sb->c->pid_start = proc_start_time(sb->c->pid);
  {
    const struct oci_namespace *ns = oci_linux_namespace(&sb->spec->linux_, "pid");
    sb->c->own_pidns = ns && (!ns->path || !*ns->path);
  }
  rc = fault_point("restore:restored", e);
out:
  sv_free(&argv);
  plan_free(&p);
  return rc;
}
