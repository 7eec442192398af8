/* config.json "process" (also a whole process.json for exec --process). */
#include <stdlib.h>

#include "spec_internal.h"

static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                              "IOPRIO_CLASS_IDLE", NULL };

static int read_console_size(struct jr *r, const struct oci_json *o, struct oci_console_size *c)
{
  c->set = true;
  if (jr_u32(r, o, "height", &c->height, true) < 0 || jr_u32(r, o, "width", &c->width, true) < 0)
    return -1;
  return 0;
}

static int read_gids(struct jr *r, const struct oci_json *v, struct oci_user *u)
{
  if (v->type != OCI_JSON_ARRAY)
    return jr_fail(r, "expected an array");
  u->additional_gids = calloc(v->n ? v->n : 1, sizeof(uint32_t));
  if (!u->additional_gids)
    return jr_fail(r, "out of memory");
  u->n_additional_gids = v->n;
  for (size_t i = 0; i < v->n; i++) {
    uint64_t gid = 0;
    size_t mark = jr_push_index(r, i);
    int rc = jr_val_uint(r, v->values[i], UINT32_MAX, &gid);
    jr_pop(r, mark);
    if (rc < 0)
      return -1;
    u->additional_gids[i] = (uint32_t)gid;
  }
  return 0;
}

static int read_user(struct jr *r, const struct oci_json *o, struct oci_user *u)
{
  const struct oci_json *gids = jr_get(o, "additionalGids");
  if (jr_u32(r, o, "uid", &u->uid, false) < 0 || jr_u32(r, o, "gid", &u->gid, false) < 0 ||
      jr_opt_uint(r, o, "umask", UINT32_MAX, &u->umask) < 0 ||
      jr_string(r, o, "username", &u->username, false) < 0)
    return -1;
  if (gids) {
    size_t mark = jr_push_key(r, "additionalGids");
    int rc = read_gids(r, gids, u);
    jr_pop(r, mark);
    return rc;
  }
  return 0;
}

static int read_capabilities(struct jr *r, const struct oci_json *o, struct oci_capabilities *c)
{
  c->set = true;
  if (jr_strv(r, o, "bounding", &c->bounding) < 0 ||
      jr_strv(r, o, "effective", &c->effective) < 0 ||
      jr_strv(r, o, "inheritable", &c->inheritable) < 0 ||
      jr_strv(r, o, "permitted", &c->permitted) < 0 ||
      jr_strv(r, o, "ambient", &c->ambient) < 0)
    return -1;
  return 0;
}

static int read_rlimit(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_rlimit *rl = elem;
  if (jr_string(r, o, "type", &rl->type, true) < 0 ||
      jr_u64(r, o, "soft", &rl->soft, true) < 0 || jr_u64(r, o, "hard", &rl->hard, true) < 0)
    return -1;
  return 0;
}

static int read_io_priority(struct jr *r, const struct oci_json *o, struct oci_io_priority *p)
{
  p->set = true;
  if (jr_enum(r, o, "class", &p->class_name, ioprio_classes, true) < 0 ||
      jr_i32(r, o, "priority", &p->priority) < 0)
    return -1;
  return 0;
}

static int read_scheduler(struct jr *r, const struct oci_json *o, struct oci_scheduler *s)
{
  s->set = true;
  if (jr_string(r, o, "policy", &s->policy, true) < 0 || jr_i32(r, o, "nice", &s->nice) < 0 ||
      jr_i32(r, o, "priority", &s->priority) < 0 || jr_strv(r, o, "flags", &s->flags) < 0 ||
      jr_u64(r, o, "runtime", &s->runtime, false) < 0 ||
      jr_u64(r, o, "deadline", &s->deadline, false) < 0 ||
      jr_u64(r, o, "period", &s->period, false) < 0)
    return -1;
  return 0;
}

static int read_affinity(struct jr *r, const struct oci_json *o, struct oci_exec_cpu_affinity *a)
{
  if (jr_string(r, o, "initial", &a->initial, false) < 0 ||
      jr_string(r, o, "final", &a->final, false) < 0)
    return -1;
  return 0;
}

static int read_scalars(struct jr *r, const struct oci_json *o, struct oci_process *p)
{
  if (jr_bool(r, o, "terminal", &p->terminal) < 0 || jr_strv(r, o, "args", &p->args) < 0 ||
      jr_string(r, o, "commandLine", &p->command_line, false) < 0 ||
      jr_strv(r, o, "env", &p->env) < 0 || jr_string(r, o, "cwd", &p->cwd, true) < 0 ||
      jr_bool(r, o, "noNewPrivileges", &p->no_new_privileges) < 0 ||
      jr_string(r, o, "apparmorProfile", &p->apparmor_profile, false) < 0 ||
      jr_opt_i64(r, o, "oomScoreAdj", &p->oom_score_adj) < 0 ||
      jr_string(r, o, "selinuxLabel", &p->selinux_label, false) < 0)
    return -1;
  return 0;
}

int oci_read_process(struct jr *r, const struct oci_json *o, struct oci_process *p)
{
  if (read_scalars(r, o, p) < 0 ||
      JR_SUB(r, o, "consoleSize", read_console_size, &p->console_size) < 0 ||
      JR_SUB(r, o, "user", read_user, &p->user) < 0 ||
      JR_SUB(r, o, "capabilities", read_capabilities, &p->capabilities) < 0 ||
      jr_array_of(r, o, "rlimits", sizeof(*p->rlimits), &p->rlimits, &p->n_rlimits,
                  read_rlimit) < 0 ||
      JR_SUB(r, o, "ioPriority", read_io_priority, &p->io_priority) < 0 ||
      JR_SUB(r, o, "scheduler", read_scheduler, &p->scheduler) < 0 ||
      JR_SUB(r, o, "execCPUAffinity", read_affinity, &p->exec_cpu_affinity) < 0)
    return -1;
  return 0;
}

static int process_doc(struct jr *r, const struct oci_json *root, void *out)
{
  return oci_read_process(r, root, out);
}

int oci_process_parse(const char *data, size_t len, const char *name, struct oci_process **out,
                      char **errmsg)
{
  struct oci_process *p = calloc(1, sizeof(*p));
  *out = NULL;
  *errmsg = NULL;
  if (!p)
    return -1;
  if (oci_parse_document(data, len, name, process_doc, p, errmsg) < 0) {
    oci_process_free(p);
    return -1;
  }
  *out = p;
  return 0;
}
