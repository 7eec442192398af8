/* libocispec: every config.json field parses and survives a round trip
 * through oci_spec_to_json; process.json, resources.json, state, features. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci_features.h"
#include "oci_json.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "tap.h"
#include "test_ocispec_util.h"

#define EQ(got, want, what) ok((got) == (want), "%s: %s", tag, what)
#define STR(got, want, what)                                                                   \
  do {                                                                                         \
    char name_[256];                                                                           \
    snprintf(name_, sizeof(name_), "%s: %s", tag, what);                                       \
    ok_str(got, want, name_);                                                                  \
  } while (0)

static void check_strv(const char *tag, char **v, const char *const *want, const char *what)
{
  size_t n = 0;
  while (want[n])
    n++;
  int good = v && oci_strv_len(v) == n;
  for (size_t i = 0; good && i < n; i++)
    good = strcmp(v[i], want[i]) == 0;
  ok(good, "%s: %s", tag, what);
}
#define STRV(v, what, ...) check_strv(tag, v, (const char *const[]){ __VA_ARGS__, NULL }, what)

static void check_process(const char *tag, const struct oci_process *p)
{
  EQ(p->terminal, true, "terminal");
  EQ(p->console_size.set && p->console_size.height == 24 && p->console_size.width == 80, true,
     "consoleSize");
  EQ(p->user.uid, 1000u, "user.uid");
  EQ(p->user.gid, 1001u, "user.gid");
  EQ(p->user.umask.set && p->user.umask.value == 18, true, "user.umask");
  EQ(p->user.n_additional_gids == 3 && p->user.additional_gids[2] == UINT32_MAX, true,
     "user.additionalGids");
  STR(p->user.username, "alice", "user.username");
  STRV(p->args, "args", "sh", "-c", "echo \"hi\" \xc3\xbc");
  STR(p->command_line, "sh -c true", "commandLine");
  STRV(p->env, "env", "PATH=/usr/bin:/bin", "TERM=xterm");
  STR(p->cwd, "/work", "cwd");
  EQ(p->capabilities.set, true, "capabilities set");
  STRV(p->capabilities.bounding, "capabilities.bounding", "CAP_AUDIT_WRITE", "CAP_KILL");
  STRV(p->capabilities.effective, "capabilities.effective", "CAP_KILL");
  EQ(p->capabilities.inheritable && !p->capabilities.inheritable[0], true,
     "capabilities.inheritable empty but present");
  STRV(p->capabilities.permitted, "capabilities.permitted", "CAP_NET_BIND_SERVICE");
  STRV(p->capabilities.ambient, "capabilities.ambient", "CAP_CHOWN");
  EQ(p->n_rlimits, 2u, "rlimits count");
  STR(p->rlimits[1].type, "RLIMIT_CORE", "rlimits[1].type");
  EQ(p->rlimits[0].hard == 1024 && p->rlimits[0].soft == 512, true, "rlimits[0] values");
  EQ(p->rlimits[1].hard == UINT64_MAX && p->rlimits[1].soft == 0, true, "rlimits[1] values");
  EQ(p->no_new_privileges, true, "noNewPrivileges");
  STR(p->apparmor_profile, "husk-default", "apparmorProfile");
  EQ(p->oom_score_adj.set && p->oom_score_adj.value == -500, true, "oomScoreAdj");
  STR(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675", "selinuxLabel");
  EQ(p->io_priority.set && p->io_priority.priority == 4, true, "ioPriority");
  STR(p->io_priority.class_name, "IOPRIO_CLASS_BE", "ioPriority.class");
  const struct oci_scheduler *s = &p->scheduler;
  STR(s->policy, "SCHED_DEADLINE", "scheduler.policy");
  EQ(s->set && s->nice == -5 && s->priority == 7, true, "scheduler nice/priority");
  EQ(s->runtime == 10000000 && s->deadline == 20000000 && s->period == 30000000, true,
     "scheduler runtime/deadline/period");
  STRV(s->flags, "scheduler.flags", "SCHED_FLAG_RESET_ON_FORK");
  STR(p->exec_cpu_affinity.initial, "7", "execCPUAffinity.initial");
  STR(p->exec_cpu_affinity.final, "0-3,7", "execCPUAffinity.final");
}

static void check_top(const char *tag, const struct oci_spec *s)
{
  STR(s->oci_version, "1.2.1", "ociVersion");
  EQ(s->has_root && s->root.readonly, true, "root.readonly");
  STR(s->root.path, "rootfs", "root.path");
  STR(s->hostname, "husk-host", "hostname");
  STR(s->domainname, "example.org", "domainname");
  EQ(s->n_mounts, 2u, "mounts count");
  const struct oci_mount *m = &s->mounts[1];
  STR(m->destination, "/data", "mounts[1].destination");
  STR(m->type, "bind", "mounts[1].type");
  STR(m->source, "/srv/data", "mounts[1].source");
  STRV(m->options, "mounts[1].options", "rbind", "ro");
  EQ(s->mounts[0].options == NULL, true, "mounts[0].options absent");
  EQ(m->uid_mappings.n == 1 && m->uid_mappings.items[0].host_id == 100000 &&
         m->uid_mappings.items[0].size == 65536,
     true, "mounts[1].uidMappings");
  EQ(m->gid_mappings.n == 1 && m->gid_mappings.items[0].container_id == 1, true,
     "mounts[1].gidMappings");
  const struct oci_hook_list *h = s->hooks;
  EQ(h[OCI_HOOK_PRESTART].n == 1 && h[OCI_HOOK_PRESTART].items[0].timeout.value == 5, true,
     "hooks.prestart timeout");
  STRV(h[OCI_HOOK_PRESTART].items[0].args, "hooks.prestart args", "pre", "x");
  STRV(h[OCI_HOOK_PRESTART].items[0].env, "hooks.prestart env", "A=1");
  STR(h[OCI_HOOK_CREATE_RUNTIME].items[0].path, "/bin/cr", "hooks.createRuntime");
  EQ(h[OCI_HOOK_CREATE_RUNTIME].items[0].timeout.set, false, "hooks.createRuntime no timeout");
  STR(h[OCI_HOOK_CREATE_CONTAINER].items[0].path, "/bin/cc", "hooks.createContainer");
  STR(h[OCI_HOOK_START_CONTAINER].items[0].path, "/bin/sc", "hooks.startContainer");
  EQ(h[OCI_HOOK_POSTSTART].n, 2u, "hooks.poststart count");
  STR(h[OCI_HOOK_POSTSTART].items[1].path, "/bin/ps2", "hooks.poststart[1]");
  STRV(h[OCI_HOOK_POSTSTOP].items[0].env, "hooks.poststop env", "B=2");
  EQ(s->annotations.n, 2u, "annotations count");
  STR(oci_map_get(&s->annotations, "com.example.key1"), "value1", "annotations key1");
  STR(oci_map_get(&s->annotations, "com.example.key2"), "", "annotations key2");
}

static void check_linux(const char *tag, const struct oci_linux *l)
{
  EQ(l->n_namespaces, 8u, "namespaces count");
  STR(oci_linux_namespace(l, "network")->path, "/var/run/netns/n1", "namespaces network path");
  EQ(oci_linux_namespace(l, "time") != NULL, true, "namespaces time");
  EQ(l->uid_mappings.n == 1 && l->uid_mappings.items[0].host_id == 1000, true, "uidMappings");
  EQ(l->gid_mappings.n == 1 && l->gid_mappings.items[0].size == 16000, true, "gidMappings");
  EQ(l->n_time_offsets, 2u, "timeOffsets count");
  STR(l->time_offsets[0].clock, "monotonic", "timeOffsets[0] clock");
  EQ(l->time_offsets[0].secs == -86400 && l->time_offsets[0].nanosecs == 500, true,
     "timeOffsets monotonic");
  EQ(l->time_offsets[1].secs == INT64_MAX && l->time_offsets[1].nanosecs == UINT32_MAX, true,
     "timeOffsets boottime");
  const struct oci_device *d = &l->devices[0];
  EQ(l->n_devices == 2 && d->major == 10 && d->minor == 229, true, "devices[0] major/minor");
  EQ(d->file_mode.set && d->file_mode.value == 438 && d->uid.set && d->gid.set, true,
     "devices[0] fileMode/uid/gid");
  STR(d->type, "c", "devices[0].type");
  STR(l->devices[1].path, "/dev/fifo", "devices[1].path");
  EQ(l->devices[1].file_mode.set, false, "devices[1] fileMode absent");
  EQ(l->n_net_devices, 2u, "netDevices count");
  STR(l->net_devices[0].host_name, "eth0", "netDevices host name");
  STR(l->net_devices[0].name, "ctr0", "netDevices name");
  EQ(l->net_devices[1].name == NULL, true, "netDevices ens4 has no name");
  STR(l->cgroups_path, "/myRuntime/myContainer", "cgroupsPath");
  STR(l->rootfs_propagation, "rslave", "rootfsPropagation");
  STR(oci_map_get(&l->sysctl, "net.core.somaxconn"), "256", "sysctl");
  STRV(l->masked_paths, "maskedPaths", "/proc/kcore", "/proc/keys");
  STRV(l->readonly_paths, "readonlyPaths", "/proc/sys");
  STR(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811", "mountLabel");
  STR(l->intel_rdt.clos_id, "guaranteed_group", "intelRdt.closID");
  STR(l->intel_rdt.l3_cache_schema, "L3:0=7f0;1=1f", "intelRdt.l3CacheSchema");
  STR(l->intel_rdt.mem_bw_schema, "MB:0=20;1=70", "intelRdt.memBwSchema");
  STRV(l->intel_rdt.schemata, "intelRdt.schemata", "L2:0=ff", "L3:0=f");
  EQ(l->intel_rdt.enable_monitoring, true, "intelRdt.enableMonitoring");
  STR(l->personality.domain, "LINUX32", "personality.domain");
  EQ(l->personality.flags && !l->personality.flags[0], true, "personality.flags empty");
  STR(l->memory_policy.mode, "MPOL_INTERLEAVE", "memoryPolicy.mode");
  STR(l->memory_policy.nodes, "2-3", "memoryPolicy.nodes");
  STRV(l->memory_policy.flags, "memoryPolicy.flags", "MPOL_F_STATIC_NODES");
}

static void check_seccomp(const char *tag, const struct oci_seccomp *s)
{
  STR(s->default_action, "SCMP_ACT_ERRNO", "seccomp.defaultAction");
  EQ(s->default_errno_ret.set && s->default_errno_ret.value == 1, true, "defaultErrnoRet");
  STRV(s->architectures, "seccomp.architectures", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
  STRV(s->flags, "seccomp.flags", "SECCOMP_FILTER_FLAG_LOG");
  STR(s->listener_path, "/run/seccomp.sock", "seccomp.listenerPath");
  STR(s->listener_metadata, "meta", "seccomp.listenerMetadata");
  EQ(s->n_syscalls, 2u, "seccomp.syscalls count");
  STRV(s->syscalls[0].names, "syscalls[0].names", "read", "write");
  EQ(s->syscalls[0].errno_ret.set, false, "syscalls[0] errnoRet absent");
  const struct oci_seccomp_syscall *sc = &s->syscalls[1];
  STR(sc->action, "SCMP_ACT_ERRNO", "syscalls[1].action");
  EQ(sc->errno_ret.set && sc->errno_ret.value == 38 && sc->n_args == 2, true, "syscalls[1]");
  EQ(sc->args[1].index == 1 && sc->args[1].value == UINT64_MAX && sc->args[1].value_two == 4,
     true, "syscalls[1].args[1] values");
  STR(sc->args[1].op, "SCMP_CMP_MASKED_EQ", "syscalls[1].args[1].op");
}

static void check_resources(const char *tag, const struct oci_resources *r)
{
  EQ(r->n_devices == 2 && !r->devices[0].allow && r->devices[1].allow, true, "devices allow");
  EQ(r->devices[0].major.set, false, "devices[0].major absent");
  EQ(r->devices[1].major.value == 10 && r->devices[1].minor.value == 229, true,
     "devices[1] major/minor");
  STR(r->devices[1].access, "rw", "devices[1].access");
  STR(r->devices[1].type, "c", "devices[1].type");
  const struct oci_memory *m = &r->memory;
  EQ(r->has_memory && m->limit.value == 536870912 && m->reservation.value == 268435456, true,
     "memory limit/reservation");
  EQ(m->swap.set && m->swap.value == -1 && m->kernel.set && m->kernel_tcp.value == 1024, true,
     "memory swap/kernel/kernelTCP");
  EQ(m->swappiness.value == 60 && m->disable_oom_killer.value && m->use_hierarchy.set &&
         !m->use_hierarchy.value && m->check_before_update.value,
     true, "memory swappiness/bools");
  const struct oci_cpu *c = &r->cpu;
  EQ(r->has_cpu && c->shares.value == 1024 && c->quota.value == 100000 && c->burst.value == 5000,
     true, "cpu shares/quota/burst");
  EQ(c->period.value == 100000 && c->realtime_runtime.value == 950000 &&
         c->realtime_period.value == 1000000 && c->idle.set && c->idle.value == 1,
     true, "cpu period/realtime/idle");
  STR(c->cpus, "2-3", "cpu.cpus");
  STR(c->mems, "0-7", "cpu.mems");
  EQ(r->has_pids && r->pids_limit.set && r->pids_limit.value == 32771, true, "pids.limit");
  const struct oci_block_io *b = &r->block_io;
  EQ(r->has_block_io && b->weight.value == 10 && b->leaf_weight.value == 10, true, "blockIO weight");
  EQ(b->n_weight_devices == 2 && b->weight_devices[0].leaf_weight.value == 300 &&
         !b->weight_devices[1].leaf_weight.set && b->weight_devices[1].minor == 16,
     true, "blockIO weightDevice");
  EQ(b->read_bps.items[0].rate == 600 && b->write_bps.items[0].minor == 1 &&
         b->read_iops.items[0].rate == 602 && b->write_iops.items[0].rate == 603,
     true, "blockIO throttles");
  EQ(r->n_hugepage_limits == 2 && r->hugepage_limits[1].limit == 1073741824, true,
     "hugepageLimits");
  STR(r->hugepage_limits[0].page_size, "2MB", "hugepageLimits[0].pageSize");
  EQ(r->has_network && r->network.class_id.value == 1048577 && r->network.n_priorities == 2 &&
         r->network.priorities[1].priority == 1000,
     true, "network");
  STR(r->network.priorities[0].name, "eth0", "network.priorities[0].name");
  EQ(r->n_rdma == 2 && r->rdma[0].hca_handles.value == 3 && !r->rdma[1].hca_handles.set &&
         r->rdma[1].hca_objects.value == 1000,
     true, "rdma");
  STR(r->rdma[0].name, "mlx5_1", "rdma[0] name");
  STR(oci_map_get(&r->unified, "io.max"), "8:0 rbps=1048576", "unified");
}

static void check_full(const char *tag, const struct oci_spec *s)
{
  check_top(tag, s);
  EQ(s->has_process, true, "has process");
  check_process(tag, &s->process);
  EQ(s->has_linux && s->linux_.has_resources && s->linux_.seccomp.set, true, "has linux parts");
  check_linux(tag, &s->linux_);
  check_seccomp(tag, &s->linux_.seccomp);
  check_resources(tag, &s->linux_.resources);
}

static void test_round_trip(void)
{
  size_t len;
  char *data = read_fixture("full.json", &len), *err = NULL, *err2 = NULL;
  struct oci_spec *s1 = NULL, *s2 = NULL;

  if (!ok(data != NULL, "read full.json fixture"))
    return;
  ok(oci_spec_parse(data, len, "full.json", &s1, &err) == 0, "parse full.json");
  if (err)
    printf("# %s\n", err);
  if (!s1) {
    free(data);
    return;
  }
  check_full("parse", s1);
  char *json1 = oci_spec_to_json(s1);
  ok(json1 && strstr(json1, "\n\t\"ociVersion\": \"1.2.1\""), "to_json is tab-indented");
  ok(oci_spec_parse(json1, strlen(json1), "rt.json", &s2, &err2) == 0, "reparse to_json output");
  if (s2) {
    check_full("reparse", s2);
    char *json2 = oci_spec_to_json(s2);
    ok_str(json2, json1, "to_json(parse(to_json(x))) is stable");
    free(json2);
  }
  free(json1);
  oci_spec_free(s1);
  oci_spec_free(s2);
  free(data);
  free(err);
  free(err2);
}

static void test_parse_file(void)
{
  struct oci_spec *s = NULL;
  char *err = NULL;
  ok(oci_spec_parse_file(fixture_path("full.json"), &s, &err) == 0 && s && s->n_mounts == 2,
     "oci_spec_parse_file");
  oci_spec_free(s);
  s = NULL;
  ok(oci_spec_parse_file("/nonexistent/config.json", &s, &err) < 0 && !s, "missing file fails");
  ok_str(err, "/nonexistent/config.json: No such file or directory", "missing file message");
  free(err);
}

static void test_minimal(void)
{
  const char *doc = "{\"ociVersion\":\"1.0.0\"}";
  struct oci_spec *s = NULL;
  char *err = NULL;
  ok(oci_spec_parse(doc, strlen(doc), "config.json", &s, &err) == 0, "minimal spec parses");
  ok(s && !s->has_process && !s->has_root && !s->has_linux && s->n_mounts == 0,
     "minimal spec: optional parts absent");
  char *json = s ? oci_spec_to_json(s) : NULL;
  ok_str(json, "{\n\t\"ociVersion\": \"1.0.0\"\n}", "minimal spec to_json");
  free(json);
  oci_spec_free(s);
  oci_spec_free(NULL);
}

static void test_null_is_absent(void)
{
  const char *doc = "{\"ociVersion\":\"1.0.0\",\"hostname\":null,"
                    "\"process\":{\"cwd\":\"/\",\"args\":null}}";
  struct oci_spec *s = NULL;
  char *err = NULL;
  ok(oci_spec_parse(doc, strlen(doc), "config.json", &s, &err) == 0 && s && !s->hostname &&
         !s->process.args,
     "null values count as absent (as in Go)");
  oci_spec_free(s);
  free(err);
}

static void test_process_parse(void)
{
  const char *doc = "{\"cwd\":\"/tmp\",\"args\":[\"ls\",\"-l\"],\"env\":[\"A=B\"],"
                    "\"user\":{\"uid\":7,\"gid\":8},\"terminal\":false,"
                    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}";
  struct oci_process *p = NULL;
  char *err = NULL;
  ok(oci_process_parse(doc, strlen(doc), "process.json", &p, &err) == 0, "process.json parses");
  ok(p && p->user.uid == 7 && p->user.gid == 8 && oci_strv_len(p->args) == 2, "process values");
  ok(p && p->capabilities.set && !p->capabilities.ambient, "process capabilities");
  oci_process_free(p);
  p = NULL;
  const char *bad = "{\"args\":[\"ls\"]}";
  ok(oci_process_parse(bad, strlen(bad), "process.json", &p, &err) < 0 && !p,
     "process.json without cwd fails");
  ok_str(err, "process.json: cwd: missing required field", "process.json cwd message");
  free(err);
}

static void test_resources_parse(void)
{
  const char *doc = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":-1},"
                    "\"cpu\":{\"cpus\":\"0\"},\"unified\":{\"cpu.weight\":\"50\"}}";
  struct oci_resources *r = NULL;
  char *err = NULL;
  ok(oci_resources_parse(doc, strlen(doc), "resources.json", &r, &err) == 0,
     "resources.json parses");
  ok(r && r->has_memory && r->memory.limit.value == 1048576 && !r->memory.swap.set,
     "resources memory");
  ok(r && r->has_pids && r->pids_limit.value == -1 && r->has_cpu && !r->has_block_io,
     "resources pids/cpu");
  ok_str(r ? oci_map_get(&r->unified, "cpu.weight") : NULL, "50", "resources unified");
  oci_resources_free(r);
  r = NULL;
  const char *bad = "{\"memory\":{\"limit\":\"1G\"}}";
  ok(oci_resources_parse(bad, strlen(bad), "resources.json", &r, &err) < 0 && !r,
     "bad resources fail");
  ok_str(err, "resources.json: memory.limit: expected an integer", "bad resources message");
  free(err);
}

static void test_state(void)
{
  struct oci_kv ann[] = { { "a", "1" } };
  struct oci_state st = {
    .oci_version = "1.2.1", .id = "c1", .status = "running", .pid = 42,
    .bundle = "/b", .rootfs = "/b/rootfs", .created = "2024-01-02T03:04:05.000000006Z",
    .owner = "",
  };
  char *s = oci_state_to_json(&st, true);
  ok_str(s, "{\n  \"ociVersion\": \"1.2.1\",\n  \"id\": \"c1\",\n  \"pid\": 42,\n"
            "  \"status\": \"running\",\n  \"bundle\": \"/b\",\n  \"rootfs\": \"/b/rootfs\",\n"
            "  \"created\": \"2024-01-02T03:04:05.000000006Z\",\n  \"owner\": \"\"\n}",
         "state pretty, no annotations, no trailing newline");
  free(s);
  st.annotations = (struct oci_map){ 1, ann };
  s = oci_state_to_json(&st, false);
  ok_str(s, "{\"ociVersion\":\"1.2.1\",\"id\":\"c1\",\"pid\":42,\"status\":\"running\","
            "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\","
            "\"created\":\"2024-01-02T03:04:05.000000006Z\",\"annotations\":{\"a\":\"1\"},"
            "\"owner\":\"\"}",
         "state compact with annotations");
  struct oci_state back;
  char *err = NULL;
  ok(oci_state_parse(s, strlen(s), "state.json", &back, &err) == 0, "state parses back");
  ok(back.pid == 42 && back.owner && !strcmp(back.id, "c1") &&
         !strcmp(oci_map_get(&back.annotations, "a"), "1"),
     "state values round-trip");
  oci_state_clear(&back);
  free(s);
  s = oci_state_list_to_json(NULL, 0);
  ok_str(s, "null", "empty state list is null");
  free(s);
  struct oci_state two[2] = { st, st };
  two[1].id = "c2";
  s = oci_state_list_to_json(two, 2);
  ok(s && s[0] == '[' && strstr(s, "\"id\":\"c2\"") && !strchr(s, '\n'), "state list of 2");
  free(s);
  const char *bad = "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"stopped\",\"bundle\":\"/\","
                    "\"pid\":-3}";
  ok(oci_state_parse(bad, strlen(bad), "state.json", &back, &err) < 0, "negative pid fails");
  ok_str(err, "state.json: pid: value -3 out of range (0 to 2147483647)", "negative pid msg");
  free(err);
}

static void test_features(void)
{
  static const char *const hooks[] = { "prestart", "poststop", NULL };
  static const char *const ns[] = { "pid", "user", NULL };
  struct oci_features f = {
    .oci_version_min = "1.0.0", .oci_version_max = "1.2.1", .hooks = hooks,
    .linux_ = { .namespaces = ns, .cgroup = { .v2 = true }, .seccomp = { .enabled = true } },
  };
  char *s = oci_features_to_json(&f), *err = NULL;
  ok(s && !strncmp(s, "{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\"", 49),
     "features: 4-space indent");
  ok(s && s[strlen(s) - 1] == '}', "features: no trailing newline");
  struct oci_json *t = s ? oci_json_parse(s, strlen(s), "features", &err) : NULL;
  const struct oci_json *l = oci_json_get(t, "linux");
  ok(l && l->type == OCI_JSON_OBJECT, "features: linux object present");
  const struct oci_json *cg = oci_json_get(l, "cgroup");
  ok(cg && oci_json_get(cg, "v2")->boolean && !oci_json_get(cg, "v1")->boolean,
     "features: cgroup flags");
  ok(oci_json_get(oci_json_get(oci_json_get(l, "mountExtensions"), "idmap"), "enabled") != NULL,
     "features: mountExtensions.idmap.enabled");
  ok(!oci_json_get(t, "annotations") && !oci_json_get(t, "mountOptions"),
     "features: empty optional lists omitted");
  oci_json_free(t);
  free(s);
  struct oci_features empty = { 0 };
  s = oci_features_to_json(&empty);
  ok(s && strstr(s, "\"linux\": {") && strstr(s, "\"ociVersionMax\": \"" OCI_SPEC_VERSION "\""),
     "features: zero struct still has linux and versions");
  free(s);
  free(err);
}

int main(void)
{
  test_round_trip();
  test_parse_file();
  test_minimal();
  test_null_is_absent();
  test_process_parse();
  test_resources_parse();
  test_state();
  test_features();
  return tap_done();
}
