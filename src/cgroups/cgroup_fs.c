/* The cgroupfs driver for v1, hybrid and v2 layouts: directories, join,
 * freeze, destroy. Resource files are written by resources_v1.c and
 * resources_v2.c (cgfs_apply below picks them by layout). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup.h"
#include "cgroups/cgroup_internal.h"
#include "cgroups/cgroup_rootless.h"
#include "cgroups/resources.h"
#include "util/fault.h"
#include "util/fs.h"

/* v1 hierarchies we manage; the "unified" entry is the v2 tree of a hybrid host. */
static const char *const v1_hierarchies[] = {
    "cpu",     "cpuacct",  "cpuset",  "memory", "devices",    "freezer", "blkio", "pids",
    "net_cls", "net_prio", "hugetlb", "rdma",   "perf_event", "systemd", NULL};

enum cg_layout cgroup_detect_layout(void)
{
  struct statfs s;
  if (statfs(CG_ROOT, &s) < 0)
    return CG_LAYOUT_NONE;
  if (s.f_type == CGROUP2_SUPER_MAGIC)
    return CG_LAYOUT_V2;
  if (statfs(CG_ROOT "/unified", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
    return CG_LAYOUT_HYBRID;
  return CG_LAYOUT_V1;
}

const char *cgroup_manager_name(enum cg_manager m)
{
  return m == CG_MANAGER_SYSTEMD ? "systemd" : m == CG_MANAGER_DISABLED ? "disabled" : "cgroupfs";
}

int cgroup_manager_parse(const char *name, enum cg_manager *out)
{
  if (strcmp(name, "cgroupfs") == 0)
    *out = CG_MANAGER_CGROUPFS;
  else if (strcmp(name, "systemd") == 0)
    *out = CG_MANAGER_SYSTEMD;
  else if (strcmp(name, "disabled") == 0)
    *out = CG_MANAGER_DISABLED;
  else
    return -EINVAL;
  return 0;
}

/* The v2 tree of a V2 or UNIFIED layout. */
static const char *v2_root(const struct cgroup *cg)
{
  return cg->layout == CG_LAYOUT_UNIFIED ? CG_ROOT "/unified" : CG_ROOT;
}

bool cgroup_is_v2(const struct cgroup *cg)
{
  return cg->layout == CG_LAYOUT_V2 || cg->layout == CG_LAYOUT_UNIFIED;
}

void cgroup_file(const struct cgroup *cg, const char *v1ctl, const char *file, char *out,
                 size_t len)
{
  if (cgroup_is_v2(cg))
    snprintf(out, len, "%s%s/%s", v2_root(cg), cg->path, file);
  else
    snprintf(out, len, CG_ROOT "/%s%s/%s", v1ctl, cg->path, file);
}

/* Calls fn for every hierarchy directory of the container ("<mount>/<path>"). */
typedef int (*cg_dir_fn)(const char *dir, bool is_v2, void *arg, struct husk_err *e);

static int for_each_dir(const struct cgroup *cg, cg_dir_fn fn, void *arg, struct husk_err *e)
{
  char dir[PATH_MAX];
  if (cgroup_is_v2(cg)) {
    snprintf(dir, sizeof dir, "%s%s", v2_root(cg), cg->path);
    return fn(dir, true, arg, e);
  }
  for (const char *const *h = v1_hierarchies; *h; h++) {
    struct stat st;
    snprintf(dir, sizeof dir, CG_ROOT "/%s", *h);
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
      continue; /* not mounted here (or a co-mount symlink like cpu,cpuacct) */
    snprintf(dir, sizeof dir, CG_ROOT "/%s%s", *h, cg->path);
    if (fn(dir, false, arg, e) < 0)
      return -1;
  }
  if (cg->layout == CG_LAYOUT_HYBRID) {
    snprintf(dir, sizeof dir, CG_ROOT "/unified%s", cg->path);
    return fn(dir, true, arg, e);
  }
  return 0;
}

/* A new v1 cpuset cgroup starts with empty cpus/mems and refuses tasks:
 * copy them down from the parent, level by level. */
static int init_cpuset(const char *dir, struct husk_err *e)
{
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  char path[PATH_MAX];
  size_t base = strlen(CG_ROOT "/cpuset");
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = strchr(path + base + 1, '/');; p = strchr(p + 1, '/')) {
    if (p)
      *p = '\0';
    for (size_t i = 0; i < 2; i++) {
      char parent_file[PATH_MAX + 32], file[PATH_MAX + 32], *val = NULL, *cur = NULL;
      char *slash = strrchr(path, '/');
      snprintf(file, sizeof file, "%s/%s", path, files[i]);
      snprintf(parent_file, sizeof parent_file, "%.*s/%s", (int)(slash - path), path, files[i]);
      if (read_file_at(AT_FDCWD, file, &cur, NULL, NULL) == 0 && cur[0] != '\n' && cur[0]) {
        free(cur);
        continue;
      }
      free(cur);
      if (read_file_at(AT_FDCWD, parent_file, &val, NULL, e) < 0 ||
          write_file_at(AT_FDCWD, file, val, strlen(val), e) < 0) {
        free(val);
        return herr_wrap(e, "initialise cpuset");
      }
      free(val);
    }
    if (!p)
      break;
    *p = '/';
  }
  return 0;
}

/* "cgroup:mkdir-<hierarchy>" ("unified" for the v2 tree): a fault point
 * right after the directory is made in that hierarchy. */
static int after_mkdir(const char *dir, bool is_v2, struct husk_err *e)
{
  char point[64];
  const char *h = dir + sizeof CG_ROOT;
  snprintf(point, sizeof point, "cgroup:mkdir-%.*s", is_v2 ? 7 : (int)strcspn(h, "/"),
           is_v2 ? "unified" : h);
  return fault_point(point, e);
}

static int make_dir(const char *dir, bool is_v2, void *arg, struct husk_err *e)
{
  (void)arg;
  if (mkdir_p(dir, 0755, e) < 0 || after_mkdir(dir, is_v2, e) < 0)
    return -1;
  if (!is_v2 && strncmp(dir, CG_ROOT "/cpuset/", sizeof CG_ROOT "/cpuset/" - 1) == 0)
    return init_cpuset(dir, e);
  return 0;
}

static int join_dir(const char *dir, bool is_v2, void *arg, struct husk_err *e)
{
  char file[PATH_MAX], pid[32];
  (void)is_v2;
  snprintf(file, sizeof file, "%s/cgroup.procs", dir);
  snprintf(pid, sizeof pid, "%d", *(pid_t *)arg);
  if (write_file_at(AT_FDCWD, file, pid, strlen(pid), e) < 0)
    return herr_wrap(e, "join cgroup");
  return 0;
}

static char *default_path(const struct oci_spec *spec, const char *id)
{
  const char *p = spec->has_linux ? spec->linux_.cgroups_path : NULL;
  char *out = NULL;
  if (!p || !*p)
    return asprintf(&out, "/husk/%s", id) < 0 ? NULL : out;
  if (p[0] == '/')
    return strdup(p);
  return asprintf(&out, "/%s", p) < 0 ? NULL : out;
}

static bool path_escapes(const char *p)
{
  return strstr(p, "/../") || strstr(p, "/..") == p + strlen(p) - 3;
}

/* Writes r into the container's cgroup. create: the full initial set (device
 * rules are always installed on v1); otherwise an update of the fields present. */
int cgfs_apply(const struct cgroup *cg, const struct oci_resources *r, bool create,
               struct husk_err *e)
{
  switch (cg->layout) {
  case CG_LAYOUT_V2:
    if (cg_apply_v2(CG_ROOT, cg->path, r, false, e) < 0)
      return -1;
    if (!create && r->n_devices == 0)
      return 0;
    return cg_apply_v2_devices(CG_ROOT, cg->path, r, e);
  case CG_LAYOUT_UNIFIED:
    return cg_apply_v2(CG_ROOT "/unified", cg->path, r, true, e);
  case CG_LAYOUT_HYBRID:
    if (cg_apply_v1(cg->path, r, true, create, e) < 0)
      return -1;
    return cg_apply_v2(CG_ROOT "/unified", cg->path, r, true, e);
  case CG_LAYOUT_V1:
    if (r->unified.n)
      return herr(e, ENOTSUP,
                  "linux.resources.unified: needs a cgroup v2 hierarchy (this host "
                  "has cgroup v1 only)");
    return cg_apply_v1(cg->path, r, false, create, e);
  default:
    return herr(e, ENOENT, "linux.resources: no cgroup hierarchy mounted at " CG_ROOT);
  }
}

static const struct oci_resources *spec_resources(const struct oci_spec *spec)
{
  static const struct oci_resources none;
  return spec->has_linux && spec->linux_.has_resources ? &spec->linux_.resources : &none;
}

/* Only what is delegated to the caller; cg->path stays NULL when nothing is. */
static int create_rootless(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                           struct husk_err *e)
{
  struct oci_resources subset;
  struct oci_kv *items = NULL;
  int r = cg_rootless_prepare(cg, spec, id, &subset, &items, e);
  if (r == 0 && cg->path && (cgfs_make_dirs(cg, e) < 0 || cgfs_apply(cg, &subset, true, e) < 0)) {
    cgroup_destroy(cg, NULL);
    r = -1;
  }
  free(items);
  return r;
}

/* Rootless cgroups are planned by create_rootless (what is delegated decides).
 * systemd: the unit is checked and the bus opened; the path is known once
 * the scope runs (cgroup_attach_init). */
int cgroup_plan(struct cgroup *cg, const struct oci_spec *spec, const char *id, struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_DISABLED || cg->path)
    return 0;
  if (cg->manager == CG_MANAGER_SYSTEMD)
    return cg->pending ? 0 : cgroup_systemd_prepare(cg, spec, id, e);
  if (cg->rootless)
    return 0;
  cg->layout = cgroup_detect_layout();
  if (cg->layout == CG_LAYOUT_NONE)
    return herr(e, ENOENT, "cgroups: nothing mounted at " CG_ROOT);
  cg->path = default_path(spec, id);
  if (!cg->path)
    return herr(e, ENOMEM, "cgroups: path");
  if (strlen(cg->path) > 1 && path_escapes(cg->path)) {
    int r = herr(e, EINVAL, "linux.cgroupsPath `%s`: must not contain `..`", cg->path);
    cgroup_clear(cg);
    return r;
  }
  return 0;
}

