/* Helpers shared by the v1 and v2 resource appliers: cgroup file writes with
 * errors that name the limit, and the pure value conversions. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/device_rules.h"
#include "cgroups/resources.h"

uint64_t cg_shares_to_weight(uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_v2(int64_t limit, int64_t swap, int64_t *out, const char **why)
{
  /* memory unlimited and swap unset: both unlimited (v1 compatibility). */
  if (limit == -1 && swap == 0) {
    *out = -1;
    return 1;
  }
  if (swap == 0)
    return 0;
  if (swap == -1) {
    *out = -1;
    return 1;
  }
  if (limit == 0 || limit == -1) {
    *why = "unable to set a swap limit without a memory limit";
    return -1;
  }
  if (limit < 0 || swap < 0) {
    *why = "negative memory value";
    return -1;
  }
  if (swap < limit) {
    *why = "memory+swap limit must be >= memory limit";
    return -1;
  }
  *out = swap - limit;
  return 1;
}

int cg_device_rule_format(const struct oci_device_rule *r, char *buf, size_t len,
                          const char **why)
{
  struct cg_dev_rule d;
  if (cg_dev_rule_parse(r, &d, why) < 0)
    return -1;
  if (cg_dev_rule_format(&d, buf, len) < 0) {
    *why = "rule too long";
    return -1;
  }
  return 0;
}

int cg_unified_key_check(const char *key, const char **why)
{
  if (!key || !*key) {
    *why = "empty key";
    return -1;
  }
  if (strchr(key, '/')) {
    *why = "must not contain `/`";
    return -1;
  }
  if (key[0] == '.') {
    *why = "must not start with `.`";
    return -1;
  }
  if (!strchr(key, '.')) {
    *why = "must be <controller>.<file>";
    return -1;
  }
  return 0;
}

void cg_unified_key_controller(const char *key, char *buf, size_t len)
{
  size_t n = strcspn(key, ".");
  if (n >= len)
    n = len - 1;
  memcpy(buf, key, n);
  buf[n] = '\0';
  if (strcmp(buf, "cgroup") == 0)
    buf[0] = '\0';
}

void cg_fmt_max(int64_t v, char *buf, size_t len)
{
  if (v < 0)
    snprintf(buf, len, "max");
  else
    snprintf(buf, len, "%" PRId64, v);
}

bool cg_file_exists(const char *dir, const char *file)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  return access(path, F_OK) == 0;
}

int cg_write(const char *dir, const char *file, const char *val, const char *limit,
             struct husk_err *e)
{
  char path[PATH_MAX];
  struct stat st;
  if (stat(dir, &st) < 0)
    return herr(e, ENOENT, "%s: cgroup %s does not exist (controller not mounted)", limit, dir);
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT)
    return herr(e, ENOENT, "%s: %s is missing (controller or feature not available)", limit,
                path);
  if (fd < 0)
    return herr_sys(e, "%s: open %s", limit, path);
  ssize_t n = write(fd, val, strlen(val));
  int saved = errno;
  close(fd);
  if (n < 0)
    return herr(e, saved, "%s: write `%s` to %s", limit, val, path);
  return 0;
}

int cg_write_i64(const char *dir, const char *file, int64_t v, const char *limit,
                 struct husk_err *e)
{
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v);
  return cg_write(dir, file, buf, limit, e);
}

int cg_read_i64(const char *dir, const char *file, int64_t *out)
{
  char path[PATH_MAX], buf[64];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  if (strncmp(buf, "max", 3) == 0) {
    *out = INT64_MAX;
    return 0;
  }
  return sscanf(buf, "%" SCNd64, out) == 1 ? 0 : -1;
}

int cg_check_before_update(const char *dir, const char *usage_file, const struct oci_memory *m,
                           struct husk_err *e)
{
  int64_t usage;
  if (!m->check_before_update.set || !m->check_before_update.value || !m->limit.set ||
      m->limit.value < 0)
    return 0;
  if (cg_read_i64(dir, usage_file, &usage) < 0)
    return herr_sys(e, "linux.resources.memory.checkBeforeUpdate: read %s/%s", dir, usage_file);
  if (m->limit.value < usage)
    return herr(e, EBUSY,
                "linux.resources.memory.limit: %" PRId64 " is below the current usage %" PRId64
                " (%s; checkBeforeUpdate is set)",
                m->limit.value, usage, usage_file);
  return 0;
}
