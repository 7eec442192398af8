/* oci_spec_to_json: the top level, process, mounts and hooks, plus the small
 * emit helpers shared with spec_write_linux.c. Absent values are omitted, so
 * parse(to_json(parse(x))) == parse(x). */
#include <stdlib.h>

#include "spec_internal.h"

static const char *const hook_keys[OCI_HOOK_PHASES] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

void oci_write_kv_str(struct oci_json_gen *g, const char *key, const char *s)
{
  if (s)
    oci_json_kv_string(g, key, s);
}

void oci_write_kv_uint(struct oci_json_gen *g, const char *key, uint64_t v)
{
  oci_json_key(g, key);
  oci_json_uint(g, v);
}

void oci_write_strv(struct oci_json_gen *g, const char *key, char *const *v)
{
  if (v)
    oci_json_strv(g, key, v);
}

void oci_write_opt_u64(struct oci_json_gen *g, const char *key, oci_opt_u64 v)
{
  if (v.set)
    oci_write_kv_uint(g, key, v.value);
}

void oci_write_opt_i64(struct oci_json_gen *g, const char *key, oci_opt_i64 v)
{
  if (v.set)
    oci_json_kv_int(g, key, v.value);
}

void oci_write_opt_bool(struct oci_json_gen *g, const char *key, oci_opt_bool v)
{
  if (v.set)
    oci_json_kv_bool(g, key, v.value);
}

void oci_write_map(struct oci_json_gen *g, const char *key, const struct oci_map *m)
{
  if (!m->items)
    return;
  oci_json_key(g, key);
  oci_json_map_open(g);
  for (size_t i = 0; i < m->n; i++)
    oci_json_kv_string(g, m->items[i].key, m->items[i].value);
  oci_json_map_close(g);
}

