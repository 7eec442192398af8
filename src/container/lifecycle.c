#include "container/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/procs.h"
#include "hooks.h"
#include "oci_state.h"
#include "sandbox/security.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/passwd.h"

int write_pid_file(const char *path, pid_t pid, struct husk_err *e)
{
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", pid); /* no newline: go-runc uses Atoi */
  return write_file_atomic(AT_FDCWD, path, buf, (size_t)n, 0644, e);
}

static int load_bundle_spec(struct create_opts *o, struct oci_spec **spec, struct husk_err *e)
{
  char *msg = NULL;
  const char *cfg = o->config ? o->config : "config.json";
  if (oci_spec_parse_file(cfg, spec, &msg) < 0)
    return herr_take(e, EINVAL, msg);
  if (!(*spec)->has_process)
    return herr(e, EINVAL, "%s: process: missing (nothing to run)", cfg);
  if (!(*spec)->has_root || !(*spec)->root.path)
    return herr(e, EINVAL, "%s: root.path: missing", cfg);
  return 0;
}

static int check_spec(const struct oci_spec *spec, const char *rootfs, struct husk_err *e)
{
  struct stat st;
  if (stat(rootfs, &st) < 0)
    return herr_sys(e, "root.path `%s`", rootfs);
  if (!S_ISDIR(st.st_mode))
    return herr(e, ENOTDIR, "root.path `%s`: not a directory", rootfs);
  if (!spec->process.cwd || spec->process.cwd[0] != '/')
    return herr(e, EINVAL, "process.cwd `%s`: must be an absolute path",
                spec->process.cwd ? spec->process.cwd : "");
  if (spec->hostname && *spec->hostname && !oci_linux_namespace(&spec->linux_, "uts"))
    return herr(e, EINVAL, "hostname: setting it needs a new uts namespace");
  if (spec->domainname && *spec->domainname && !oci_linux_namespace(&spec->linux_, "uts"))
    return herr(e, EINVAL, "domainname: setting it needs a new uts namespace");
  /* A misspelt capability or a bad seccomp profile fails here, before anything is created. */
  if (caps_validate(&spec->process.capabilities, e) < 0 ||
      seccomp_validate(&spec->linux_.seccomp, e) < 0 || lsm_validate(&spec->process, e) < 0)
    return -1;
  return 0;
}

static char *rootfs_abs(const char *bundle, const char *root)
{
  char *out = NULL;
  if (root[0] == '/')
    return strdup(root);
  return asprintf(&out, "%s/%s", bundle, root) < 0 ? NULL : out;
}

/* edited: the spec after CDI edits, kept so start/delete see its hooks. */
static int save_config(struct container *c, struct create_opts *o, const struct oci_spec *edited,
                       struct husk_err *e)
{
  char *data = NULL;
  size_t len;
  int r;
  if (edited && !(data = oci_spec_to_json(edited)))
    return herr(e, ENOMEM, "config.json with CDI edits");
  if (edited) {
    r = write_file_atomic(c->dirfd, "config.json", data, strlen(data), 0600, e);
    free(data);
    return r;
  }
  if (read_file_at(AT_FDCWD, o->config ? o->config : "config.json", &data, &len, e) < 0)
    return -1;
  r = write_file_atomic(c->dirfd, "config.json", data, len, 0600, e);
  free(data);
  return r < 0 ? herr_wrap(e, "save config in %s/%s", c->root, c->id) : 0;
}

static void creation_time(struct container *c)
{
  char now[64];
  husk_rfc3339_now(now, sizeof now);
  c->created = strdup(now);
}

static char *hook_state(struct container *c, const struct oci_spec *spec, const char *status,
                        pid_t pid);

/* runtime.md step 13: failures are warnings. */
static void run_poststop(struct container *c, const struct oci_spec *spec)
{
  struct husk_err he = {0};
  char *state = hook_state(c, spec, "stopped", 0);
  if (hooks_run(spec, OCI_HOOK_POSTSTOP, state ? state : "{}", &he) < 0) {
    husk_warn("%s", he.msg);
    herr_clear(&he);
  }
  free(state);
}

