/* The systemd cgroup driver: the container lives in a transient scope
 * ("slice:prefix:name" → prefix-name.scope in slice) that systemd creates
 * with the init's pid and delegates to us (Delegate=yes). Limits systemd has
 * a property for go into the unit (so a daemon-reload keeps them); every
 * limit is also written into the scope's cgroup by the cgroupfs code, which
 * covers the ones systemd has no property for. Nothing is written before
 * /proc/PID/cgroup shows the init in the scope. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroup_internal.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_props.h"
#include "util/fault.h"
#include "util/fs.h"
#include "util/log.h"

/* Between prepare (create, before clone) and start (the init's pid known). */
struct cgroup_systemd_pending {
  const struct oci_spec *spec;
  struct sd_unit unit;
  char *id;
};

static const struct oci_resources *resources_of(const struct oci_spec *spec)
{
  static const struct oci_resources none;
  return spec->has_linux && spec->linux_.has_resources ? &spec->linux_.resources : &none;
}

/* v1 devices controller: systemd owns the rules of a scope (a daemon-reload
 * rewrites them), so the unit must carry them. v2 needs nothing: systemd
 * leaves our eBPF program alone (BPF_F_ALLOW_MULTI). */
static int devices_props(const struct oci_resources *r, struct sd_props *props, struct husk_err *e)
{
  bool inexact = false;
  if (sd_props_devices(r, props, &inexact, e) < 0)
    return -1;
  if (inexact)
    husk_warn("linux.resources.devices: systemd cannot express every rule (an allow narrowed "
              "by a later deny, or a `*:N` rule): after a daemon-reload systemd denies more "
              "devices than the rules allow");
  return 0;
}

/* Every property of the new scope except PIDs. */
static int scope_props(const struct cgroup *cg, const struct cgroup_systemd_pending *p,
                       struct sd_props *props, struct husk_err *e)
{
  char desc[300];
  bool v2 = cg->layout == CG_LAYOUT_V2;
  snprintf(desc, sizeof desc, "husk container %s", p->id);
  if (sd_props_add_str(props, "Description", desc) < 0 ||
      sd_props_add_str(props, "Slice", p->unit.slice) < 0 ||
      sd_props_add_bool(props, "Delegate", true) < 0 ||
      /* no ordering against shutdown.target etc.: the runtime stops it */
      sd_props_add_bool(props, "DefaultDependencies", false) < 0 ||
      /* a scope that failed is collected: no failed unit is ever left */
      sd_props_add_str(props, "CollectMode", "inactive-or-failed") < 0 ||
      sd_props_add_bool(props, "MemoryAccounting", true) < 0 ||
      sd_props_add_bool(props, "CPUAccounting", true) < 0 ||
      sd_props_add_bool(props, "TasksAccounting", true) < 0 ||
      (v2 && sd_props_add_bool(props, "IOAccounting", true) < 0))
    return herr(e, ENOMEM, "systemd properties");
  if (sd_props_from_resources(resources_of(p->spec), v2, props, e) < 0)
    return -1;
  if (!v2 && devices_props(resources_of(p->spec), props, e) < 0)
    return -1;
  if (p->spec->annotations.n && sd_props_from_annotations(&p->spec->annotations, props, e) < 0)
    return -1;
  return 0;
}

int cgroup_systemd_prepare(struct cgroup *cg, const struct oci_spec *spec, const char *id,
                           struct husk_err *e)
{
  struct cgroup_systemd_pending *p = calloc(1, sizeof *p);
  const char *path = spec->has_linux ? spec->linux_.cgroups_path : NULL, *why = NULL;
  struct sd_props props = {0};
  struct sdb b;
  int r;
  if (!p || !(p->id = strdup(id))) {
    free(p);
    return herr(e, ENOMEM, "cgroups");
  }
  p->spec = spec;
  cg->pending = p;
  cg->layout = cgroup_detect_layout();
  if (cg->layout == CG_LAYOUT_NONE)
    return herr(e, ENOENT, "cgroups: nothing mounted at /sys/fs/cgroup");
  if (sd_cgroups_path_parse(path, id, cg->rootless, &p->unit, &why) < 0)
    return herr(e, EINVAL, "linux.cgroupsPath `%s`: %s", path ? path : "", why);
  r = scope_props(cg, p, &props, e); /* config errors now, before anything runs */
  sd_props_free(&props);
  if (r < 0)
    return -1;
  /* No manager to talk to fails now, before the container exists. The
   * connection is not kept: the init would inherit it until its exec. */
  if (sdb_open(&b, cg->rootless, e) < 0)
    return -1;
  sdb_close(&b);
  return 0;
}

/* The cgroup of pid as /proc/PID/cgroup shows it: the unified line ("0::")
 * on v2 and hybrid, systemd's named hierarchy on v1. */
static char *proc_cgroup(pid_t pid, enum cg_layout layout)
{
  char file[64], *data = NULL, *line, *save = NULL, *out = NULL;
  const char *key = layout == CG_LAYOUT_V1 ? ":name=systemd:" : "0::";
  snprintf(file, sizeof file, "/proc/%d/cgroup", pid);
  if (read_file_at(AT_FDCWD, file, &data, NULL, NULL) < 0)
    return NULL;
  for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *hit = strstr(line, key);
    if (hit && (key[0] == ':' || hit == line)) {
      out = strdup(hit + strlen(key));
      break;
    }
  }
  free(data);
  return out;
}