void oci_write_id_mappings(struct oci_json_gen *g, const char *key,
                           const struct oci_id_mappings *m)
{
  if (!m->items)
    return;
  oci_json_key(g, key);
  oci_json_array_open(g);
  for (size_t i = 0; i < m->n; i++) {
    oci_json_map_open(g);
    oci_write_kv_uint(g, "containerID", m->items[i].container_id);
    oci_write_kv_uint(g, "hostID", m->items[i].host_id);
    oci_write_kv_uint(g, "size", m->items[i].size);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_user(struct oci_json_gen *g, const struct oci_user *u)
{
  oci_json_key(g, "user");
  oci_json_map_open(g);
  oci_write_kv_uint(g, "uid", u->uid);
  oci_write_kv_uint(g, "gid", u->gid);
  oci_write_opt_u64(g, "umask", u->umask);
  if (u->additional_gids) {
    oci_json_key(g, "additionalGids");
    oci_json_array_open(g);
    for (size_t i = 0; i < u->n_additional_gids; i++)
      oci_json_uint(g, u->additional_gids[i]);
    oci_json_array_close(g);
  }
  oci_write_kv_str(g, "username", u->username);
  oci_json_map_close(g);
}

static void write_capabilities(struct oci_json_gen *g, const struct oci_capabilities *c)
{
  if (!c->set)
    return;
  oci_json_key(g, "capabilities");
  oci_json_map_open(g);
  oci_write_strv(g, "bounding", c->bounding);
  oci_write_strv(g, "effective", c->effective);
  oci_write_strv(g, "inheritable", c->inheritable);
  oci_write_strv(g, "permitted", c->permitted);
  oci_write_strv(g, "ambient", c->ambient);
  oci_json_map_close(g);
}

static void write_rlimits(struct oci_json_gen *g, const struct oci_process *p)
{
  if (!p->rlimits)
    return;
  oci_json_key(g, "rlimits");
  oci_json_array_open(g);
  for (size_t i = 0; i < p->n_rlimits; i++) {
    oci_json_map_open(g);
    oci_write_kv_str(g, "type", p->rlimits[i].type);
    oci_write_kv_uint(g, "hard", p->rlimits[i].hard);
    oci_write_kv_uint(g, "soft", p->rlimits[i].soft);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_scheduler(struct oci_json_gen *g, const struct oci_scheduler *s)
{
  if (!s->set)
    return;
  oci_json_key(g, "scheduler");
  oci_json_map_open(g);
  oci_write_kv_str(g, "policy", s->policy);
  oci_json_kv_int(g, "nice", s->nice);
  oci_json_kv_int(g, "priority", s->priority);
  oci_write_strv(g, "flags", s->flags);
  oci_write_kv_uint(g, "runtime", s->runtime);
  oci_write_kv_uint(g, "deadline", s->deadline);
  oci_write_kv_uint(g, "period", s->period);
  oci_json_map_close(g);
}

static void write_process_extras(struct oci_json_gen *g, const struct oci_process *p)
{
  if (p->io_priority.set) {
    oci_json_key(g, "ioPriority");
    oci_json_map_open(g);
    oci_write_kv_str(g, "class", p->io_priority.class_name);
    oci_json_kv_int(g, "priority", p->io_priority.priority);
    oci_json_map_close(g);
  }
  write_scheduler(g, &p->scheduler);
  if (p->exec_cpu_affinity.initial || p->exec_cpu_affinity.final) {
    oci_json_key(g, "execCPUAffinity");
    oci_json_map_open(g);
    oci_write_kv_str(g, "initial", p->exec_cpu_affinity.initial);
    oci_write_kv_str(g, "final", p->exec_cpu_affinity.final);
    oci_json_map_close(g);
  }
}

void oci_write_process(struct oci_json_gen *g, const struct oci_process *p)
{
  oci_json_kv_bool(g, "terminal", p->terminal);
  if (p->console_size.set) {
    oci_json_key(g, "consoleSize");
    oci_json_map_open(g);
    oci_write_kv_uint(g, "height", p->console_size.height);
    oci_write_kv_uint(g, "width", p->console_size.width);
    oci_json_map_close(g);
  }
  write_user(g, &p->user);
  oci_write_strv(g, "args", p->args);
  oci_write_kv_str(g, "commandLine", p->command_line);
  oci_write_strv(g, "env", p->env);
  oci_write_kv_str(g, "cwd", p->cwd);
  write_capabilities(g, &p->capabilities);
  write_rlimits(g, p);
  oci_json_kv_bool(g, "noNewPrivileges", p->no_new_privileges);
  oci_write_kv_str(g, "apparmorProfile", p->apparmor_profile);
  oci_write_opt_i64(g, "oomScoreAdj", p->oom_score_adj);
  oci_write_kv_str(g, "selinuxLabel", p->selinux_label);
  write_process_extras(g, p);
}

static void write_mounts(struct oci_json_gen *g, const struct oci_spec *s)
{
  if (!s->mounts)
    return;
  oci_json_key(g, "mounts");
  oci_json_array_open(g);
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct oci_mount *m = &s->mounts[i];
    oci_json_map_open(g);
    oci_write_kv_str(g, "destination", m->destination);
    oci_write_kv_str(g, "type", m->type);
    oci_write_kv_str(g, "source", m->source);
    oci_write_strv(g, "options", m->options);
    oci_write_id_mappings(g, "uidMappings", &m->uid_mappings);
    oci_write_id_mappings(g, "gidMappings", &m->gid_mappings);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_hook_list(struct oci_json_gen *g, const char *key,
                            const struct oci_hook_list *l)
{
  oci_json_key(g, key);
  oci_json_array_open(g);
  for (size_t i = 0; i < l->n; i++) {
    const struct oci_hook *h = &l->items[i];
    oci_json_map_open(g);
    oci_write_kv_str(g, "path", h->path);
    oci_write_strv(g, "args", h->args);
    oci_write_strv(g, "env", h->env);
    oci_write_opt_i64(g, "timeout", h->timeout);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
}

static void write_hooks(struct oci_json_gen *g, const struct oci_spec *s)
{
  bool any = false;
  for (int i = 0; i < OCI_HOOK_PHASES; i++)
    any = any || s->hooks[i].items;
  if (!any)
    return;
  oci_json_key(g, "hooks");
  oci_json_map_open(g);
  for (int i = 0; i < OCI_HOOK_PHASES; i++)
    if (s->hooks[i].items)
      write_hook_list(g, hook_keys[i], &s->hooks[i]);
  oci_json_map_close(g);
}

static void write_spec(struct oci_json_gen *g, const struct oci_spec *s)
{
  oci_json_map_open(g);
  oci_write_kv_str(g, "ociVersion", s->oci_version);
  if (s->has_process) {
    oci_json_key(g, "process");
    oci_json_map_open(g);
    oci_write_process(g, &s->process);
    oci_json_map_close(g);
  }
  if (s->has_root) {
    oci_json_key(g, "root");
    oci_json_map_open(g);
    oci_write_kv_str(g, "path", s->root.path);
    oci_json_kv_bool(g, "readonly", s->root.readonly);
    oci_json_map_close(g);
  }
  oci_write_kv_str(g, "hostname", s->hostname);
  oci_write_kv_str(g, "domainname", s->domainname);
  write_mounts(g, s);
  write_hooks(g, s);
  oci_write_map(g, "annotations", &s->annotations);
  if (s->has_linux) {
    oci_json_key(g, "linux");
    oci_json_map_open(g);
    oci_write_linux(g, &s->linux_);
    oci_json_map_close(g);
  }
  oci_json_map_close(g);
}

/* Tab-indented, like `runc spec`. */
char *oci_spec_to_json(const struct oci_spec *spec)
{
  struct oci_json_gen *g = oci_json_gen_new_indent("\t");
  char *out;

  if (!g)
    return NULL;
  write_spec(g, spec);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}