int lifecycle_create(struct husk_globals *g, struct create_opts *o, struct container *c,
                     struct oci_spec **spec_out, struct husk_err *e)
{
  struct oci_spec *spec = NULL;
  struct sandbox sb = {.opts = &o->sb};
  char *bundle = abs_path(o->bundle ? o->bundle : ".");
  bool have_state = false, have_cgroup = false;
  int r = -1, cdi;
  if (!bundle || chdir(bundle) < 0) {
    herr_sys(e, "bundle `%s`", o->bundle ? o->bundle : ".");
    goto out;
  }
  if (load_bundle_spec(o, &spec, e) < 0 || (cdi = cdi_inject(spec, &o->cdi, e)) < 0)
    goto out;
  sb.rootfs = rootfs_abs(bundle, spec->root.path);
  if (check_spec(spec, sb.rootfs, e) < 0)
    goto out;
  if (container_new(c, g->root, o->id, e) < 0)
    goto out;
  have_state = true;
  c->bundle = strdup(bundle);
  c->rootfs = strdup(sb.rootfs);
  c->oci_version = strdup(spec->oci_version ? spec->oci_version : OCI_SPEC_VERSION);
  c->rootless = rootless_mode(g->rootless);
  c->cgroup.manager = g->cgroup_manager;
  c->cgroup.rootless = c->rootless;
  creation_time(c);
  /* The record names the cgroup before it exists: a runtime killed while
   * making it leaves something `delete --force` can find. */
  if (cgroup_plan(&c->cgroup, spec, o->id, e) < 0)
    goto out;
  if (save_config(c, o, cdi ? spec : NULL, e) < 0 || container_save(c, e) < 0 ||
      fault_point("create:state-written", e) < 0)
    goto out;
  if (cgroup_create(&c->cgroup, spec, o->id, e) < 0)
    goto out;
  have_cgroup = true;
  if (fault_point("create:cgroup-made", e) < 0)
    goto out;
  sb.spec = spec;
  sb.c = c;
  if ((o->spawn ? o->spawn(&sb, o->spawn_arg, e) : sandbox_create(&sb, e)) < 0 ||
      fault_point("create:ready", e) < 0)
    goto out;
  free(c->status);
  c->status = strdup(o->spawn ? "running" : "created");
  if (container_save(c, e) < 0)
    goto out;
  if (o->pid_file && write_pid_file(o->pid_file, c->pid, e) < 0)
    goto out;
  if (fault_point("create:created", e) < 0)
    goto out;
  r = 0;
out:
  if (r < 0) {
    if (c->pid > 0)
      kill(c->pid, SIGKILL);
    if (have_cgroup)
      cgroup_destroy(&c->cgroup, NULL);
    if (sb.hooks_started) /* runtime.md: a failed create hook ends with poststop */
      run_poststop(c, spec);
    if (have_state)
      container_remove(c, NULL);
    oci_spec_free(spec);
    spec = NULL;
  }
  free(sb.rootfs);
  free(bundle);
  *spec_out = spec;
  return r;
}

static char *hook_state(struct container *c, const struct oci_spec *spec, const char *status,
                        pid_t pid)
{
  struct oci_state st = {.oci_version = c->oci_version, .id = c->id, .status = (char *)status,
                         .pid = pid, .bundle = c->bundle, .annotations = spec->annotations};
  return oci_state_to_json(&st, false);
}

int lifecycle_start(struct container *c, const struct oci_spec *spec, struct husk_err *e)
{
  const char *status = container_status(c);
  char *state;
  int r;
  if (strcmp(status, "stopped") == 0)
    return herr(e, EINVAL, "cannot start a container that has stopped");
  if (strcmp(status, "created") != 0)
    return herr(e, EINVAL, "cannot start an already running container (status: %s)", status);
  /* Host pid, as for every other hook: what a hook can use with the host's /proc. */
  state = hook_state(c, spec, "created", c->pid);
  r = sandbox_start(c, spec, state ? state : "{}", e);
  free(state);
  if (r < 0)
    return -1;
  free(c->status);
  c->status = strdup("running");
  if (container_save(c, e) < 0)
    return -1;
  state = hook_state(c, spec, "running", c->pid);
  r = hooks_run(spec, OCI_HOOK_POSTSTART, state ? state : "{}", e);
  free(state);
  if (r < 0) { /* runtime.md: a failed poststart stops the container */
    lifecycle_kill(c, SIGKILL, true, NULL);
    return -1;
  }
  return 0;
}

