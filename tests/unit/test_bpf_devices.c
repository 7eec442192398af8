/* The cgroup v2 device filter: the generated eBPF program is run in a small
 * interpreter of the instructions it may contain, and its decision compared
 * with the rule list's reference decision (device_rules.c) for every device
 * and access in a range, for fixed and random rule lists. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/bpf_devices.h"
#include "cgroups/device_rules.h"
#include "tap.h"

/* Runs prog on ctx: 1 allow, 0 deny, -1 an instruction the generator must
 * never emit, a jump out of range, a backward jump or an unset r0. */
static int interpret(const struct bpf_insn *p, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
  uint64_t r[11] = {0};
  bool r0_set = false;
  for (size_t pc = 0; pc < n; pc++) {
    const struct bpf_insn *i = &p[pc];
    uint8_t cls = BPF_CLASS(i->code), op = BPF_OP(i->code);
    if (i->dst_reg > 10 || i->src_reg > 10)
      return -1;
    if (i->code == (BPF_LDX | BPF_W | BPF_MEM)) {
      if (i->src_reg != 1 || i->off < 0 || (size_t)i->off + 4 > sizeof *ctx || i->off % 4)
        return -1;
      uint32_t v;
      memcpy(&v, (const char *)ctx + i->off, 4);
      r[i->dst_reg] = v;
    } else if (cls == BPF_ALU) {
      uint32_t src = BPF_SRC(i->code) == BPF_X ? (uint32_t)r[i->src_reg] : (uint32_t)i->imm;
      uint32_t d = (uint32_t)r[i->dst_reg];
      if (op == BPF_MOV)
        d = src;
      else if (op == BPF_AND)
        d &= src;
      else if (op == BPF_RSH && src < 32)
        d >>= src;
      else
        return -1;
      r[i->dst_reg] = d; /* 32-bit ALU zero-extends */
      if (i->dst_reg == 0)
        r0_set = true;
    } else if (cls == BPF_JMP && op == BPF_EXIT) {
      return r0_set ? (int)r[0] : -1;
    } else if (cls == BPF_JMP && BPF_SRC(i->code) == BPF_K && (op == BPF_JNE || op == BPF_JEQ)) {
      uint64_t imm = (uint64_t)(int64_t)i->imm; /* sign-extended, as the kernel does */
      bool eq = r[i->dst_reg] == imm;
      if (i->off < 0 || pc + 1 + (size_t)i->off >= n)
        return -1;
      if (op == BPF_JEQ ? eq : !eq)
        pc += (size_t)i->off;
    } else {
      return -1;
    }
  }
  return -1; /* fell off the end */
}

