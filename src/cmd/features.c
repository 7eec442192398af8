/* features: what this build supports (runtime-spec features.md). Only JSON on
 * stdout, nothing on stderr (CRI-O merges the two). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "config.h"
#include "oci_features.h"
#include "sandbox/mount_opts.h"

static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
                                         "time",   "user", "uts",   NULL};

static const char *const capabilities[] = {"CAP_CHOWN",
                                           "CAP_DAC_OVERRIDE",
                                           "CAP_DAC_READ_SEARCH",
                                           "CAP_FOWNER",
                                           "CAP_FSETID",
                                           "CAP_KILL",
                                           "CAP_SETGID",
                                           "CAP_SETUID",
                                           "CAP_SETPCAP",
                                           "CAP_LINUX_IMMUTABLE",
                                           "CAP_NET_BIND_SERVICE",
                                           "CAP_NET_BROADCAST",
                                           "CAP_NET_ADMIN",
                                           "CAP_NET_RAW",
                                           "CAP_IPC_LOCK",
                                           "CAP_IPC_OWNER",
                                           "CAP_SYS_MODULE",
                                           "CAP_SYS_RAWIO",
                                           "CAP_SYS_CHROOT",
                                           "CAP_SYS_PTRACE",
                                           "CAP_SYS_PACCT",
                                           "CAP_SYS_ADMIN",
                                           "CAP_SYS_BOOT",
                                           "CAP_SYS_NICE",
                                           "CAP_SYS_RESOURCE",
                                           "CAP_SYS_TIME",
                                           "CAP_SYS_TTY_CONFIG",
                                           "CAP_MKNOD",
                                           "CAP_LEASE",
                                           "CAP_AUDIT_WRITE",
                                           "CAP_AUDIT_CONTROL",
                                           "CAP_SETFCAP",
                                           "CAP_MAC_OVERRIDE",
                                           "CAP_MAC_ADMIN",
                                           "CAP_SYSLOG",
                                           "CAP_WAKE_ALARM",
                                           "CAP_BLOCK_SUSPEND",
                                           "CAP_AUDIT_READ",
                                           "CAP_PERFMON",
                                           "CAP_BPF",
                                           "CAP_CHECKPOINT_RESTORE",
                                           NULL};

static const char *const hooks[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    NULL};

#ifdef HAVE_SECCOMP
static const char *const seccomp_actions[] = {"SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO",
                                              "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
                                              "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                                              "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",
                                              "SCMP_ACT_TRAP",        NULL};
static const char *const seccomp_operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                                "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                                "SCMP_CMP_NE", NULL};
static const char *const seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",         "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
    "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      NULL};
static const char *const seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                            "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
#endif

static struct oci_kv annotations[] = {
    {(char *)"io.github.husk.version", (char *)PACKAGE_VERSION},
    {(char *)"io.github.husk.checkpoint.enabled", (char *)"false"},
#ifdef HAVE_SECCOMP
    {(char *)"io.github.husk.libseccomp.enabled", (char *)"true"},
#endif
};

static void fill_linux(struct oci_features_linux *l)
{
  l->namespaces = namespaces;
  l->capabilities = capabilities;
  l->cgroup.v1 = true;
  l->cgroup.v2 = true;
#ifdef HAVE_SYSTEMD
  l->cgroup.systemd = true;
  l->cgroup.systemd_user = true;
#endif
#ifdef HAVE_SECCOMP
  l->seccomp.enabled = true;
  l->seccomp.actions = seccomp_actions;
  l->seccomp.operators = seccomp_operators;
  l->seccomp.archs = seccomp_archs;
  l->seccomp.known_flags = seccomp_flags;
  l->seccomp.supported_flags = seccomp_flags;
#endif
#ifdef HAVE_APPARMOR
  l->apparmor.enabled = true;
#endif
#ifdef HAVE_SELINUX
  l->selinux.enabled = true;
#endif
  l->mount_extensions.idmap_enabled = false;
}

static const struct option opts[] = {HELP_OPTION, {NULL, 0, NULL, 0}};

static int no_opt(int c, const char *arg, void *ctx)
{
  (void)c;
  (void)arg;
  (void)ctx;
  return 0;
}

int cmd_features(struct husk_globals *g, int argc, char **argv)
{
  struct oci_features f = {
      .oci_version_min = "1.0.0",
      .oci_version_max = "1.2.1",
      .hooks = hooks,
      .mount_options = mount_opts_known,
      .annotations = {sizeof annotations / sizeof annotations[0], annotations}};
  char *json;
  int first = cmd_parse(argc, argv, "features", opts, "", false, no_opt, NULL);
  (void)g;
  if (first < 0)
    return first == -2 ? 0 : 1;
  fill_linux(&f.linux_);
  if (!(json = oci_features_to_json(&f)))
    return 1;
  puts(json);
  free(json);
  return 0;
}