int lifecycle_kill(struct container *c, int sig, bool all, struct husk_err *e)
{
  int pidfd;
  if (all && c->cgroup.manager != CG_MANAGER_DISABLED && c->cgroup.path) {
    if (sig == SIGKILL && cgroup_is_frozen(&c->cgroup) == 1)
      cgroup_freeze(&c->cgroup, false, NULL); /* a frozen task cannot die */
    return cgroup_signal_all(&c->cgroup, sig, e);
  }
  if (all && container_init_alive(c)) /* no cgroup (rootless): its pid namespace */
    return container_signal_all(c, sig, e);
  pidfd = container_pidfd(c);
  if (pidfd == -ENOSYS && container_init_alive(c)) {
    /* no pidfd_open (Linux < 5.3, valgrind): the start time was just checked */
    if (kill(c->pid, sig) < 0)
      return herr_sys(e, "kill container `%s`", c->id);
  } else if (pidfd < 0) {
    if (all)
      return 0; /* runc: --all on a stopped container succeeds */
    return herr(e, ESRCH, "container not running");
  } else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
    int err = errno;
    close(pidfd);
    return herr(e, err, "kill container `%s`", c->id);
  }
  if (sig == SIGKILL && cgroup_is_frozen(&c->cgroup) == 1)
    cgroup_freeze(&c->cgroup, false, NULL);
  if (pidfd >= 0)
    close(pidfd);
  return 0;
}

/* Waits (bounded) until the init is gone: reaping is our parent's job. */
static void wait_gone(struct container *c, int timeout_ms)
{
  int pidfd = container_pidfd(c);
  struct pollfd p = {.fd = pidfd, .events = POLLIN};
  if (pidfd == -ENOSYS) /* no pidfd_open: look every 10 ms */
    for (int t = 0; t < timeout_ms && container_init_alive(c); t += 10)
      poll(NULL, 0, 10);
  if (pidfd < 0)
    return;
  poll(&p, 1, timeout_ms);
  close(pidfd);
}

int lifecycle_destroy(struct container *c, const struct oci_spec *spec, struct husk_err *e)
{
  if (container_init_alive(c)) {
    lifecycle_kill(c, SIGKILL, false, NULL);
    wait_gone(c, 10000);
  }
  if (fault_point("delete:killed", e) < 0)
    return -1;
  if (fault_point("delete:before-cgroup", e) < 0 || cgroup_destroy(&c->cgroup, e) < 0 ||
      fault_point("delete:cgroup-removed", e) < 0)
    return -1;
  if (spec)
    run_poststop(c, spec);
  if (fault_point("delete:before-remove", e) < 0)
    return -1;
  return container_remove(c, e);
}

static char *owner_name(uid_t uid)
{
  struct passwd *pw = husk_getpwuid(uid);
  char *out = NULL;
  if (pw)
    return strdup(pw->pw_name);
  return asprintf(&out, "#%u", uid) < 0 ? NULL : out;
}

char *lifecycle_state_json(struct container *c, bool pretty, bool with_owner_name)
{
  struct oci_spec *spec = NULL;
  const char *status = container_status(c);
  struct oci_state st = {.oci_version = c->oci_version ? c->oci_version : (char *)OCI_SPEC_VERSION,
                         .id = c->id, .status = (char *)status,
                         .pid = strcmp(status, "stopped") == 0 ? 0 : c->pid,
                         .bundle = c->bundle, .rootfs = c->rootfs, .created = c->created};
  char *owner = with_owner_name ? owner_name(c->owner) : strdup(""), *out;
  st.owner = owner;
  if (strcmp(status, "creating") != 0 && container_load_spec(c, &spec, NULL) == 0)
    st.annotations = spec->annotations;
  out = oci_state_to_json(&st, pretty);
  free(owner);
  oci_spec_free(spec);
  return out;
}
