/* The names of config-linux.md "Seccomp" and what libseccomp calls them. */
#include "sandbox/seccomp_names.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

static int ret_code(oci_opt_u64 errno_ret, const char *field, uint32_t *out, struct husk_err *e)
{
  uint64_t v = errno_ret.set ? errno_ret.value : EPERM;
  if (v > 0xffff)
    return herr(e, EINVAL, "%s: %llu is out of range (0-65535)", field, (unsigned long long)v);
  *out = (uint32_t)v;
  return 0;
}

int seccomp_action_parse(const char *name, oci_opt_u64 errno_ret, const char *action_field,
                         const char *errno_field, uint32_t *action, struct husk_err *e)
{
  static const struct {
    const char *name;
    uint32_t act;
  } t[] = {{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
           {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
           {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
           {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
           {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
           {"SCMP_ACT_LOG", SCMP_ACT_LOG},
           {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY}};
  uint32_t rc = EPERM;
  if (!name)
    return herr(e, EINVAL, "%s: missing", action_field);
  if (strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_TRACE") == 0) {
    if (ret_code(errno_ret, errno_field, &rc, e) < 0)
      return -1;
    *action = name[9] == 'E' ? SCMP_ACT_ERRNO(rc) : SCMP_ACT_TRACE(rc);
    return 0;
  }
  for (size_t i = 0; i < N_OF(t); i++)
    if (strcmp(name, t[i].name) == 0) {
      if (errno_ret.set)
        return herr(e, EINVAL, "%s: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
                    errno_field, name);
      *action = t[i].act;
      return 0;
    }
  return herr(e, EINVAL, "%s: unknown seccomp action \"%s\"", action_field, name);
}

int seccomp_arch_parse(const char *name, uint32_t *arch, struct husk_err *e)
{
  static const struct {
    const char *name;
    uint32_t arch;
  } t[] = {
      {"SCMP_ARCH_X86", SCMP_ARCH_X86},
      {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},
      {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
      {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
      {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
      {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
      {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
      {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
      {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
      {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
      {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
      {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
      {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
      {"SCMP_ARCH_S390", SCMP_ARCH_S390},
      {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
      {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
      {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
      {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
      {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
      {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
      {"SCMP_ARCH_SH", SCMP_ARCH_SH},
      {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
  };
  for (size_t i = 0; i < N_OF(t); i++)
    if (name && strcmp(name, t[i].name) == 0) {
      *arch = t[i].arch;
      return 0;
    }
  return herr(e, EINVAL, "linux.seccomp.architectures: unknown architecture \"%s\"",
              name ? name : "");
}

int seccomp_op_parse(const char *name, int *op, struct husk_err *e)
{
  static const struct {
    const char *name;
    int op;
  } t[] = {{"SCMP_CMP_NE", SCMP_CMP_NE},
           {"SCMP_CMP_LT", SCMP_CMP_LT},
           {"SCMP_CMP_LE", SCMP_CMP_LE},
           {"SCMP_CMP_EQ", SCMP_CMP_EQ},
           {"SCMP_CMP_GE", SCMP_CMP_GE},
           {"SCMP_CMP_GT", SCMP_CMP_GT},
           {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < N_OF(t); i++)
    if (name && strcmp(name, t[i].name) == 0) {
      *op = t[i].op;
      return 0;
    }
  return herr(e, EINVAL, "unknown seccomp operator \"%s\"", name ? name : "");
}

int seccomp_flag_apply(void *ctx, const char *name, struct husk_err *e)
{
  static const struct {
    const char *name;
    int attr; /* enum scmp_filter_attr; -1: not in this libseccomp */
  } t[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL},
#else
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", -1},
#endif
  };
  int r;
  for (size_t i = 0; i < N_OF(t); i++) {
    if (!name || strcmp(name, t[i].name) != 0)
      continue;
    if (t[i].attr < 0) /* the loader passes it to seccomp(2) itself */
      return SECCOMP_FLAG_BY_LOADER;
    if (!ctx)
      return 0;
    r = seccomp_attr_set(ctx, (enum scmp_filter_attr)t[i].attr, 1);
    if (r < 0)
      return herr(e, -r, "linux.seccomp.flags: %s (not supported by the kernel?)", name);
    return 0;
  }
  return herr(e, EINVAL, "linux.seccomp.flags: unknown flag \"%s\"", name ? name : "");
}
