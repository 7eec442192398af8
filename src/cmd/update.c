/* update: runc's flags (or a LinuxResources document) applied to a live
 * container's cgroup. Every value is validated before anything is changed. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "util/fs.h"

#define USAGE                                                                                  \
  "update [-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N] "                \
  "[--kernel-memory N] [--kernel-memory-tcp N] [--cpu-shares N] [--cpu-quota N] "              \
  "[--cpu-period N] [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpu-burst N] [--cpu-idle N] "  \
  "[--cpuset-cpus LIST] [--cpuset-mems LIST] [--pids-limit N] [--blkio-weight N] ID"

enum { U_MEM = 256, U_SWAP, U_RES, U_KMEM, U_KTCP, U_SHARES, U_QUOTA, U_PERIOD, U_RTPERIOD,
       U_RTRUNTIME, U_CPUS, U_MEMS, U_PIDS, U_BLKIO, U_BURST, U_IDLE, U_L3, U_MEMBW, U_LAST };

static const struct option opts[] = {
    {"resources", required_argument, NULL, 'r'},
    {"memory", required_argument, NULL, U_MEM},
    {"memory-swap", required_argument, NULL, U_SWAP},
    {"memory-reservation", required_argument, NULL, U_RES},
    {"kernel-memory", required_argument, NULL, U_KMEM},
    {"kernel-memory-tcp", required_argument, NULL, U_KTCP},
    {"cpu-shares", required_argument, NULL, U_SHARES},
    {"cpu-quota", required_argument, NULL, U_QUOTA},
    {"cpu-period", required_argument, NULL, U_PERIOD},
    {"cpu-rt-period", required_argument, NULL, U_RTPERIOD},
    {"cpu-rt-runtime", required_argument, NULL, U_RTRUNTIME},
    {"cpuset-cpus", required_argument, NULL, U_CPUS},
    {"cpuset-mems", required_argument, NULL, U_MEMS},
    {"pids-limit", required_argument, NULL, U_PIDS},
    {"blkio-weight", required_argument, NULL, U_BLKIO},
    {"cpu-burst", required_argument, NULL, U_BURST},
    {"cpu-idle", required_argument, NULL, U_IDLE},
    {"l3-cache-schema", required_argument, NULL, U_L3},
    {"mem-bw-schema", required_argument, NULL, U_MEMBW},
    HELP_OPTION,
    {NULL, 0, NULL, 0}};

struct update_cli {
  const char *resources;
  const char *val[U_LAST - U_MEM]; /* the last value of each flag, validated later */
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct update_cli *cli = ctx;
  if (c == 'r')
    cli->resources = arg;
  else if (c >= U_MEM && c < U_LAST)
    cli->val[c - U_MEM] = arg;
  return 0;
}

static const char *flag_name(int c)
{
  for (const struct option *o = opts; o->name; o++)
    if (o->val == c)
      return o->name;
  return "?";
}

/* docker/go-units RAMInBytes: "512", "64k", "1.5g", "100MiB"; runc also takes -1. */
static int parse_bytes(const char *s, int64_t *out)
{
  static const char units[] = "kmgtp";
  char *end;
  double v;
  if (strcmp(s, "-1") == 0) {
    *out = -1;
    return 0;
  }
  if (!isdigit((unsigned char)*s))
    return -1;
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s)
    return -1;
  if (*end == ' ')
    end++;
  if (*end && strchr(units, tolower((unsigned char)*end))) {
    for (const char *u = units; u <= strchr(units, tolower((unsigned char)*end)); u++)
      v *= 1024;
    end++;
    if (*end == 'i' || *end == 'I')
      end++;
  }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end || v > 9.2e18)
    return -1;
  *out = (int64_t)v;
  return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
  char *end;
  if (!isdigit((unsigned char)*s))
    return -1;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return errno || *end || *out > max ? -1 : 0;
}

static int parse_i64(const char *s, int64_t *out)
{
  char *end;
  if (!*s)
    return -1;
  errno = 0;
  *out = strtoll(s, &end, 10);
  return errno || *end ? -1 : 0;
}

static int set_memory(struct oci_resources *r, int c, const char *v)
{
  oci_opt_i64 *dst[] = {&r->memory.limit, &r->memory.swap, &r->memory.reservation,
                        &r->memory.kernel, &r->memory.kernel_tcp};
  int64_t n;
  if (parse_bytes(v, &n) < 0)
    return -1;
  dst[c - U_MEM]->set = true;
  dst[c - U_MEM]->value = n;
  r->has_memory = true;
  return 0;
}

