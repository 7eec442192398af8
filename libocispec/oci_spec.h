/* The OCI runtime-spec model: config.json (runtime-spec 1.2 + 1.3 fields),
 * process.json (exec --process) and LinuxResources (update --resources).
 * Every string is heap-owned by the struct; string lists are NULL-terminated
 * (NULL when the field is absent). Optional scalars carry a `set` flag so
 * "absent" and "zero" stay distinct. Parsed with yajl; yajl appears nowhere
 * outside libocispec/. */
#ifndef HUSK_OCI_SPEC_H
#define HUSK_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_SPEC_VERSION "1.2.1"

typedef struct { bool set; int64_t value; } oci_opt_i64;
typedef struct { bool set; uint64_t value; } oci_opt_u64;
typedef struct { bool set; bool value; } oci_opt_bool;

struct oci_kv { char *key; char *value; };
struct oci_map { size_t n; struct oci_kv *items; }; /* annotations, sysctl, unified */

struct oci_id_mapping { uint32_t container_id, host_id, size; };
struct oci_id_mappings { size_t n; struct oci_id_mapping *items; };

struct oci_user {
  uint32_t uid, gid;
  oci_opt_u64 umask;
  size_t n_additional_gids;
  uint32_t *additional_gids;
  char *username;
};

struct oci_capabilities {
  bool set;
  char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_rlimit { char *type; uint64_t hard, soft; };

struct oci_console_size { bool set; uint32_t height, width; };
struct oci_io_priority { bool set; char *class_name; int32_t priority; };
struct oci_scheduler {
  bool set;
  char *policy;
  int32_t nice, priority;
  char **flags;
  uint64_t runtime, deadline, period;
};
struct oci_exec_cpu_affinity { char *initial, *final; };

struct oci_process {
  bool terminal;
  struct oci_console_size console_size;
  struct oci_user user;
  char **args;
  char *command_line; /* Windows only; kept for round-trips */
  char **env;
  char *cwd;
  struct oci_capabilities capabilities;
  size_t n_rlimits;
  struct oci_rlimit *rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  oci_opt_i64 oom_score_adj;
  char *selinux_label;
  struct oci_io_priority io_priority;
  struct oci_scheduler scheduler;
  struct oci_exec_cpu_affinity exec_cpu_affinity;
};

struct oci_root { char *path; bool readonly; };

struct oci_mount {
  char *destination, *source, *type;
  char **options;
  struct oci_id_mappings uid_mappings, gid_mappings;
};

enum oci_hook_phase {
  OCI_HOOK_PRESTART,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_PHASES
};
struct oci_hook { char *path; char **args; char **env; oci_opt_i64 timeout; };
struct oci_hook_list { size_t n; struct oci_hook *items; };

struct oci_namespace { char *type; char *path; };
struct oci_time_offset { char *clock; int64_t secs; uint32_t nanosecs; };
struct oci_device {
  char *type, *path;
  int64_t major, minor;
  oci_opt_u64 file_mode, uid, gid;
  char *host_path; /* not in config.json: a CDI node's hostPath, bound in a user namespace */
};
struct oci_net_device { char *host_name; char *name; };

/* linux.resources */
struct oci_device_rule {
  bool allow;
  char *type;
  oci_opt_i64 major, minor;
  char *access;
};
struct oci_memory {
  oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
  oci_opt_u64 swappiness;
  oci_opt_bool disable_oom_killer, use_hierarchy, check_before_update;
};
struct oci_cpu {
  oci_opt_u64 shares, period, realtime_period, burst;
  oci_opt_i64 quota, realtime_runtime, idle;
  char *cpus, *mems;
};
struct oci_weight_device { int64_t major, minor; oci_opt_u64 weight, leaf_weight; };
struct oci_throttle_device { int64_t major, minor; uint64_t rate; };
struct oci_throttle_list { size_t n; struct oci_throttle_device *items; };
struct oci_block_io {
  oci_opt_u64 weight, leaf_weight;
  size_t n_weight_devices;
  struct oci_weight_device *weight_devices;
  struct oci_throttle_list read_bps, write_bps, read_iops, write_iops;
};
struct oci_hugepage_limit { char *page_size; uint64_t limit; };
struct oci_net_priority { char *name; uint32_t priority; };
struct oci_network {
  oci_opt_u64 class_id;
  size_t n_priorities;
  struct oci_net_priority *priorities;
};
struct oci_rdma { char *name; oci_opt_u64 hca_handles, hca_objects; };
struct oci_resources {
  size_t n_devices;
  struct oci_device_rule *devices;
  bool has_memory, has_cpu, has_pids, has_block_io, has_network;
  struct oci_memory memory;
  struct oci_cpu cpu;
  oci_opt_i64 pids_limit;
  struct oci_block_io block_io;
  size_t n_hugepage_limits;
  struct oci_hugepage_limit *hugepage_limits;
  struct oci_network network;
  size_t n_rdma;
  struct oci_rdma *rdma;
  struct oci_map unified;
};

/* linux.seccomp */
struct oci_seccomp_arg {
  uint32_t index;
  uint64_t value, value_two;
  char *op; /* SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ */
};
struct oci_seccomp_syscall {
  char **names;
  char *action;
  oci_opt_u64 errno_ret;
  size_t n_args;
  struct oci_seccomp_arg *args;
};
struct oci_seccomp {
  bool set;
  char *default_action;
  oci_opt_u64 default_errno_ret;
  char **architectures;
  char **flags;
  char *listener_path, *listener_metadata;
  size_t n_syscalls;
  struct oci_seccomp_syscall *syscalls;
};

struct oci_intel_rdt {
  bool set;
  char *clos_id, *l3_cache_schema, *mem_bw_schema;
  char **schemata;
  bool enable_monitoring;
};
struct oci_personality { bool set; char *domain; char **flags; };
struct oci_memory_policy { bool set; char *mode, *nodes; char **flags; };

struct oci_linux {
  size_t n_namespaces;
  struct oci_namespace *namespaces;
  struct oci_id_mappings uid_mappings, gid_mappings;
  size_t n_time_offsets;
  struct oci_time_offset *time_offsets;
  size_t n_devices;
  struct oci_device *devices;
  size_t n_net_devices;
  struct oci_net_device *net_devices;
  char *cgroups_path;
  bool has_resources;
  struct oci_resources resources;
  char *rootfs_propagation;
  struct oci_seccomp seccomp;
  struct oci_map sysctl;
  char **masked_paths, **readonly_paths;
  char *mount_label;
  struct oci_intel_rdt intel_rdt;
  struct oci_personality personality;
  struct oci_memory_policy memory_policy;
};

struct oci_spec {
  char *oci_version;
  bool has_process;
  struct oci_process process;
  bool has_root;
  struct oci_root root;
  char *hostname, *domainname;
  size_t n_mounts;
  struct oci_mount *mounts;
  struct oci_hook_list hooks[OCI_HOOK_PHASES];
  struct oci_map annotations;
  bool has_linux;
  struct oci_linux linux_;
};

/* Parsers. On failure they return -1 and set *errmsg (heap, caller frees) to
 * "<name>: <json.path>: <reason>", e.g.
 * "config.json: process.rlimits[1].hard: expected a non-negative integer".
 * Unknown fields are ignored (spec: runtimes MUST ignore unknown properties);
 * a JSON null counts as an absent field (as in Go's encoding/json). */
int oci_spec_parse(const char *data, size_t len, const char *name, struct oci_spec **out,
                   char **errmsg);
int oci_spec_parse_file(const char *path, struct oci_spec **out, char **errmsg);
int oci_process_parse(const char *data, size_t len, const char *name, struct oci_process **out,
                      char **errmsg);
int oci_resources_parse(const char *data, size_t len, const char *name,
                        struct oci_resources **out, char **errmsg);

/* Serialise back to JSON (used for round-trip tests, `spec`, CDI-edited
 * configs stored in the state dir). Returns heap string or NULL on ENOMEM.
 * Tab-indented like `runc spec`, no trailing newline; absent fields omitted. */
char *oci_spec_to_json(const struct oci_spec *spec);

void oci_spec_free(struct oci_spec *spec);
void oci_process_free(struct oci_process *p);   /* frees the struct too */
void oci_resources_free(struct oci_resources *r); /* frees the struct too */
void oci_process_clear(struct oci_process *p);  /* frees members only */
void oci_resources_clear(struct oci_resources *r);

/* Helpers on the model (pure). */
const char *oci_map_get(const struct oci_map *m, const char *key);
size_t oci_strv_len(char *const *v);
const struct oci_namespace *oci_linux_namespace(const struct oci_linux *l, const char *type);

#endif
