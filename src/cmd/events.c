/* events: JSON lines of cgroup stats, once (--stats) or every --interval
 * until the container stops. Kept small: pids, memory and cpu usage. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "oci_json.h"
#include "util/fs.h"

#define USAGE "events [--stats] [--interval DURATION] ID"
#define CG_ROOT "/sys/fs/cgroup"

struct events_cli {
  bool stats;
  long long interval_ms;
};

static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
                                     {"interval", required_argument, NULL, 'i'},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

/* Go durations: "5s", "100ms", "1.5s", "2m", "1h". */
static long long parse_duration_ms(const char *s)
{
  static const struct {
    const char *unit;
    double ms;
  } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  char *end;
  double v;
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || v <= 0)
    return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(end, units[i].unit) == 0)
      return (long long)(v * units[i].ms) > 0 ? (long long)(v * units[i].ms) : -1;
  return -1;
}

static int on_opt(int c, const char *arg, void *ctx)
{
  struct events_cli *cli = ctx;
  if (c == 's')
    cli->stats = true;
  if (c == 'i' && (cli->interval_ms = parse_duration_ms(arg)) < 0) {
    fprintf(stderr, "husk events: --interval: invalid duration `%s` (e.g. 5s, 500ms)\n", arg);
    return -1;
  }
  return 0;
}

/* The first number in <controller dir>/<file>; -1 when unreadable or "max". */
static long long read_num(const struct cgroup *cg, const char *v1ctl, const char *file,
                          const char *key)
{
  char path[PATH_MAX], *data = NULL, *p;
  long long v = -1;
  cgroup_file(cg, v1ctl, file, path, sizeof path);
  if (read_file_at(AT_FDCWD, path, &data, NULL, NULL) < 0)
    return -1;
  p = key ? strstr(data, key) : data;
  if (p && key)
    p += strlen(key);
  if (p && *p >= '0' && *p <= '9')
    v = strtoll(p, NULL, 10);
  free(data);
  return v;
}

static void kv_num(struct oci_json_gen *g, const char *key, long long v)
{
  if (v >= 0)
    oci_json_kv_int(g, key, v);
}

static char *stats_json(const struct container *c)
{
  const struct cgroup *cg = &c->cgroup;
  bool v2 = cgroup_is_v2(cg);
  struct oci_json_gen *g = oci_json_gen_new(false);
  long long cpu = v2 ? read_num(cg, "", "cpu.stat", "usage_usec ")
                     : read_num(cg, "cpuacct", "cpuacct.usage", NULL);
  char *out;
  oci_json_map_open(g);
  oci_json_kv_string(g, "type", "stats");
  oci_json_kv_string(g, "id", c->id);
  oci_json_key(g, "data");
  oci_json_map_open(g);
  oci_json_key(g, "cpu");
  oci_json_map_open(g);
  oci_json_key(g, "usage");
  oci_json_map_open(g);
  kv_num(g, "total", v2 && cpu >= 0 ? cpu * 1000 : cpu); /* nanoseconds, as runc */
  oci_json_map_close(g);
  oci_json_map_close(g);
  oci_json_key(g, "memory");
  oci_json_map_open(g);
  oci_json_key(g, "usage");
  oci_json_map_open(g);
  kv_num(g, "usage", read_num(cg, "memory", v2 ? "memory.current" : "memory.usage_in_bytes", NULL));
  kv_num(g, "limit", read_num(cg, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", NULL));
  oci_json_map_close(g);
  oci_json_map_close(g);
  oci_json_key(g, "pids");
  oci_json_map_open(g);
  kv_num(g, "current", read_num(cg, "pids", "pids.current", NULL));
  kv_num(g, "limit", read_num(cg, "pids", "pids.max", NULL));
  oci_json_map_close(g);
  oci_json_map_close(g);
  oci_json_map_close(g);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}

static int emit(struct container *c, struct husk_err *e)
{
  char *json;
  if (strcmp(container_status(c), "stopped") == 0)
    return herr(e, ESRCH, "container `%s` is not running", c->id);
  if (c->cgroup.manager == CG_MANAGER_DISABLED || !c->cgroup.path)
    return herr(e, ENOTSUP, "events: container `%s` has no cgroup", c->id);
  if (!(json = stats_json(c)))
    return herr(e, ENOMEM, "events");
  puts(json);
  fflush(stdout);
  free(json);
  return 0;
}

int cmd_events(struct husk_globals *g, int argc, char **argv)
{
  struct events_cli cli = {.interval_ms = 5000};
  struct husk_err e = {0};
  struct container c;
  int r, first = cmd_parse(argc, argv, USAGE, opts, "", false, on_opt, &cli);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  if (container_open(&c, g->root, argv[first], false, &e) < 0)
    return cmd_fail(&e);
  r = emit(&c, &e);
  while (r == 0 && !cli.stats) {
    struct timespec ts = {cli.interval_ms / 1000, (cli.interval_ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
    if (strcmp(container_status(&c), "stopped") == 0)
      break; /* runc: the stream ends with the container */
    r = emit(&c, &e);
  }
  container_close(&c);
  return r < 0 ? cmd_fail(&e) : 0;
}