static int run(const struct bpf_insn *p, size_t n, char type, uint32_t ma, uint32_t mi,
               unsigned acc)
{
  struct bpf_cgroup_dev_ctx ctx = {
      .access_type = (acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
      .major = ma,
      .minor = mi};
  return interpret(p, n, &ctx);
}

/* Every type, major/minor 0..4, access 1..7: the program agrees with the list. */
static int agree(const struct cg_dev_rule *rules, size_t n, char *why, size_t len)
{
  struct bpf_insn *p = NULL;
  size_t count = 0;
  struct husk_err e = {0};
  if (cg_bpf_dev_program(rules, n, &p, &count, &e) < 0) {
    snprintf(why, len, "generation failed: %s", e.msg);
    herr_clear(&e);
    return 0;
  }
  for (int t = 0; t < 2; t++)
    for (uint32_t ma = 0; ma < 5; ma++)
      for (uint32_t mi = 0; mi < 5; mi++)
        for (unsigned acc = 1; acc < 8; acc++) {
          char type = t ? 'b' : 'c';
          int want = cg_dev_rules_decide(rules, n, type, ma, mi, acc);
          int got = run(p, count, type, ma, mi, acc);
          if (got != want) {
            snprintf(why, len, "%c %u:%u access %u: program %d, rules %d", type, ma, mi, acc, got,
                     want);
            free(p);
            return 0;
          }
        }
  free(p);
  return 1;
}

static struct cg_dev_rule R(char type, int64_t ma, int64_t mi, unsigned acc, bool allow) {
  return (struct cg_dev_rule){type, ma, mi, acc, allow};
}

static void
test_fixed(void)
{
  struct bpf_insn *p = NULL;
  size_t count = 0;
  char why[160] = "";
  struct cg_dev_rule deny_all = R('a', CG_DEV_ANY, CG_DEV_ANY, CG_DEV_ALL, false);
  struct cg_dev_rule list[] = {deny_all, R('c', 1, 3, CG_DEV_ALL, true),
                               R('c', 1, 3, CG_DEV_READ, false),
                               R('b', 2, CG_DEV_ANY, CG_DEV_READ, true)};
  ok(cg_bpf_dev_program(list, 4, &p, &count, NULL) == 0 && count > 0, "program generated");
  ok(run(p, count, 'c', 1, 3, CG_DEV_WRITE) == 1, "c 1:3 write allowed");
  ok(run(p, count, 'c', 1, 3, CG_DEV_READ) == 0, "c 1:3 read denied by the later rule");
  ok(run(p, count, 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE) == 0, "c 1:3 read+write denied");
  ok(run(p, count, 'c', 1, 4, CG_DEV_WRITE) == 0, "c 1:4 denied (default)");
  ok(run(p, count, 'b', 2, 77, CG_DEV_READ) == 1, "b 2:* read allowed");
  ok(run(p, count, 'b', 2, 77, CG_DEV_READ | CG_DEV_WRITE) == 0, "b 2:* write not allowed");
  ok(run(p, count, 'c', 2, 77, CG_DEV_READ) == 0, "type is checked");
  free(p);

  struct cg_dev_rule split[] = {deny_all, R('c', 1, 3, CG_DEV_READ, true),
                                R('c', 1, 3, CG_DEV_WRITE, true)};
  ok(cg_bpf_dev_program(split, 3, &p, &count, NULL) == 0, "split rules generated");
  ok(run(p, count, 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE) == 1,
     "read and write allowed by two rules (as v1 merges them)");
  ok(run(p, count, 'c', 1, 3, CG_DEV_MKNOD | CG_DEV_READ) == 0, "mknod not allowed");
  free(p);

  struct cg_dev_rule allow_all[] = {R('a', CG_DEV_ANY, CG_DEV_ANY, CG_DEV_ALL, true),
                                    R('b', 8, 0, CG_DEV_WRITE, false)};
  ok(cg_bpf_dev_program(allow_all, 2, &p, &count, NULL) == 0, "allow-list generated");
  ok(run(p, count, 'b', 8, 0, CG_DEV_READ) == 1 && run(p, count, 'b', 8, 0, CG_DEV_WRITE) == 0,
     "allow all, then deny b 8:0 w");
  free(p);

  ok(cg_bpf_dev_program(NULL, 0, &p, &count, NULL) == 0 &&
         run(p, count, 'c', 1, 3, CG_DEV_READ) == 0,
     "no rules: everything denied");
  free(p);

  ok(agree(list, 4, why, sizeof why), "fixed list agrees everywhere %s", why);
  ok(agree(split, 3, why, sizeof why), "split list agrees everywhere %s", why);
  ok(agree(allow_all, 2, why, sizeof why), "allow list agrees everywhere %s", why);
}

static void test_effective(void)
{
  struct oci_device_rule spec[] = {
      {.allow = false, .access = "rwm"},
      {.allow = true, .type = "c", .major = {true, 10}, .minor = {true, 229}, .access = "rw"},
      {.allow = false, .type = "c", .major = {true, 1}, .minor = {true, 3}, .access = "r"}};
  struct oci_resources res = {.n_devices = 3, .devices = spec};
  struct cg_dev_rule *list = NULL;
  size_t n = 0;
  char why[160] = "", buf[64];
  ok(cg_dev_rules_effective(&res, &list, &n, NULL) == 0 && n == 1 + 3 + 12,
     "deny-all + 3 spec rules + 12 defaults");
  cg_dev_rule_format(&list[0], buf, sizeof buf);
  ok_str(buf, "a", "first rule denies all");
  cg_dev_rule_format(&list[2], buf, sizeof buf);
  ok_str(buf, "c *:* m", "defaults follow the spec's deny-all");
  cg_dev_rule_format(&list[n - 1], buf, sizeof buf);
  ok_str(buf, "c 1:3 r", "the spec's last rule stays last");
  ok(cg_dev_rules_decide(list, n, 'c', 10, 229, CG_DEV_READ | CG_DEV_WRITE) == 1, "fuse allowed");
  ok(cg_dev_rules_decide(list, n, 'c', 1, 3, CG_DEV_READ) == 0, "null read denied");
  ok(cg_dev_rules_decide(list, n, 'c', 1, 3, CG_DEV_WRITE) == 1, "null write allowed");
  ok(cg_dev_rules_decide(list, n, 'c', 1, 5, CG_DEV_READ) == 1, "zero allowed (default)");
  ok(cg_dev_rules_decide(list, n, 'b', 8, 0, CG_DEV_MKNOD) == 1, "mknod of anything (default)");
  ok(cg_dev_rules_decide(list, n, 'b', 8, 0, CG_DEV_READ) == 0, "block device read denied");
  ok(agree(list, n, why, sizeof why), "effective list agrees %s", why);
  {
    struct bpf_insn *p = NULL;
    size_t count = 0;
    struct oci_device_rule deny = {.allow = false, .access = "rwm"};
    struct oci_resources plain = {.n_devices = 1, .devices = &deny};
    struct cg_dev_rule *dl = NULL;
    size_t dn = 0;
    cg_dev_rules_effective(&plain, &dl, &dn, NULL);
    int r = cg_bpf_dev_program(dl, dn, &p, &count, NULL);
    ok(r == 0 && count < 200, "the default config's program: %zu rules, %zu instructions", dn,
       count);
    free(p);
    free(dl);
  }
  free(list);

  struct oci_device_rule bad = {
      .allow = true, .type = "c", .major = {true, 1LL << 33}, .access = "r"};
  struct oci_resources badres = {.n_devices = 1, .devices = &bad};
  struct husk_err e = {0};
  ok(cg_dev_rules_effective(&badres, &list, &n, &e) < 0 && e.msg && strstr(e.msg, "devices[0]"),
     "a major beyond 32 bits is an error naming the rule");
  herr_clear(&e);
}

/* Random rule lists over a small device range, compared everywhere. */
static void test_random(void)
{
  static const char types[] = "abc";
  int bad = 0;
  char why[160] = "";
  srand(5);
  for (int round = 0; round < 400 && !bad; round++) {
    struct cg_dev_rule rules[12];
    size_t n = 1 + (size_t)(rand() % 12);
    for (size_t i = 0; i < n; i++)
      rules[i] = R(types[rand() % 3], rand() % 4 ? rand() % 5 : CG_DEV_ANY,
                   rand() % 4 ? rand() % 5 : CG_DEV_ANY, 1 + (unsigned)(rand() % 7), rand() % 2);
    if (!agree(rules, n, why, sizeof why))
      bad = round + 1;
  }
  ok(!bad, "400 random rule lists agree with the reference %s", why);
}

int main(void)
{
  test_fixed();
  test_effective();
  test_random();
  return tap_done();
}
