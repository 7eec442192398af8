/* Destructors for the runtime-spec model. Every free tolerates the partially
 * filled, zero-initialised structs a failed parse leaves behind. */
#include <stdlib.h>

#include "spec_internal.h"

void oci_strv_free(char **v)
{
  for (char **p = v; p && *p; p++)
    free(*p);
  free(v);
}

void oci_map_clear(struct oci_map *m)
{
  for (size_t i = 0; m->items && i < m->n; i++) {
    free(m->items[i].key);
    free(m->items[i].value);
  }
  free(m->items);
  m->items = NULL;
  m->n = 0;
}

static void user_clear(struct oci_user *u)
{
  free(u->additional_gids);
  free(u->username);
}

static void capabilities_clear(struct oci_capabilities *c)
{
  oci_strv_free(c->bounding);
  oci_strv_free(c->effective);
  oci_strv_free(c->inheritable);
  oci_strv_free(c->permitted);
  oci_strv_free(c->ambient);
}

void oci_process_clear(struct oci_process *p)
{
  if (!p)
    return;
  user_clear(&p->user);
  oci_strv_free(p->args);
  free(p->command_line);
  oci_strv_free(p->env);
  free(p->cwd);
  capabilities_clear(&p->capabilities);
  for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
    free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  free(p->selinux_label);
  free(p->io_priority.class_name);
  free(p->scheduler.policy);
  oci_strv_free(p->scheduler.flags);
  free(p->exec_cpu_affinity.initial);
  free(p->exec_cpu_affinity.final);
  *p = (struct oci_process){ 0 };
}

void oci_process_free(struct oci_process *p)
{
  oci_process_clear(p);
  free(p);
}

static void block_io_clear(struct oci_block_io *b)
{
  free(b->weight_devices);
  free(b->read_bps.items);
  free(b->write_bps.items);
  free(b->read_iops.items);
  free(b->write_iops.items);
}

void oci_resources_clear(struct oci_resources *r)
{
  if (!r)
    return;
  for (size_t i = 0; r->devices && i < r->n_devices; i++) {
    free(r->devices[i].type);
    free(r->devices[i].access);
  }
  free(r->devices);
  free(r->cpu.cpus);
  free(r->cpu.mems);
  block_io_clear(&r->block_io);
  for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
    free(r->hugepage_limits[i].page_size);
  free(r->hugepage_limits);
  for (size_t i = 0; r->network.priorities && i < r->network.n_priorities; i++)
    free(r->network.priorities[i].name);
  free(r->network.priorities);
  for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
    free(r->rdma[i].name);
  free(r->rdma);
  oci_map_clear(&r->unified);
  *r = (struct oci_resources){ 0 };
}

void oci_resources_free(struct oci_resources *r)
{
  oci_resources_clear(r);
  free(r);
}

void oci_seccomp_clear(struct oci_seccomp *s)
{
  free(s->default_action);
  oci_strv_free(s->architectures);
  oci_strv_free(s->flags);
  free(s->listener_path);
  free(s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
    struct oci_seccomp_syscall *sc = &s->syscalls[i];
    oci_strv_free(sc->names);
    free(sc->action);
    for (size_t j = 0; sc->args && j < sc->n_args; j++)
      free(sc->args[j].op);
    free(sc->args);
  }
  free(s->syscalls);
  *s = (struct oci_seccomp){ 0 };
}

static void linux_devices_clear(struct oci_linux *l)
{
  for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++) {
    free(l->namespaces[i].type);
    free(l->namespaces[i].path);
  }
  free(l->namespaces);
  free(l->uid_mappings.items);
  free(l->gid_mappings.items);
  for (size_t i = 0; l->time_offsets && i < l->n_time_offsets; i++)
    free(l->time_offsets[i].clock);
  free(l->time_offsets);
  for (size_t i = 0; l->devices && i < l->n_devices; i++) {
    free(l->devices[i].type);
    free(l->devices[i].path);
    free(l->devices[i].host_path);
  }
  free(l->devices);
  for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
    free(l->net_devices[i].host_name);
    free(l->net_devices[i].name);
  }
  free(l->net_devices);
}

void oci_linux_clear(struct oci_linux *l)
{
  linux_devices_clear(l);
  free(l->cgroups_path);
  oci_resources_clear(&l->resources);
  free(l->rootfs_propagation);
  oci_seccomp_clear(&l->seccomp);
  oci_map_clear(&l->sysctl);
  oci_strv_free(l->masked_paths);
  oci_strv_free(l->readonly_paths);
  free(l->mount_label);
  free(l->intel_rdt.clos_id);
  free(l->intel_rdt.l3_cache_schema);
  free(l->intel_rdt.mem_bw_schema);
  oci_strv_free(l->intel_rdt.schemata);
  free(l->personality.domain);
  oci_strv_free(l->personality.flags);
  free(l->memory_policy.mode);
  free(l->memory_policy.nodes);
  oci_strv_free(l->memory_policy.flags);
  *l = (struct oci_linux){ 0 };
}

static void mount_clear(struct oci_mount *m)
{
  free(m->destination);
  free(m->source);
  free(m->type);
  oci_strv_free(m->options);
  free(m->uid_mappings.items);
  free(m->gid_mappings.items);
}

static void hooks_clear(struct oci_hook_list *l)
{
  for (size_t i = 0; l->items && i < l->n; i++) {
    free(l->items[i].path);
    oci_strv_free(l->items[i].args);
    oci_strv_free(l->items[i].env);
  }
  free(l->items);
}

void oci_spec_free(struct oci_spec *s)
{
  if (!s)
    return;
  free(s->oci_version);
  oci_process_clear(&s->process);
  free(s->root.path);
  free(s->hostname);
  free(s->domainname);
  for (size_t i = 0; s->mounts && i < s->n_mounts; i++)
    mount_clear(&s->mounts[i]);
  free(s->mounts);
  for (int i = 0; i < OCI_HOOK_PHASES; i++)
    hooks_clear(&s->hooks[i]);
  oci_map_clear(&s->annotations);
  oci_linux_clear(&s->linux_);
  free(s);
}
