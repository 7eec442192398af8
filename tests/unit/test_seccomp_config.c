/* linux.seccomp translation (src/sandbox/seccomp_names.c, seccomp.c). */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp_names.h"
#include "sandbox/security.h"
#include "tap.h"

static const oci_opt_u64 unset = {0};

static uint32_t act(const char *name, oci_opt_u64 r)
{
  struct husk_err e = {0};
  uint32_t a = 0xdeadbeef;
  if (seccomp_action_parse(name, r, "a", "r", &a, &e) < 0)
    a = 0xdeadbeef;
  herr_clear(&e);
  return a;
}

static void actions(void)
{
  oci_opt_u64 r38 = {true, 38};
  ok(act("SCMP_ACT_ALLOW", unset) == SCMP_ACT_ALLOW, "ALLOW");
  ok(act("SCMP_ACT_KILL", unset) == SCMP_ACT_KILL_THREAD, "KILL is KILL_THREAD");
  ok(act("SCMP_ACT_KILL_THREAD", unset) == SCMP_ACT_KILL_THREAD, "KILL_THREAD");
  ok(act("SCMP_ACT_KILL_PROCESS", unset) == SCMP_ACT_KILL_PROCESS, "KILL_PROCESS");
  ok(act("SCMP_ACT_TRAP", unset) == SCMP_ACT_TRAP, "TRAP");
  ok(act("SCMP_ACT_LOG", unset) == SCMP_ACT_LOG, "LOG");
  ok(act("SCMP_ACT_NOTIFY", unset) == SCMP_ACT_NOTIFY, "NOTIFY");
  ok(act("SCMP_ACT_ERRNO", unset) == SCMP_ACT_ERRNO(EPERM), "ERRNO defaults to EPERM");
  ok(act("SCMP_ACT_ERRNO", r38) == SCMP_ACT_ERRNO(38), "ERRNO with errnoRet");
  ok(act("SCMP_ACT_TRACE", unset) == SCMP_ACT_TRACE(EPERM), "TRACE defaults to EPERM");
  ok(act("SCMP_ACT_TRACE", r38) == SCMP_ACT_TRACE(38), "TRACE with errnoRet");
  ok(act("SCMP_ACT_KILL", r38) == 0xdeadbeef, "errnoRet with KILL is refused");
  ok(act("SCMP_ACT_ERRNO", (oci_opt_u64){true, 70000}) == 0xdeadbeef, "errnoRet out of range");
  ok(act("SCMP_ACT_BOGUS", unset) == 0xdeadbeef, "unknown action");
}

static void names(void)
{
  struct husk_err e = {0};
  uint32_t a = 0;
  int op = -1;
  ok(seccomp_arch_parse("SCMP_ARCH_X86_64", &a, &e) == 0 && a == SCMP_ARCH_X86_64, "arch x86_64");
  ok(seccomp_arch_parse("SCMP_ARCH_X32", &a, &e) == 0 && a == SCMP_ARCH_X32, "arch x32");
  ok(seccomp_arch_parse("SCMP_ARCH_AARCH64", &a, &e) == 0 && a == SCMP_ARCH_AARCH64, "arch aarch64");
  ok(seccomp_arch_parse("SCMP_ARCH_ARM", &a, &e) == 0 && a == SCMP_ARCH_ARM, "arch arm");
  ok(seccomp_arch_parse("SCMP_ARCH_VAX", &a, &e) < 0, "unknown arch");
  ok(e.msg && strstr(e.msg, "linux.seccomp.architectures: unknown architecture \"SCMP_ARCH_VAX\""),
     "arch message: %s", e.msg);
  herr_clear(&e);
  ok(seccomp_op_parse("SCMP_CMP_MASKED_EQ", &op, &e) == 0 && op == SCMP_CMP_MASKED_EQ, "MASKED_EQ");
  ok(seccomp_op_parse("SCMP_CMP_NE", &op, &e) == 0 && op == SCMP_CMP_NE, "NE");
  ok(seccomp_op_parse("SCMP_CMP_GE", &op, &e) == 0 && op == SCMP_CMP_GE, "GE");
  ok(seccomp_op_parse("SCMP_CMP_XX", &op, &e) < 0, "unknown op");
  herr_clear(&e);
  ok(seccomp_flag_apply(NULL, "SECCOMP_FILTER_FLAG_LOG", &e) == 0, "flag LOG");
  ok(seccomp_flag_apply(NULL, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", &e) == 0, "flag SPEC_ALLOW");
  ok(seccomp_flag_apply(NULL, "SECCOMP_FILTER_FLAG_NOPE", &e) < 0, "unknown flag");
  herr_clear(&e);
}

static void profiles(void)
{
  struct husk_err e = {0};
  struct seccomp_filter *f = NULL;
  char *allow[] = {"read", "write", "no_such_syscall", "socketcall", NULL};
  char *notify[] = {"mkdir", NULL};
  char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL};
  struct oci_seccomp_arg masked = {.index = 1, .value = 2, .value_two = 2,
                                   .op = "SCMP_CMP_MASKED_EQ"};
  struct oci_seccomp_arg twice[2] = {{.index = 0, .value = 1, .op = "SCMP_CMP_EQ"},
                                     {.index = 0, .value = 5, .op = "SCMP_CMP_EQ"}};
  struct oci_seccomp_syscall sc[3] = {
      {.names = allow, .action = "SCMP_ACT_ALLOW"},
      {.names = notify, .action = "SCMP_ACT_ERRNO", .n_args = 1, .args = &masked},
      {.names = notify, .action = "SCMP_ACT_LOG", .n_args = 2, .args = twice}};
  struct oci_seccomp s = {.set = true, .default_action = "SCMP_ACT_ERRNO",
                          .architectures = arches, .n_syscalls = 3, .syscalls = sc};
  ok(seccomp_prepare(&s, &f, &e) == 0 && f, "profile builds (unknown names ignored, same-index args)");
  ok(!seccomp_filter_notifies(f), "no notify action");
  seccomp_filter_free(f);
  f = NULL;
  sc[1].action = "SCMP_ACT_NOTIFY";
  ok(seccomp_prepare(&s, &f, &e) < 0, "NOTIFY without listenerPath fails");
  ok(e.msg && strstr(e.msg, "linux.seccomp.listenerPath"), "names listenerPath");
  herr_clear(&e);
  s.listener_path = "/run/agent.sock";
  ok(seccomp_prepare(&s, &f, &e) == 0 && seccomp_filter_notifies(f), "NOTIFY with listenerPath");
  seccomp_filter_free(f);
  sc[0].action = "SCMP_ACT_NOPE";
  ok(seccomp_prepare(&s, &f, &e) < 0, "bad action fails");
  ok(e.msg && strstr(e.msg, "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_NOPE\""),
     "message names the syscall entry: %s", e.msg);
  herr_clear(&e);
  sc[0].action = "SCMP_ACT_ALLOW";
  masked.index = 6;
  ok(seccomp_prepare(&s, &f, &e) < 0, "argument index 6 fails");
  herr_clear(&e);
  masked.index = 1;
  s.set = false;
  ok(seccomp_prepare(&s, &f, &e) == 0 && f == NULL, "absent seccomp: no filter");
  ok(seccomp_validate(NULL, &e) == 0, "validate NULL");
}

int main(void)
{
  actions();
  names();
  profiles();
  return tap_done();
}