int cgroup_create(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                  struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_DISABLED)
    return 0;
  if (cg->manager == CG_MANAGER_SYSTEMD) /* the scope starts with the init's pid */
    return cgroup_plan(cg, spec, id, e);
  if (cg->rootless)
    return create_rootless(cg, spec, id, e);
  if (cgroup_plan(cg, spec, id, e) < 0)
    return -1;
  if (cgfs_make_dirs(cg, e) < 0 || cgfs_apply(cg, spec_resources(spec), true, e) < 0) {
    cgroup_destroy(cg, NULL);
    return -1;
  }
  return 0;
}

int cgfs_make_dirs(const struct cgroup *cg, struct husk_err *e)
{
  return for_each_dir(cg, make_dir, NULL, e);
}

int cgfs_join(const struct cgroup *cg, pid_t pid, struct husk_err *e)
{
  return for_each_dir(cg, join_dir, &pid, e);
}

int cgroup_enter(const struct cgroup *cg, pid_t pid, struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return 0;
  if (cgfs_join(cg, pid, e) < 0)
    return -1;
  return fault_point("cgroup:joined", e);
}

int cgroup_attach_init(struct cgroup *cg, pid_t pid, struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_SYSTEMD && cg->pending) {
    if (cgroup_systemd_start(cg, pid, e) < 0)
      return -1;
    return fault_point("cgroup:joined", e);
  }
  return cgroup_enter(cg, pid, e);
}

