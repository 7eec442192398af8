/* The CVE-2019-5736 guard's fast path, before the C library starts.
 *
 * create, run, exec and restore re-execute husk from a read-only detached
 * bind mount of its own binary (util/exe_guard.c). Doing that from main()
 * pays the C library's start-up twice; on a VM, where every cpuid traps,
 * glibc's start-up alone costs about 0.5 ms. This file is husk's ELF entry
 * point (-Wl,-e,husk_early_entry): with raw syscalls only, it makes the same
 * read-only clone and re-executes from it before glibc initialises, then
 * jumps to the normal _start. It is only a shortcut: when anything here fails
 * or does not apply, exe_guard() in main() does the full job (sealed copy
 * fallback, classification) as before.
 *
 * Constraints of code that runs before the C library: no libc calls, no TLS
 * (hence no stack protector, no errno), no sanitizer instrumentation, and in a
 * static-pie binary not relocated yet: no pointers stored in data, only
 * PC-relative references. Built with its own flags (see Makefile.am). */
#if defined(__x86_64__)

#include <fcntl.h>
#include <linux/mount.h>
#include <stddef.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

static long sys6(long n, long a, long b, long c, long d, long e)
{
  long r;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return r;
}

static int same(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return *a == *b;
}

static int prefix(const char *s, const char *p)
{
  while (*p && *s == *p)
    s++, p++;
  return *p == '\0';
}

/* The global options of main.c that take a separate value (-x or --x, no '='). */
static int takes_value(const char *a)
{
  while (*a == '-')
    a++;
  return same(a, "root") || same(a, "log") || same(a, "log-format") || same(a, "log-level") ||
         same(a, "cgroup-manager") || same(a, "rootless");
}

/* Whether the command (the first non-option argument) enters a container.
 * Getting this wrong costs nothing but time: main() checks again. */
static int enters_container(char **argv)
{
  for (char **a = argv + 1; *a; a++) {
    if ((*a)[0] == '-') {
      if (!prefix(*a, "--") || (*a)[2]) {
        int has_eq = 0;
        for (const char *c = *a; *c; c++)
          has_eq |= *c == '=';
        if (!has_eq && takes_value(*a) && a[1])
          a++;
        continue;
      }
      return 0; /* "--": no command follows in husk's syntax */
    }
    return same(*a, "create") || same(*a, "run") || same(*a, "exec") || same(*a, "restore");
  }
  return 0;
}

/* Called from the entry stub with the initial stack (argc, argv..., envp...). */
__attribute__((visibility("hidden"), used)) void husk_early(long *sp);
void husk_early(long *sp)
{
  char **argv = (char **)(sp + 1);
  char **envp = argv + sp[0] + 1;
  struct statfs st;
  struct mount_attr attr;
  long self, tree;
  if (sp[0] < 2 || !enters_container(argv))
    return;
  self = sys6(SYS_open, (long)"/proc/self/exe", O_PATH | O_CLOEXEC, 0, 0, 0);
  if (self < 0)
    return;
  if (sys6(SYS_fstatfs, self, (long)&st, 0, 0, 0) == 0 && (st.f_flags & ST_RDONLY)) {
    sys6(SYS_close, self, 0, 0, 0, 0); /* already read-only (or re-executed): nothing to do */
    return;
  }
  tree = sys6(SYS_open_tree, self, (long)"", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH, 0,
              0);
  sys6(SYS_close, self, 0, 0, 0, 0);
  if (tree < 0)
    return; /* e.g. no CAP_SYS_ADMIN: exe_guard() decides */
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV;
  attr.attr_clr = 0;
  attr.propagation = 0;
  attr.userns_fd = 0;
  if (sys6(SYS_mount_setattr, tree, (long)"", AT_EMPTY_PATH, (long)&attr, sizeof attr) == 0)
    sys6(SYS_execveat, tree, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH);
  sys6(SYS_close, tree, 0, 0, 0, 0);
}

/* The ELF entry: call husk_early with the kernel's stack pointer, restore
 * every register the C library's _start reads (rsp, rdx), then go there. */
__asm__(".text\n"
        ".globl husk_early_entry\n"
        ".type husk_early_entry,@function\n"
        "husk_early_entry:\n"
        "  .cfi_startproc\n"
        "  .cfi_undefined rip\n"
        "  endbr64\n"
        "  mov %rsp, %rbx\n"
        "  mov %rdx, %r12\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call husk_early\n"
        "  mov %rbx, %rsp\n"
        "  mov %r12, %rdx\n"
        "  xor %ebx, %ebx\n"
        "  xor %r12d, %r12d\n"
        "  jmp _start\n"
        "  .cfi_endproc\n"
        ".size husk_early_entry, .-husk_early_entry\n");

#endif
