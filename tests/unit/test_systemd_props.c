/* The systemd driver's pure logic: cgroupsPath "slice:prefix:name", slice
 * expansion, property conversions and org.systemd.property.* annotations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_props.h"
#include "tap.h"

static void test_cgroups_path(void)
{
  struct sd_unit u;
  const char *why = NULL;
  ok(sd_cgroups_path_parse("machine.slice:libpod:abc", "id", false, &u, &why) == 0,
     "slice:prefix:name parses");
  ok_str(u.slice, "machine.slice", "slice kept");
  ok_str(u.unit, "libpod-abc.scope", "unit is prefix-name.scope");
  ok(sd_cgroups_path_parse(NULL, "c1", false, &u, &why) == 0, "no cgroupsPath");
  ok_str(u.slice, "system.slice", "default slice as root");
  ok_str(u.unit, "husk-c1.scope", "default unit husk-ID.scope");
  ok(sd_cgroups_path_parse("", "c1", true, &u, &why) == 0 && strcmp(u.slice, "user.slice") == 0,
     "default slice rootless is user.slice");
  ok(sd_cgroups_path_parse(":pfx:n", "c1", false, &u, &why) == 0 &&
         strcmp(u.slice, "system.slice") == 0 && strcmp(u.unit, "pfx-n.scope") == 0,
     "empty slice part is the default slice");
  ok(sd_cgroups_path_parse("a-b.slice::n", "c1", false, &u, &why) == 0 &&
         strcmp(u.unit, "n.scope") == 0,
     "empty prefix: name.scope");
  why = NULL;
  ok(sd_cgroups_path_parse("/sys/fs/cgroup/x", "c1", false, &u, &why) < 0 && why,
     "a plain path is rejected for systemd");
  why = NULL;
  ok(sd_cgroups_path_parse("a.slice:b:c:d", "c1", false, &u, &why) < 0 && why,
     "four parts rejected");
  why = NULL;
  ok(sd_cgroups_path_parse("a.slice:b:", "c1", false, &u, &why) < 0 && why, "empty name rejected");
  why = NULL;
  ok(sd_cgroups_path_parse("notaslice:b:c", "c1", false, &u, &why) < 0 && why,
     "slice without .slice rejected");
  why = NULL;
  ok(sd_cgroups_path_parse("a.slice:b:x/y", "c1", false, &u, &why) < 0 && why,
     "`/` in the name rejected");
  why = NULL;
  ok(sd_cgroups_path_parse("a.slice:b:c.slice", "c1", false, &u, &why) < 0 && why,
     "a .slice name is rejected (not supported)");
  why = NULL;
  ok(sd_cgroups_path_parse("a.slice:b:../../x", "c1", false, &u, &why) < 0 && why,
     "`..` cannot escape through the name");
}

static void test_slice_expand(void)
{
  char buf[256];
  const char *why = NULL;
  ok(sd_slice_expand("system.slice", buf, sizeof buf, &why) == 0, "system.slice expands");
  ok_str(buf, "/system.slice", "system.slice → /system.slice");
  sd_slice_expand("a-b-c.slice", buf, sizeof buf, &why);
  ok_str(buf, "/a.slice/a-b.slice/a-b-c.slice", "a-b-c.slice → its parents");
  ok(sd_slice_expand("-.slice", buf, sizeof buf, &why) == 0 && buf[0] == '\0',
     "-.slice is the root");
  ok(sd_slice_expand("a--b.slice", buf, sizeof buf, &why) < 0, "`--` rejected");
  ok(sd_slice_expand("a-.slice", buf, sizeof buf, &why) < 0, "trailing `-` rejected");
  ok(sd_slice_expand("-a.slice", buf, sizeof buf, &why) < 0, "leading `-` rejected");
  ok(sd_slice_expand("a/b.slice", buf, sizeof buf, &why) < 0, "`/` rejected");
  ok(sd_slice_expand("a.scope", buf, sizeof buf, &why) < 0, "not a slice rejected");
  ok(sd_slice_expand("a-b-c.slice", buf, 20, &why) < 0, "short buffer rejected");
}

static void test_quota(void)
{
  ok(sd_cpu_quota_per_sec(50000, 100000) == 500000, "50%% → 500000 us/s");
  ok(sd_cpu_quota_per_sec(200000, 100000) == 2000000, "2 CPUs → 2000000 us/s");
  ok(sd_cpu_quota_per_sec(1, 100000) == 10000, "tiny quota rounds up to 1%%");
  ok(sd_cpu_quota_per_sec(12345, 100000) == 130000, "123450 us/s rounds up to 130000");
  ok(sd_cpu_quota_per_sec(50000, 0) == 500000, "period 0 means 100000");
  ok(sd_cpu_quota_per_sec(-1, 100000) == SD_INFINITY, "quota -1 is infinity");
  ok(sd_cpu_quota_per_sec(0, 100000) == SD_INFINITY, "quota 0 (period only) is infinity");
}

static void test_cpuset(void)
{
  uint8_t *b;
  size_t n;
  const char *why = NULL;
  ok(sd_cpuset_to_bytes("0-3,8", &b, &n, &why) == 0 && n == 2 && b[0] == 0x0f && b[1] == 0x01,
     "0-3,8 → 0f 01");
  free(b);
  ok(sd_cpuset_to_bytes("1", &b, &n, &why) == 0 && n == 1 && b[0] == 0x02, "1 → 02");
  free(b);
  ok(sd_cpuset_to_bytes("63\n", &b, &n, &why) == 0 && n == 8 && b[7] == 0x80 && b[0] == 0,
     "63 → byte 7 bit 7 (trailing newline ok)");
  free(b);
  ok(sd_cpuset_to_bytes("", &b, &n, &why) == 0 && n == 0 && !b, "empty list → no bytes");
  ok(sd_cpuset_to_bytes("3-1", &b, &n, &why) < 0 && why, "reversed range rejected");
  ok(sd_cpuset_to_bytes("a", &b, &n, &why) < 0, "letters rejected");
  ok(sd_cpuset_to_bytes("1,", &b, &n, &why) == 0 && n == 1 && b[0] == 2, "trailing comma ok");
  free(b);
  ok(sd_cpuset_to_bytes("9000", &b, &n, &why) < 0, "cpu 9000 rejected");
}

static uint64_t u_of(const struct sd_props *p, const char *name)
{
  const struct sd_prop *x = sd_props_find(p, name);
  return x ? x->u : 0xdead;
}

static void test_resources_v2(void)
{
  struct oci_kv kv[] = {{"memory.high", "1048576"},
                        {"pids.max", "max"},
                        {"cpu.max", "25000 50000"},
                        {"io.stat", "x"}};
  struct oci_resources r = {
      .has_memory = true, .has_cpu = true, .has_pids = true, .has_block_io = true};
  struct sd_props p = {0};
  struct husk_err e = {0};
  r.memory.limit = (oci_opt_i64){true, 1 << 26};
  r.memory.reservation = (oci_opt_i64){true, 1 << 20};
  r.memory.swap = (oci_opt_i64){true, 3 << 25};
  r.cpu.shares = (oci_opt_u64){true, 1024};
  r.cpu.quota = (oci_opt_i64){true, 50000};
  r.cpu.period = (oci_opt_u64){true, 100000};
  r.cpu.cpus = "0-1";
  r.pids_limit = (oci_opt_i64){true, 42};
  r.block_io.weight = (oci_opt_u64){true, 500};
  ok(sd_props_from_resources(&r, true, &p, &e) == 0, "v2 resources convert");
  ok(u_of(&p, "MemoryMax") == 1 << 26, "MemoryMax");
  ok(u_of(&p, "MemoryLow") == 1 << 20, "MemoryLow from reservation");
  ok(u_of(&p, "MemorySwapMax") == (3u << 25) - (1u << 26), "MemorySwapMax = swap - limit");
  ok(u_of(&p, "CPUWeight") == 39, "CPUWeight from shares 1024");
  ok(u_of(&p, "CPUQuotaPerSecUSec") == 500000, "CPUQuotaPerSecUSec");
  ok(u_of(&p, "CPUQuotaPeriodUSec") == 100000, "CPUQuotaPeriodUSec");
  ok(u_of(&p, "TasksMax") == 42, "TasksMax");
  ok(u_of(&p, "IOWeight") == 4950, "IOWeight from blkio weight 500");
  ok(sd_props_find(&p, "AllowedCPUs") && sd_props_find(&p, "AllowedCPUs")->n_bytes == 1 &&
         sd_props_find(&p, "AllowedCPUs")->bytes[0] == 3,
     "AllowedCPUs bytes");
  ok(!sd_props_find(&p, "CPUShares") && !sd_props_find(&p, "MemoryLimit"), "no v1 names on v2");
  sd_props_free(&p);

  r = (struct oci_resources){.unified = {4, kv}};
  ok(sd_props_from_resources(&r, true, &p, &e) == 0, "unified map converts");
  ok(u_of(&p, "MemoryHigh") == 1048576, "unified memory.high → MemoryHigh");
  ok(u_of(&p, "TasksMax") == SD_INFINITY, "unified pids.max max → infinity");
  ok(u_of(&p, "CPUQuotaPerSecUSec") == 500000 && u_of(&p, "CPUQuotaPeriodUSec") == 50000,
     "unified cpu.max → quota per second + period");
  ok(p.n == 4, "keys without a property (io.stat) are left to the files");
  sd_props_free(&p);

  kv[0].value = "lots";
  r = (struct oci_resources){.unified = {1, kv}};
  ok(sd_props_from_resources(&r, true, &p, &e) < 0 && e.msg && strstr(e.msg, "memory.high"),
     "bad unified value names the key");
  herr_clear(&e);
  sd_props_free(&p);
}

static void test_resources_v1(void)
{
  struct oci_resources r = {
      .has_memory = true, .has_cpu = true, .has_pids = true, .has_block_io = true};
  struct sd_props p = {0};
  struct husk_err e = {0};
  r.memory.limit = (oci_opt_i64){true, -1};
  r.cpu.shares = (oci_opt_u64){true, 512};
  r.cpu.quota = (oci_opt_i64){true, -1};
  r.pids_limit = (oci_opt_i64){true, -1};
  r.block_io.weight = (oci_opt_u64){true, 300};
  r.cpu.cpus = "0";
  ok(sd_props_from_resources(&r, false, &p, &e) == 0, "v1 resources convert");
  ok(u_of(&p, "MemoryLimit") == SD_INFINITY, "MemoryLimit -1 → infinity");
  ok(u_of(&p, "CPUShares") == 512, "CPUShares kept");
  ok(u_of(&p, "CPUQuotaPerSecUSec") == SD_INFINITY, "quota -1 → infinity");
  ok(u_of(&p, "TasksMax") == SD_INFINITY, "pids -1 → infinity");
  ok(u_of(&p, "BlockIOWeight") == 300, "BlockIOWeight kept");
  ok(!sd_props_find(&p, "AllowedCPUs"), "no AllowedCPUs on v1 (cpuset is written directly)");
  sd_props_free(&p);

  r = (struct oci_resources){.has_memory = true};
  r.memory.limit = (oci_opt_i64){true, 100};
  r.memory.swap = (oci_opt_i64){true, 50};
  ok(sd_props_from_resources(&r, true, &p, &e) < 0 && e.msg && strstr(e.msg, "memory.swap"),
     "swap below limit is an error naming memory.swap");
  herr_clear(&e);
  sd_props_free(&p);
}

static int annotations(const char *key, const char *value, struct sd_props *p, struct husk_err *e)
{
  struct oci_kv kv[] = {{"other.annotation", "x"}, {(char *)key, (char *)value}};
  struct oci_map m = {2, kv};
  return sd_props_from_annotations(&m, p, e);
}

static void test_annotations(void)
{
  struct sd_props p = {0};
  struct husk_err e = {0};
  const struct sd_prop *x;
  ok(annotations("org.systemd.property.TimeoutStopUSec", "uint64 123456789", &p, &e) == 0 &&
         p.n == 1 && (x = sd_props_find(&p, "TimeoutStopUSec")) && x->type == 't' &&
         x->u == 123456789,
     "uint64 N");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.TimeoutStopSec", "5", &p, &e) == 0 &&
         (x = sd_props_find(&p, "TimeoutStopUSec")) && x->u == 5000000,
     "NAMESec in seconds → NAMEUSec");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.RuntimeMaxSec", "1.5", &p, &e) == 0 &&
         (x = sd_props_find(&p, "RuntimeMaxUSec")) && x->u == 1500000,
     "fractional seconds");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.CollectMode", "'inactive-or-failed'", &p, &e) == 0 &&
         (x = sd_props_find(&p, "CollectMode")) && x->type == 's' &&
         strcmp(x->s, "inactive-or-failed") == 0,
     "quoted string");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.IgnoreOnIsolate", "true", &p, &e) == 0 &&
         (x = sd_props_find(&p, "IgnoreOnIsolate")) && x->type == 'b' && x->b,
     "boolean");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.Nice", "@i -5", &p, &e) == 0 &&
         (x = sd_props_find(&p, "Nice")) && x->type == 'i' && x->i == -5,
     "@i signed");
  sd_props_free(&p);
  ok(annotations("org.systemd.property.Foo", "12", &p, &e) < 0 && e.msg, "untyped number rejected");
  herr_clear(&e);
  sd_props_free(&p);
  ok(annotations("org.systemd.property.PIDs", "@u 1", &p, &e) < 0 && e.msg && strstr(e.msg, "PIDs"),
     "PIDs is reserved");
  herr_clear(&e);
  sd_props_free(&p);
  ok(annotations("org.systemd.property.bad-name", "true", &p, &e) < 0, "bad name rejected");
  herr_clear(&e);
  sd_props_free(&p);
  ok(annotations("org.systemd.property.CPUWeight", "uint32 99999999999", &p, &e) < 0,
     "uint32 overflow rejected");
  herr_clear(&e);
  sd_props_free(&p);
}

static const char *allow_of(const struct sd_props *p, const char *path)
{
  const struct sd_prop *x = sd_props_find(p, "DeviceAllow");
  for (size_t i = 0; x && i < x->n_pairs; i++)
    if (strcmp(x->pairs[2 * i], path) == 0)
      return x->pairs[2 * i + 1];
  return NULL;
}

static void test_devices(void)
{
  struct sd_props p = {0};
  struct husk_err e = {0};
  bool inexact = true;
  struct oci_resources r = {0};
  struct oci_device_rule rules[3] = {
      {.allow = false, .access = "rwm"},
      {.allow = true, .type = "c", .major = {true, 1}, .minor = {true, 3}, .access = "rwm"},
      {.allow = false, .type = "c", .major = {true, 1}, .minor = {true, 5}, .access = "rwm"}};
  ok(sd_props_devices(&r, &p, &inexact, &e) == 0 && !inexact, "default rules convert exactly");
  ok(sd_props_find(&p, "DevicePolicy") &&
         strcmp(sd_props_find(&p, "DevicePolicy")->s, "strict") == 0,
     "DevicePolicy=strict");
  ok(p.n == 3 && p.items[1].type == 'A' && p.items[1].n_pairs == 0,
     "an empty DeviceAllow first (resets the list on update)");
  ok_str(allow_of(&p, "/dev/char/1:3"), "rwm", "/dev/null (1:3) rwm");
  ok_str(allow_of(&p, "char-136"), "rwm", "pts: char-136 (any minor)");
  ok_str(allow_of(&p, "char-*"), "m", "mknod of any char device");
  ok_str(allow_of(&p, "block-*"), "m", "mknod of any block device");
  ok_str(allow_of(&p, "/dev/char/10:200"), "rwm", "tun 10:200");
  sd_props_free(&p);

  r.n_devices = 3;
  r.devices = rules;
  ok(sd_props_devices(&r, &p, &inexact, &e) == 0, "deny after allow converts");
  ok(!allow_of(&p, "/dev/char/1:5"), "a later deny removes /dev/zero");
  ok_str(allow_of(&p, "/dev/char/1:3"), "rwm", "/dev/null kept");
  ok(!allow_of(&p, "char-*") && inexact,
     "mknod of any char, narrowed by the deny, is left out and reported inexact");
  sd_props_free(&p);

  rules[1] = (struct oci_device_rule){.allow = true, .type = "a", .access = "rwm"};
  r.n_devices = 2;
  ok(sd_props_devices(&r, &p, &inexact, &e) == 0 && !inexact, "allow all converts exactly");
  ok_str(allow_of(&p, "char-*"), "rwm", "char-* rwm");
  ok_str(allow_of(&p, "block-*"), "rwm", "block-* rwm");
  sd_props_free(&p);

  rules[1] = (struct oci_device_rule){
      .allow = true, .type = "c", .major = {true, -1}, .minor = {true, 7}, .access = "r"};
  ok(sd_props_devices(&r, &p, &inexact, &e) == 0 && inexact, "`*:7` cannot be expressed");
  sd_props_free(&p);

  rules[1] = (struct oci_device_rule){.allow = true, .type = "x", .access = "r"};
  ok(sd_props_devices(&r, &p, &inexact, &e) < 0 && e.msg && strstr(e.msg, "devices[1]"),
     "an invalid rule is an error naming it");
  herr_clear(&e);
  sd_props_free(&p);
}

int main(void)
{
  test_devices();
  test_cgroups_path();
  test_slice_expand();
  test_quota();
  test_cpuset();
  test_resources_v2();
  test_resources_v1();
  test_annotations();
  return tap_done();
}