static int read_pids(const char *dir, pid_t **pids, size_t *n)
{
  char file[PATH_MAX], *data = NULL, *line, *save = NULL;
  snprintf(file, sizeof file, "%s/cgroup.procs", dir);
  if (read_file_at(AT_FDCWD, file, &data, NULL, NULL) < 0)
    return -1;
  for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    pid_t *np = realloc(*pids, sizeof(pid_t) * (*n + 1));
    if (!np)
      break;
    *pids = np;
    (*pids)[(*n)++] = atoi(line);
  }
  free(data);
  return 0;
}

/* The hierarchy that lists every process of the container. */
static int pids_dir(const struct cgroup *cg, char *dir, size_t len)
{
  if (cgroup_is_v2(cg))
    snprintf(dir, len, "%s%s", v2_root(cg), cg->path);
  else if (cg->layout == CG_LAYOUT_HYBRID)
    snprintf(dir, len, CG_ROOT "/unified%s", cg->path);
  else
    snprintf(dir, len, CG_ROOT "/freezer%s", cg->path);
  return 0;
}

int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct husk_err *e)
{
  char dir[PATH_MAX];
  *pids = NULL;
  *n = 0;
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return 0;
  pids_dir(cg, dir, sizeof dir);
  if (read_pids(dir, pids, n) < 0 && errno != ENOENT)
    return herr_sys(e, "read %s/cgroup.procs", dir);
  return 0;
}