static int set_u64(oci_opt_u64 *dst, const char *v, uint64_t max)
{
  dst->set = parse_u64(v, max, &dst->value) == 0;
  return dst->set ? 0 : -1;
}

static int set_i64(oci_opt_i64 *dst, const char *v)
{
  dst->set = parse_i64(v, &dst->value) == 0;
  return dst->set ? 0 : -1;
}

static int set_str(char **dst, const char *v)
{
  free(*dst);
  *dst = strdup(v);
  return *dst ? 0 : -1;
}

static int apply_flag(struct oci_resources *r, int c, const char *v)
{
  struct oci_cpu *cpu = &r->cpu;
  if (c <= U_KTCP)
    return set_memory(r, c, v);
  r->has_cpu |= c >= U_SHARES && c <= U_MEMS;
  r->has_cpu |= c == U_BURST || c == U_IDLE;
  switch (c) {
  case U_SHARES: return set_u64(&cpu->shares, v, UINT64_MAX);
  case U_QUOTA: return set_i64(&cpu->quota, v);
  case U_PERIOD: return set_u64(&cpu->period, v, UINT64_MAX);
  case U_RTPERIOD: return set_u64(&cpu->realtime_period, v, UINT64_MAX);
  case U_RTRUNTIME: return set_i64(&cpu->realtime_runtime, v);
  case U_CPUS: return set_str(&cpu->cpus, v);
  case U_MEMS: return set_str(&cpu->mems, v);
  case U_BURST: return set_u64(&cpu->burst, v, UINT64_MAX);
  case U_IDLE:
    return set_i64(&cpu->idle, v) < 0 || cpu->idle.value < 0 || cpu->idle.value > 1 ? -1 : 0;
  case U_PIDS:
    r->has_pids = true;
    return set_i64(&r->pids_limit, v);
  case U_BLKIO:
    r->has_block_io = true;
    if (set_u64(&r->block_io.weight, v, 1000) < 0)
      return -1;
    return r->block_io.weight.value == 0 || r->block_io.weight.value >= 10 ? 0 : -1;
  default: /* --l3-cache-schema, --mem-bw-schema: Intel RDT is not supported */
    return -2;
  }
}

static int read_resources(const char *path, struct oci_resources **out, struct husk_err *e)
{
  char *data = NULL, *msg = NULL;
  size_t len;
  int r;
  if (strcmp(path, "-") == 0)
    r = read_file_at(AT_FDCWD, "/dev/stdin", &data, &len, e);
  else
    r = read_file_at(AT_FDCWD, path, &data, &len, e);
  if (r < 0)
    return herr_wrap(e, "--resources");
  r = oci_resources_parse(data, len, strcmp(path, "-") == 0 ? "stdin" : path, out, &msg);
  free(data);
  return r < 0 ? herr_take(e, EINVAL, msg) : 0;
}

static int build(struct update_cli *cli, struct oci_resources **res, struct husk_err *e)
{
  if (cli->resources) {
    if (read_resources(cli->resources, res, e) < 0)
      return -1;
  } else if (!(*res = calloc(1, sizeof **res))) {
    return herr(e, ENOMEM, "update");
  }
  for (int c = U_MEM; c < U_LAST; c++) {
    const char *v = cli->val[c - U_MEM];
    int r = v ? apply_flag(*res, c, v) : 0;
    if (r == -2)
      return herr(e, ENOTSUP, "--%s: Intel RDT is not supported", flag_name(c));
    if (r < 0)
      return herr(e, EINVAL, "--%s: invalid value `%s`", flag_name(c), v);
  }
  return 0;
}

int cmd_update(struct husk_globals *g, int argc, char **argv)
{
  struct update_cli cli = {0};
  struct oci_resources *res = NULL;
  struct husk_err e = {0};
  struct container c = {.dirfd = -1};
  int r, first = cmd_parse(argc, argv, USAGE, opts, "r:", false, on_opt, &cli);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if ((r = cmd_need_args(argc, first, 1, false, USAGE, &e)) == 0 &&
      (r = build(&cli, &res, &e)) == 0 && (r = container_open(&c, g->root, argv[first], true, &e)) == 0) {
    const char *st = container_status(&c);
    if (strcmp(st, "stopped") == 0 || strcmp(st, "creating") == 0)
      r = herr(&e, EINVAL, "cannot update container `%s`: it is %s", c.id, st);
    else
      r = cgroup_update(&c.cgroup, res, &e);
  }
  container_close(&c);
  oci_resources_free(res);
  return r < 0 ? cmd_fail(&e) : 0;
}
