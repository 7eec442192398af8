/* Loading and attaching the v2 device program with the raw bpf() syscall
 * (no libbpf). Attached with BPF_F_ALLOW_MULTI, as runc does: programs of
 * the ancestors keep running too, and an update replaces our old program
 * (BPF_F_REPLACE) without a moment where the cgroup has no filter. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups/bpf_devices.h"

#define LIMIT "linux.resources.devices"
#define MAX_OLD 64

static int sys_bpf(int cmd, union bpf_attr *a)
{
  return (int)syscall(SYS_bpf, cmd, a, sizeof *a);
}

/* The last line of the verifier's log says why a program was rejected. */
static const char *log_tail(char *log)
{
  size_t n = strlen(log);
  while (n && log[n - 1] == '\n')
    log[--n] = '\0';
  char *nl = strrchr(log, '\n');
  return nl ? nl + 1 : log;
}

static int load_error(int err, struct husk_err *e)
{
  struct rlimit rl = {0};
  getrlimit(RLIMIT_MEMLOCK, &rl);
  if (err == EPERM)
    return herr(e, err,
                LIMIT ": load the cgroup v2 device filter (bpf BPF_PROG_LOAD of a "
                      "BPF_PROG_TYPE_CGROUP_DEVICE program): needs CAP_SYS_ADMIN or CAP_BPF; "
                      "kernels before 5.11 also charge it to RLIMIT_MEMLOCK (now %llu bytes), "
                      "which husk does not raise",
                (unsigned long long)rl.rlim_cur);
  return herr(e, err, LIMIT ": load the cgroup v2 device filter (bpf BPF_PROG_LOAD)");
}

static int load(const struct bpf_insn *insns, size_t n, struct husk_err *e)
{
  union bpf_attr a;
  static char log[16384];
  int fd, err;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uintptr_t)insns;
  a.insn_cnt = (uint32_t)n;
  a.license = (uintptr_t) "Apache-2.0";
  fd = sys_bpf(BPF_PROG_LOAD, &a);
  if (fd >= 0 || (errno != EINVAL && errno != EACCES))
    return fd >= 0 ? fd : load_error(errno, e);
  err = errno; /* rejected by the verifier: load again for its log */
  log[0] = '\0';
  a.log_buf = (uintptr_t)log;
  a.log_size = sizeof log;
  a.log_level = 1;
  fd = sys_bpf(BPF_PROG_LOAD, &a);
  if (fd >= 0)
    return fd;
  return herr(e, err,
              LIMIT ": the kernel rejected the cgroup v2 device filter (%zu "
                    "instructions): %s",
              n, log[0] ? log_tail(log) : "no verifier log");
}

/* The ids of the device programs attached to the cgroup itself. */
static int query(int cgfd, uint32_t *ids, uint32_t *n, const char *dir, struct husk_err *e)
{
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.query.target_fd = (uint32_t)cgfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uintptr_t)ids;
  a.query.prog_cnt = *n;
  if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
    return herr_sys(e, LIMIT ": list the device programs of %s (bpf BPF_PROG_QUERY)", dir);
  *n = a.query.prog_cnt;
  return 0;
}

static int attach(int cgfd, int progfd, int replace_fd)
{
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)cgfd;
  a.attach_bpf_fd = (uint32_t)progfd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (replace_fd >= 0) {
    a.attach_flags |= BPF_F_REPLACE;
    a.replace_bpf_fd = (uint32_t)replace_fd;
  }
  return sys_bpf(BPF_PROG_ATTACH, &a);
}

static int prog_fd_by_id(uint32_t id)
{
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_id = id;
  return sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
}

static int detach(int cgfd, uint32_t id, const char *dir, struct husk_err *e)
{
  union bpf_attr a;
  int fd = prog_fd_by_id(id);
  if (fd < 0)
    return errno == ENOENT ? 0 : herr_sys(e, LIMIT ": open the old device program %u", id);
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)cgfd;
  a.attach_bpf_fd = (uint32_t)fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  int r = sys_bpf(BPF_PROG_DETACH, &a);
  int err = errno;
  close(fd);
  if (r < 0 && err != ENOENT)
    return herr(e, err, LIMIT ": detach the old device program %u from %s", id, dir);
  return 0;
}

/* One old program: replaced in place. Otherwise the new one is attached
 * first and the old ones detached after (never a moment without filter). */
static int swap_in(int cgfd, int progfd, const char *dir, struct husk_err *e)
{
  uint32_t ids[MAX_OLD], n = MAX_OLD;
  if (query(cgfd, ids, &n, dir, e) < 0)
    return -1;
  if (n == 1) {
    int old = prog_fd_by_id(ids[0]);
    int r = old >= 0 ? attach(cgfd, progfd, old) : -1;
    if (old >= 0)
      close(old);
    if (r == 0)
      return 0; /* otherwise (kernel < 5.6: no BPF_F_REPLACE) attach then detach */
  }
  if (attach(cgfd, progfd, -1) < 0)
    return herr_sys(e, LIMIT ": attach the device filter to %s (bpf BPF_PROG_ATTACH)", dir);
  for (uint32_t i = 0; i < n && i < MAX_OLD; i++)
    if (detach(cgfd, ids[i], dir, e) < 0)
      return -1;
  return 0;
}

int cg_bpf_dev_apply(const char *cgdir, const struct cg_dev_rule *rules, size_t n,
                     struct husk_err *e)
{
  struct bpf_insn *insns = NULL;
  size_t count = 0;
  int progfd, cgfd, r;
  if (cg_bpf_dev_program(rules, n, &insns, &count, e) < 0)
    return -1;
  progfd = load(insns, count, e);
  free(insns);
  if (progfd < 0)
    return -1;
  cgfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgfd < 0) {
    close(progfd);
    return herr_sys(e, LIMIT ": open cgroup %s", cgdir);
  }
  r = swap_in(cgfd, progfd, cgdir, e);
  close(cgfd);
  close(progfd); /* the attachment keeps the program alive until rmdir */
  return r;
}
