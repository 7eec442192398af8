#include "container/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci_json.h"
#include "util/fault.h"
#include "util/fs.h"
#include "xdg.h"

#define STATE_FILE "state.json"

char *state_default_root(void)
{
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (!state_root_is_users(geteuid(), running_in_userns(), xdg, getenv("USER")))
    return strdup("/run/husk");
  return xdg_state_root();
}

int state_validate_id(const char *id, struct husk_err *e)
{
  size_t n = strlen(id);
  if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
    return herr(e, EINVAL, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++)
    if (!(*p == '_' || *p == '-' || *p == '.' || *p == '+' || (*p >= '0' && *p <= '9') ||
          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
      return herr(e, EINVAL, "invalid container id `%s`: only [A-Za-z0-9_.+-] allowed", id);
  return 0;
}

static int open_root(const char *root, bool create, struct husk_err *e)
{
  int fd;
  if (create && mkdir_p(root, 0700, e) < 0) {
    char *def = geteuid() != 0 ? state_default_root() : NULL;
    bool is_default = def && strcmp(def, root) == 0;
    free(def);
    if (is_default) /* say which variable or directory is missing */
      return xdg_state_root_error(root, e->errnum, e);
    return herr_wrap(e, "state root");
  }
  fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(e, "open state root `%s`", root);
  return fd;
}

int container_new(struct container *c, const char *root, const char *id, struct husk_err *e)
{
  int rootfd;
  memset(c, 0, sizeof *c);
  c->dirfd = -1;
  if (state_validate_id(id, e) < 0)
    return -1;
  if ((rootfd = open_root(root, true, e)) < 0)
    return -1;
  if (mkdirat(rootfd, id, 0700) < 0) {
    int err = errno;
    close(rootfd);
    if (err == EEXIST)
      return herr(e, EEXIST, "container `%s` already exists", id);
    return herr(e, err, "create state directory %s/%s", root, id);
  }
  c->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  close(rootfd);
  if (c->dirfd < 0 || flock(c->dirfd, LOCK_EX) < 0)
    return herr_sys(e, "lock state directory %s/%s", root, id);
  c->root = strdup(root);
  c->id = strdup(id);
  c->status = strdup("creating");
  c->owner = geteuid();
  return 0;
}

static char *json_str(const struct oci_json *o, const char *key)
{
  const struct oci_json *v = oci_json_get(o, key);
  return v && v->type == OCI_JSON_STRING ? strdup(v->string) : NULL;
}

static long long json_int(const struct oci_json *o, const char *key)
{
  const struct oci_json *v = oci_json_get(o, key);
  return v && v->type == OCI_JSON_NUMBER ? v->i64 : 0;
}

static bool json_bool(const struct oci_json *o, const char *key)
{
  const struct oci_json *v = oci_json_get(o, key);
  return v && v->type == OCI_JSON_BOOL && v->boolean;
}

/* A damaged or hand-edited record must not steer later commands at another
 * process (a pid truncated to a small number) or another cgroup. */
static int check_record(const struct oci_json *doc, struct husk_err *e)
{
  const struct oci_json *v = oci_json_get(doc, "pid");
  const char *cg;
  if (v && (v->type != OCI_JSON_NUMBER || !v->is_integer || v->is_negative || v->u64 > INT_MAX))
    return herr(e, EINVAL, STATE_FILE ": pid: expected a process id");
  v = oci_json_get(doc, "cgroupLayout");
  if (v &&
      (v->type != OCI_JSON_NUMBER || !v->is_integer || v->is_negative || v->u64 > CG_LAYOUT_LAST))
    return herr(e, EINVAL, STATE_FILE ": cgroupLayout: unknown value");
  v = oci_json_get(doc, "cgroupPath");
  cg = v && v->type == OCI_JSON_STRING ? v->string : NULL;
  if (cg && (cg[0] != '/' || strstr(cg, "/..")))
    return herr(e, EINVAL, STATE_FILE ": cgroupPath `%s`: expected an absolute path without `..`",
                cg);
  return 0;
}

int container_record_parse(struct container *c, const char *data, size_t len, struct husk_err *e)
{
  char *msg = NULL, *mgr;
  struct oci_json *doc = oci_json_parse(data, len, STATE_FILE, &msg);
  if (!doc || doc->type != OCI_JSON_OBJECT) {
    oci_json_free(doc);
    return herr_take(e, EINVAL, msg ? msg : strdup("state.json: not an object"));
  }
  if (check_record(doc, e) < 0) {
    oci_json_free(doc);
    return -1;
  }
  c->oci_version = json_str(doc, "ociVersion");
  c->bundle = json_str(doc, "bundle");
  c->rootfs = json_str(doc, "rootfs");
  c->created = json_str(doc, "created");
  c->status = json_str(doc, "status");
  c->pid = (pid_t)json_int(doc, "pid");
  c->pid_start = (unsigned long long)json_int(doc, "pidStart");
  c->own_pidns = json_bool(doc, "ownPidns");
  c->rootless = json_bool(doc, "rootless");
  c->cgroup.path = json_str(doc, "cgroupPath");
  c->cgroup.scope = json_str(doc, "systemdScope");
  c->cgroup.layout = (enum cg_layout)json_int(doc, "cgroupLayout");
  c->cgroup.rootless = c->rootless;
  mgr = json_str(doc, "cgroupManager");
  if (!mgr || cgroup_manager_parse(mgr, &c->cgroup.manager) < 0)
    c->cgroup.manager = CG_MANAGER_DISABLED;
  free(mgr);
  oci_json_free(doc);
  return 0;
}

static int read_record(struct container *c, struct husk_err *e)
{
  char *data = NULL;
  size_t len;
  struct stat st;
  int r;
  if (read_file_at(c->dirfd, STATE_FILE, &data, &len, e) < 0)
    return -1;
  r = container_record_parse(c, data, len, e);
  free(data);
  if (r == 0 && fstat(c->dirfd, &st) == 0)
    c->owner = st.st_uid;
  return r;
}

static bool container_dir_removed(const struct container *c)
{
  struct stat st;
  return fstat(c->dirfd, &st) == 0 && st.st_nlink == 0;
}

/* Whether root/id still names the directory we opened: a delete renames
 * it away in one step before emptying it, so a reader that opened it just
 * before finds it without state.json, which is not a container `creating`. */
static bool container_dir_named(const struct container *c, const char *root, const char *id)
{
  struct stat ours, named;
  int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool r = rootfd >= 0 && fstat(c->dirfd, &ours) == 0 &&
           fstatat(rootfd, id, &named, AT_SYMLINK_NOFOLLOW) == 0 && ours.st_dev == named.st_dev &&
           ours.st_ino == named.st_ino;
  if (rootfd >= 0)
    close(rootfd);
  return r;
}

static int open_record(struct container *c, const char *root, const char *id, bool lock,
                       struct husk_err *e)
{
  int rootfd;
  if (state_validate_id(id, e) < 0)
    return -1;
  rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd >= 0) {
    c->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    close(rootfd);
  }
  if (c->dirfd < 0)
    return herr(e, ENOENT, "container `%s` does not exist", id);
  c->root = strdup(root);
  c->id = strdup(id);
  if (lock && flock(c->dirfd, LOCK_EX) < 0)
    return herr_sys(e, "lock container `%s`", id);
  /* Deleted while we waited for the lock (a concurrent delete): gone. */
  if (lock && container_dir_removed(c))
    return herr(e, ENOENT, "container `%s` does not exist", id);
  if (!lock && fault_point("state:opened", e) < 0)
    return -1;
  if (faccessat(c->dirfd, STATE_FILE, F_OK, 0) < 0) {
    if (!container_dir_named(c, root, id)) /* deleted under our feet (no lock) */
      return herr(e, ENOENT, "container `%s` does not exist", id);
    /* The creator died before writing anything (or is still in its first
     * steps): report "creating" so delete --force can clean up. */
    c->status = strdup("creating");
    c->owner = geteuid();
    return 0;
  }
  if (read_record(c, e) < 0) {
    if (container_dir_removed(c)) { /* deleted under our feet (no lock) */
      herr_clear(e);
      return herr(e, ENOENT, "container `%s` does not exist", id);
    }
    return herr_wrap(e, "container `%s`", id);
  }
  return 0;
}

int container_open(struct container *c, const char *root, const char *id, bool lock,
                   struct husk_err *e)
{
  memset(c, 0, sizeof *c);
  c->dirfd = -1;
  if (open_record(c, root, id, lock, e) == 0)
    return 0;
  container_close(c); /* callers need not clean up after a failure */
  return -1;
}

int container_save(struct container *c, struct husk_err *e)
{
  struct oci_json_gen *g = oci_json_gen_new(false);
  char *doc;
  int r;
  oci_json_map_open(g);
  oci_json_kv_string(g, "ociVersion", c->oci_version);
  oci_json_kv_string(g, "id", c->id);
  oci_json_kv_string(g, "status", c->status);
  oci_json_kv_int(g, "pid", c->pid);
  oci_json_kv_int(g, "pidStart", (int64_t)c->pid_start);
  oci_json_kv_string(g, "bundle", c->bundle);
  oci_json_kv_string(g, "rootfs", c->rootfs);
  oci_json_kv_string(g, "created", c->created);
  oci_json_kv_bool(g, "ownPidns", c->own_pidns);
  oci_json_kv_bool(g, "rootless", c->rootless);
  oci_json_kv_string(g, "cgroupManager", cgroup_manager_name(c->cgroup.manager));
  oci_json_kv_int(g, "cgroupLayout", c->cgroup.layout);
  if (c->cgroup.path)
    oci_json_kv_string(g, "cgroupPath", c->cgroup.path);
  if (c->cgroup.scope)
    oci_json_kv_string(g, "systemdScope", c->cgroup.scope);
  oci_json_map_close(g);
  doc = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  if (!doc)
    return herr(e, ENOMEM, "write state.json");
  r = write_file_atomic(c->dirfd, STATE_FILE, doc, strlen(doc), 0600, e);
  free(doc);
  return r < 0 ? herr_wrap(e, "save state in %s/%s", c->root, c->id) : 0;
}

int container_load_spec(struct container *c, struct oci_spec **spec, struct husk_err *e)
{
  char *data = NULL, *msg = NULL;
  size_t len;
  if (read_file_at(c->dirfd, "config.json", &data, &len, e) < 0)
    return -1;
  if (oci_spec_parse(data, len, "config.json", spec, &msg) < 0) {
    free(data);
    return herr_take(e, EINVAL, msg);
  }
  free(data);
  return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
  char path[64], *data = NULL, *p;
  unsigned long long start = 0;
  char state;
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (pid <= 0 || read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
    return 0;
  /* comm may contain spaces and parens: fields resume after the last ')'. */
  p = strrchr(data, ')');
  if (p &&
      sscanf(p + 2,
             "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
             "%*d %*d %llu",
             &state, &start) == 2 &&
      (state == 'Z' || state == 'X'))
    start = 0;
  free(data);
  return start;
}

bool container_init_alive(const struct container *c)
{
  unsigned long long st;
  if (c->pid <= 0)
    return false;
  st = proc_start_time(c->pid);
  return st != 0 && st == c->pid_start;
}

int container_pidfd(const struct container *c)
{
  int fd;
  if (c->pid <= 0)
    return -ESRCH;
  fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
  if (fd < 0)
    return -errno;
  /* Checked after opening: the pidfd now pins this exact process. */
  if (!container_init_alive(c)) {
    close(fd);
    return -ESRCH;
  }
  return fd;
}

const char *container_status(struct container *c)
{
  if (!c->status || strcmp(c->status, "creating") == 0)
    return "creating";
  if (!container_init_alive(c))
    return "stopped";
  if (strcmp(c->status, "created") == 0)
    return "created";
  if (cgroup_is_frozen(&c->cgroup) == 1)
    return "paused";
  return "running";
}

/* ".<id>.deleted-<pid>": where a directory goes to be removed. */
static void removed_name(char *buf, size_t len, const char *id, pid_t pid)
{
  snprintf(buf, len, ".%s.deleted-%d", id, pid);
}

/* The directory leaves the namespace in one rename, so a reader never finds
 * it half removed (without state.json it would read as `creating`); then
 * the hidden copy is emptied. */
int container_remove(struct container *c, struct husk_err *e)
{
  int rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char hidden[NAME_MAX + 1];
  int r;
  if (rootfd < 0)
    return herr_sys(e, "open state root `%s`", c->root);
  removed_name(hidden, sizeof hidden, c->id, getpid());
  if (strlen(c->id) + 32 > NAME_MAX || renameat(rootfd, c->id, rootfd, hidden) < 0)
    r = rm_rf_at(rootfd, c->id, e); /* a long id, or a root that refuses renames */
  else if ((r = fault_point("delete:hidden", e)) == 0)
    r = rm_rf_at(rootfd, hidden, e);
  close(rootfd);
  return r;
}

int state_remove_leftovers(const char *root, const char *id, struct husk_err *e)
{
  DIR *d = opendir(root);
  struct dirent *de;
  char prefix[NAME_MAX + 2];
  int r = 0;
  if (!d)
    return errno == ENOENT ? 0 : herr_sys(e, "open state root `%s`", root);
  snprintf(prefix, sizeof prefix, ".%s.deleted-", id);
  while ((de = readdir(d)) && r == 0)
    if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
      r = rm_rf_at(dirfd(d), de->d_name, e);
  closedir(d);
  return r;
}

void container_close(struct container *c)
{
  if (c->dirfd >= 0)
    close(c->dirfd);
  c->dirfd = -1;
  free(c->root);
  free(c->id);
  free(c->oci_version);
  free(c->bundle);
  free(c->rootfs);
  free(c->created);
  free(c->status);
  cgroup_clear(&c->cgroup);
  memset(c, 0, sizeof *c);
  c->dirfd = -1;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(const char *root, char ***ids, size_t *n, struct husk_err *e)
{
  DIR *d = opendir(root);
  struct dirent *de;
  *ids = NULL;
  *n = 0;
  if (!d)
    return errno == ENOENT ? 0 : herr_sys(e, "open state root `%s`", root);
  while ((de = readdir(d))) {
    char **nv;
    if (de->d_name[0] == '.' || de->d_type != DT_DIR)
      continue;
    nv = realloc(*ids, sizeof(char *) * (*n + 1));
    if (!nv)
      break;
    *ids = nv;
    (*ids)[(*n)++] = strdup(de->d_name);
  }
  closedir(d);
  if (*n)
    qsort(*ids, *n, sizeof(char *), cmp_str);
  return 0;
}

int container_lock(struct container *c, bool lock)
{
  return flock(c->dirfd, lock ? LOCK_EX : LOCK_UN) < 0 ? -errno : 0;
}