/* Starts the scope, resetting a failed unit of the same name once. */
static int start_unit(struct sdb *b, struct cgroup *cg, const char *unit,
                      const struct sd_props *props, pid_t pid, struct husk_err *e)
{
  for (int attempt = 0;; attempt++) {
    bool sent = false;
    char *state = NULL;
    int r = sdb_start_transient(b, unit, props, pid, &sent, e);
    if (sent && !cg->scope)
      cg->scope = strdup(unit); /* ours from now on: destroy stops it */
    if (r != -EEXIST)
      return r;
    if (sdb_unit_property(b, unit, "org.freedesktop.systemd1.Unit", "ActiveState", &state, NULL) ==
            0 &&
        strcmp(state, "failed") != 0 && strcmp(state, "inactive") != 0) {
      r = herr(e, EEXIST, "systemd: a unit named %s already exists (%s)", unit, state);
      free(state);
      return r;
    }
    free(state);
    if (attempt >= 3)
      return herr_wrap(e, "still there after ResetFailedUnit");
    husk_debug("systemd: %s exists (failed or inactive): ResetFailedUnit and retry", unit);
    herr_clear(e);
    if (sdb_reset_failed(b, unit, e) < 0)
      return -1;
    struct timespec ts = {0, 50000000L * (attempt + 1)}; /* let systemd collect it */
    nanosleep(&ts, NULL);
  }
}

/* The init must be in the unit's cgroup before we write anything: a failed
 * or foreign unit must never make us write into someone else's cgroup. */
static int verify_placement(struct sdb *b, struct cgroup *cg, const char *unit, pid_t pid,
                            struct husk_err *e)
{
  char *want = NULL, *have = NULL;
  int r = sdb_unit_property(b, unit, "org.freedesktop.systemd1.Scope", "ControlGroup", &want, e);
  if (r < 0)
    return -1;
  have = proc_cgroup(pid, cg->layout);
  if (!want[0] || !have || strcmp(want, have) != 0)
    r = herr(e, EIO, "systemd: process %d is in cgroup `%s`, not in %s's `%s`", pid,
             have ? have : "?", unit, want);
  else
    cg->path = want, want = NULL;
  free(want);
  free(have);
  return r;
}

int cgroup_systemd_start(struct cgroup *cg, pid_t pid, struct husk_err *e)
{
  struct cgroup_systemd_pending *p = cg->pending;
  struct sd_props props = {0};
  struct sdb b;
  int r = -1;
  if (!p)
    return herr(e, EINVAL, "cgroups: systemd scope not prepared");
  if (scope_props(cg, p, &props, e) < 0 || sdb_open(&b, cg->rootless, e) < 0)
    goto out;
  r = start_unit(&b, cg, p->unit.unit, &props, pid, e);
  if (r == 0)
    r = fault_point("systemd:scope-started", e);
  if (r == 0)
    r = verify_placement(&b, cg, p->unit.unit, pid, e);
  sdb_close(&b);
  if (r < 0)
    goto out;
  /* Hierarchies systemd does not manage (v1), then every limit in the files. */
  if (cg->layout != CG_LAYOUT_V2 && (cgfs_make_dirs(cg, e) < 0 || cgfs_join(cg, pid, e) < 0))
    r = -1;
  else
    r = cgfs_apply(cg, resources_of(p->spec), true, e);
out:
  sd_props_free(&props);
  if (r < 0)
    return -1;
  cgroup_systemd_clear(cg);
  return 0;
}

int cgroup_systemd_update(const struct cgroup *cg, const struct oci_resources *r,
                          struct husk_err *e)
{
  struct sd_props props = {0};
  struct sdb b;
  int rc = 0;
  if (!cg->scope || !cg->path)
    return herr(e, ENOENT, "update: the container has no systemd scope");
  if (sd_props_from_resources(r, cg->layout == CG_LAYOUT_V2, &props, e) < 0 ||
      (cg->layout != CG_LAYOUT_V2 && r->n_devices && devices_props(r, &props, e) < 0))
    rc = -1;
  else if (props.n) {
    if (sdb_open(&b, cg->rootless, e) < 0)
      rc = -1;
    else {
      rc = sdb_set_properties(&b, cg->scope, &props, e);
      sdb_close(&b);
    }
  }
  sd_props_free(&props);
  if (rc < 0)
    return -1;
  return cgfs_apply(cg, r, false, e);
}

/* Kills what is left in the scope and waits (bounded) until it is empty, so
 * that StopUnit does not wait for TimeoutStopSec on a process that ignores
 * SIGTERM. */
static void empty_scope(const struct cgroup *cg)
{
  if (cgroup_is_frozen(cg) == 1)
    cgroup_freeze(cg, false, NULL);
  for (int i = 0; i < 200; i++) {
    pid_t *pids = NULL;
    size_t n = 0;
    if (cgroup_pids(cg, &pids, &n, NULL) < 0 || n == 0) {
      free(pids);
      return;
    }
    for (size_t k = 0; k < n; k++)
      kill(pids[k], SIGKILL);
    free(pids);
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
}

int cgroup_systemd_destroy(const struct cgroup *cg, struct husk_err *e)
{
  struct sdb b;
  int r;
  if (!cg->scope)
    return 0; /* never started: nothing of ours in systemd */
  if (cg->path)
    empty_scope(cg);
  if (sdb_open(&b, cg->rootless, e) < 0)
    return herr_wrap(e, "remove the systemd scope %s", cg->scope);
  r = sdb_stop(&b, cg->scope, e);
  if (r == 0)
    r = sdb_reset_failed(&b, cg->scope, e);
  sdb_close(&b);
  if (r < 0)
    return herr_wrap(e, "remove the systemd scope %s", cg->scope);
  /* what systemd does not remove: v1 hierarchies it does not manage */
  return cg->path ? cgfs_remove(cg, e) : 0;
}

void cgroup_systemd_clear(struct cgroup *cg)
{
  if (!cg->pending)
    return;
  free(cg->pending->id);
  free(cg->pending);
  cg->pending = NULL;
}