int cgroup_signal_all(const struct cgroup *cg, int sig, struct husk_err *e)
{
  pid_t *pids;
  size_t n;
  if (cgroup_pids(cg, &pids, &n, e) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    kill(pids[i], sig);
  free(pids);
  return 0;
}

static int freezer_file(const struct cgroup *cg, char *file, size_t len, bool *v2)
{
  *v2 = cgroup_is_v2(cg);
  if (*v2)
    snprintf(file, len, "%s%s/cgroup.freeze", v2_root(cg), cg->path);
  else
    snprintf(file, len, CG_ROOT "/freezer%s/freezer.state", cg->path);
  return 0;
}

int cgroup_freeze(const struct cgroup *cg, bool frozen, struct husk_err *e)
{
  char file[PATH_MAX];
  const char *val;
  bool v2;
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return herr_msg(e, ENOTSUP, "pause/resume needs a cgroup and the container has none (%s)",
                    cg->rootless ? "rootless, and no cgroup v2 subtree is delegated to this user: "
                                   "see `husk check --rootless`"
                                 : "cgroup manager is disabled");
  freezer_file(cg, file, sizeof file, &v2);
  val = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
  if (write_file_at(AT_FDCWD, file, val, strlen(val), e) < 0)
    return -1;
  /* Wait (bounded) until the kernel reports the transition complete. */
  for (int i = 0; i < 1000; i++) {
    int s = cgroup_is_frozen(cg);
    if (s == (frozen ? 1 : 0))
      return 0;
    if (!v2) /* v1 FREEZING must be retried by writing again */
      write_file_at(AT_FDCWD, file, val, strlen(val), NULL);
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  return herr(e, ETIMEDOUT, "%s the cgroup %s", frozen ? "freeze" : "thaw", cg->path);
}

int cgroup_is_frozen(const struct cgroup *cg)
{
  char file[PATH_MAX], *data = NULL;
  bool v2;
  int r;
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return 0;
  if (cgroup_is_v2(cg)) {
    snprintf(file, sizeof file, "%s%s/cgroup.events", v2_root(cg), cg->path);
    if (read_file_at(AT_FDCWD, file, &data, NULL, NULL) < 0)
      return -1;
    r = strstr(data, "frozen 1") != NULL;
  } else {
    freezer_file(cg, file, sizeof file, &v2);
    if (read_file_at(AT_FDCWD, file, &data, NULL, NULL) < 0)
      return -1;
    r = strncmp(data, "FROZEN", 6) == 0;
  }
  free(data);
  return r;
}

/* rmdir with a deadline: EBUSY while tasks exit (they are killed). */
static int rmdir_cgroup(const char *dir, bool is_v2, struct husk_err *e)
{
  for (int i = 0; i < 200; i++) { /* ~2 s deadline for EBUSY while tasks exit */
    pid_t *pids = NULL;
    size_t n = 0;
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY)
      return herr_sys(e, "remove cgroup %s", dir);
    if (is_v2) {
      char kill_file[PATH_MAX];
      snprintf(kill_file, sizeof kill_file, "%s/cgroup.kill", dir);
      write_file_at(AT_FDCWD, kill_file, "1", 1, NULL);
    }
    if (read_pids(dir, &pids, &n) == 0)
      for (size_t k = 0; k < n; k++)
        kill(pids[k], SIGKILL);
    free(pids);
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
  return herr(e, EBUSY, "remove cgroup %s: still busy after 2 s", dir);
}

/* Sub-cgroups first (made by `exec --cgroup` users or the container), then
 * the directory; depth is bounded so a hostile tree cannot exhaust us. */
static int remove_tree(const char *dir, bool is_v2, int depth, struct husk_err *e)
{
  DIR *d = depth < 32 ? opendir(dir) : NULL;
  struct dirent *de;
  int r = 0;
  while (d && (de = readdir(d))) {
    char sub[PATH_MAX];
    if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub)
      continue;
    if (remove_tree(sub, is_v2, depth + 1, r < 0 ? NULL : e) < 0)
      r = -1;
  }
  if (d)
    closedir(d);
  if (rmdir_cgroup(dir, is_v2, r < 0 ? NULL : e) < 0)
    r = -1;
  return r;
}

struct remove_all {
  bool failed;
  struct husk_err *e;
};

/* Every hierarchy is tried even when one fails; the first error is kept. */
static int remove_dir(const char *dir, bool is_v2, void *arg, struct husk_err *e)
{
  struct remove_all *ra = arg;
  (void)e;
  if (remove_tree(dir, is_v2, 0, ra->failed ? NULL : ra->e) < 0)
    ra->failed = true;
  return 0;
}

int cgfs_remove(const struct cgroup *cg, struct husk_err *e)
{
  struct remove_all ra = {false, e};
  /* A frozen cgroup cannot die: thaw first. */
  if (cgroup_is_frozen(cg) == 1)
    cgroup_freeze(cg, false, NULL);
  for_each_dir(cg, remove_dir, &ra, NULL);
  return ra.failed ? -1 : 0;
}

int cgroup_destroy(const struct cgroup *cg, struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_SYSTEMD)
    return cgroup_systemd_destroy(cg, e);
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return 0;
  return cgfs_remove(cg, e);
}

int cgroup_update(const struct cgroup *cg, const struct oci_resources *r, struct husk_err *e)
{
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return herr_msg(e, ENOTSUP, "update: the container has no cgroup (%s)",
                    cg->rootless ? "rootless, and no cgroup v2 subtree is delegated to this user: "
                                   "see `husk check --rootless`"
                                 : "cgroup manager is disabled");
  if (cg->manager == CG_MANAGER_SYSTEMD)
    return cgroup_systemd_update(cg, r, e);
  if (cg->rootless && cg_rootless_check_update(cg, r, e) < 0)
    return -1;
  return cgfs_apply(cg, r, false, e);
}

void cgroup_clear(struct cgroup *cg)
{
  cgroup_systemd_clear(cg);
  free(cg->path);
  free(cg->scope);
  cg->path = cg->scope = NULL;
}
