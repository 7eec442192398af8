/* Generates the BPF_PROG_TYPE_CGROUP_DEVICE program (see bpf_devices.h for
 * its logic). Pure: unit-tested by running the instructions in a small
 * interpreter (tests/unit/test_bpf_devices.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/bpf_devices.h"

/* Registers: R1 context, R2 undecided access bits, R3 type, R4 major, R5 minor. */
enum { R0, R1, R2, R3, R4, R5 };

struct prog {
  struct bpf_insn *insns;
  size_t n, cap;
  bool oom;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct bpf_insn *ni = realloc(p->insns, cap * sizeof *ni);
    if (!ni) {
      p->oom = true;
      return;
    }
    p->insns = ni;
    p->cap = cap;
  }
  p->insns[p->n++] =
      (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static void ldx_w(struct prog *p, uint8_t dst, int16_t off)
{
  emit(p, BPF_LDX | BPF_W | BPF_MEM, dst, R1, off, 0);
}

static void alu_k(struct prog *p, uint8_t op, uint8_t dst, int32_t imm)
{
  emit(p, BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static void ret(struct prog *p, int32_t v)
{
  alu_k(p, BPF_MOV, R0, v);
  emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* A conditional jump to the next rule's block; its offset is patched when
 * the block is complete. Returns the instruction's index. */
static size_t jmp_next(struct prog *p, uint8_t op, uint8_t dst, int32_t imm)
{
  emit(p, BPF_JMP | op | BPF_K, dst, 0, 0, imm);
  return p->n - 1;
}

static void prologue(struct prog *p)
{
  /* access_type is (access << 16) | type; major and minor follow it. */
  ldx_w(p, R2, offsetof(struct bpf_cgroup_dev_ctx, access_type));
  emit(p, BPF_ALU | BPF_MOV | BPF_X, R3, R2, 0, 0);
  alu_k(p, BPF_AND, R3, 0xffff);
  alu_k(p, BPF_RSH, R2, 16);
  ldx_w(p, R4, offsetof(struct bpf_cgroup_dev_ctx, major));
  ldx_w(p, R5, offsetof(struct bpf_cgroup_dev_ctx, minor));
}

static void rule_block(struct prog *p, const struct cg_dev_rule *r)
{
  size_t jumps[4], nj = 0;
  if (r->type != 'a')
    jumps[nj++] =
        jmp_next(p, BPF_JNE, R3, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (r->major != CG_DEV_ANY)
    jumps[nj++] = jmp_next(p, BPF_JNE, R4, (int32_t)r->major);
  if (r->minor != CG_DEV_ANY)
    jumps[nj++] = jmp_next(p, BPF_JNE, R5, (int32_t)r->minor);
  if (r->allow) {
    /* These bits are allowed; done when nothing is left undecided. */
    alu_k(p, BPF_AND, R2, (int32_t)(~r->access & CG_DEV_ALL));
    jumps[nj++] = jmp_next(p, BPF_JNE, R2, 0);
    ret(p, 1);
  } else {
    /* Denied when it names a bit still undecided. */
    emit(p, BPF_ALU | BPF_MOV | BPF_X, R0, R2, 0, 0);
    alu_k(p, BPF_AND, R0, (int32_t)r->access);
    jumps[nj++] = jmp_next(p, BPF_JEQ, R0, 0);
    ret(p, 0);
  }
  if (p->oom)
    return;
  for (size_t i = 0; i < nj; i++)
    p->insns[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
}

int cg_bpf_dev_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **out,
                       size_t *count, struct husk_err *e)
{
  struct prog p = {0};
  /* Every block is at most 10 instructions; jump offsets are 16-bit and the
   * kernel takes up to a million instructions. */
  if (n > 2000)
    return herr(e, E2BIG, "linux.resources.devices: %zu rules (at most 2000 on cgroup v2)", n);
  prologue(&p);
  for (size_t i = n; i-- > 0;)
    rule_block(&p, &rules[i]);
  ret(&p, 0);
  if (p.oom) {
    free(p.insns);
    return herr(e, ENOMEM, "linux.resources.devices: eBPF program");
  }
  *out = p.insns;
  *count = p.n;
  return 0;
}
