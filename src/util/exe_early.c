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
 * Rootless, open_tree() is refused (no CAP_SYS_ADMIN in our namespace). When
 * the user can write the binary (~/bin/husk), a child of ours in a user and
 * mount namespace of its own makes the read-only clone instead and leaves
 * it in our fd table, as exe_guard.c's userns_readonly_clone() does once the
 * C library is up; done here, the process about to be replaced does not
 * start the C library first. The child shares our memory and needs a stack
 * of its own, which only assembly can switch to (husk_early_clone).
 *
 * Constraints of code that runs before the C library: no libc calls, no TLS
 * (hence no stack protector, no errno), no sanitizer instrumentation, and in a
 * static-pie binary not relocated yet: no pointers stored in data, only
 * PC-relative references. Built with its own flags (see Makefile.am). */
#if defined(__x86_64__)

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* Whether HUSK_FAULT names `point` (util/fault.h; the tests force the
 * sealed-copy path with it). */
static int fault_set(char **envp, const char *point)
{
  for (char **e = envp; *e; e++) {
    if (!prefix(*e, "HUSK_FAULT="))
      continue;
    for (const char *c = *e + 11; *c; c++)
      if (prefix(c, point))
        return 1;
  }
  return 0;
}

static long make_readonly(long tree)
{
  struct mount_attr attr;
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV;
  attr.attr_clr = 0;
  attr.propagation = 0;
  attr.userns_fd = 0;
  return sys6(SYS_mount_setattr, tree, (long)"", AT_EMPTY_PATH, (long)&attr, sizeof attr);
}

/* What the child of userns_clone() works on: it shares our memory. */
struct ns_clone {
  const char *path; /* our exe's path */
  long self;        /* an fd of our exe */
  long tree;        /* out: the read-only detached mount */
};

/* In the child, in its new namespaces: our exe is a mount of the old mount
 * namespace, so reach it by its path, and check that the path still names
 * the same file. */
static int ns_clone_child(void *arg)
{
  struct ns_clone *q = arg;
  struct stat a, b;
  long tree =
      sys6(SYS_open_tree, AT_FDCWD, (long)q->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0, 0);
  if (tree < 0)
    return 1;
  if (sys6(SYS_fstat, tree, (long)&a, 0, 0, 0) < 0 ||
      sys6(SYS_fstat, q->self, (long)&b, 0, 0, 0) < 0 || a.st_dev != b.st_dev ||
      a.st_ino != b.st_ino || make_readonly(tree) < 0) {
    sys6(SYS_close, tree, 0, 0, 0, 0);
    return 1;
  }
  q->tree = tree;
  return 0;
}

long husk_early_clone(long flags, void *stack_top, int (*fn)(void *), void *arg);

/* The read-only clone made by a child in a user and mount namespace of its
 * own, or -1 (the user cannot write the binary, user namespaces are
 * refused, ...: exe_guard() decides). */
static long userns_clone(long self, char **envp)
{
  char path[4096], stack[8192];
  struct ns_clone q;
  long n, pid;
  if (sys6(SYS_access, (long)"/proc/self/exe", W_OK, 0, 0, 0) < 0 ||
      fault_set(envp, "exe-guard:no-userns"))
    return -1;
  n = sys6(SYS_readlink, (long)"/proc/self/exe", (long)path, sizeof path - 1, 0, 0);
  if (n <= 0)
    return -1;
  path[n] = 0;
  q.path = path;
  q.self = self;
  q.tree = -1;
  pid =
      husk_early_clone(CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD,
                       stack + sizeof stack, ns_clone_child, &q);
  if (pid < 0)
    return -1;
  while (sys6(SYS_wait4, pid, 0, 0, 0, 0) == -EINTR)
    ;
  return q.tree;
}

/* Called from the entry stub with the initial stack (argc, argv..., envp...). */
__attribute__((visibility("hidden"), used)) void husk_early(long *sp);
void husk_early(long *sp)
{
  char **argv = (char **)(sp + 1);
  char **envp = argv + sp[0] + 1;
  struct statfs st;
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
  if (tree == -EPERM)
    tree = userns_clone(self, envp); /* rootless */
  else if (tree >= 0 && make_readonly(tree) < 0) {
    sys6(SYS_close, tree, 0, 0, 0, 0);
    tree = -1;
  }
  sys6(SYS_close, self, 0, 0, 0, 0);
  if (tree < 0)
    return; /* exe_guard() decides */
  sys6(SYS_execveat, tree, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH);
  sys6(SYS_close, tree, 0, 0, 0, 0);
}

/* clone(flags) with the child running fn(arg) on stack_top and exiting with
 * its return value; the parent gets the child's pid (or -errno). fn and arg
 * are put on the child's stack before the syscall, as glibc's clone does. */
__asm__(".text\n"
        ".globl husk_early_clone\n"
        ".hidden husk_early_clone\n"
        ".type husk_early_clone,@function\n"
        "husk_early_clone:\n"
        "  .cfi_startproc\n"
        "  endbr64\n"
        "  and $-16, %rsi\n"
        "  sub $16, %rsi\n"
        "  mov %rdx, 0(%rsi)\n"
        "  mov %rcx, 8(%rsi)\n"
        "  xor %edx, %edx\n"
        "  xor %r10d, %r10d\n"
        "  xor %r8d, %r8d\n"
        "  mov $56, %eax\n" /* SYS_clone(flags, newsp, 0, 0, 0) */
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  pop %rax\n" /* the child, on its own stack */
        "  pop %rdi\n"
        "  call *%rax\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n" /* SYS_exit */
        "  syscall\n"
        "  hlt\n"
        "1:\n"
        "  ret\n"
        "  .cfi_endproc\n"
        ".size husk_early_clone, .-husk_early_clone\n");

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
