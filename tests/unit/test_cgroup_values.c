/* Pure conversions used when writing linux.resources into cgroup files. */
#include <stdint.h>
#include <stdio.h>

#include "cgroups/cgroup_sub.h"
#include "cgroups/resources.h"
#include "tap.h"

static void test_shares(void)
{
  ok(cg_shares_to_weight(0) == 0, "shares 0 -> no write");
  ok(cg_shares_to_weight(2) == 1, "shares 2 -> weight 1");
  ok(cg_shares_to_weight(1024) == 39, "shares 1024 -> weight 39 (crun)");
  ok(cg_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
  ok(cg_shares_to_weight(1) == 1, "shares below 2 clamp");
  ok(cg_shares_to_weight(1u << 30) == 10000, "shares above max clamp");
  ok(cg_blkio_to_io_weight(10) == 1 && cg_blkio_to_io_weight(1000) == 10000 &&
         cg_blkio_to_io_weight(500) == 4950,
     "blkio weight -> io.weight");
}

static void test_swap(void)
{
  int64_t out = 0;
  const char *why = NULL;
  ok(cg_swap_v2(100, 300, &out, &why) == 1 && out == 200, "swap 300 limit 100 -> 200");
  ok(cg_swap_v2(100, 100, &out, &why) == 1 && out == 0, "swap == limit -> 0 (no swap)");
  ok(cg_swap_v2(100, -1, &out, &why) == 1 && out == -1, "swap -1 -> max");
  ok(cg_swap_v2(-1, 0, &out, &why) == 1 && out == -1, "unlimited memory, unset swap -> max");
  ok(cg_swap_v2(100, 0, &out, &why) == 0, "swap unset -> nothing to write");
  ok(cg_swap_v2(0, 300, &out, &why) == -1 && why, "swap without limit is an error");
  why = NULL;
  ok(cg_swap_v2(300, 100, &out, &why) == -1 && why, "swap below limit is an error");
}

static void test_devices(void)
{
  char buf[64];
  const char *why = NULL;
  struct oci_device_rule all = {.allow = false, .access = "rwm"};
  struct oci_device_rule null = {.allow = true, .type = "c", .major = {true, 1},
                                 .minor = {true, 3}, .access = "rw"};
  struct oci_device_rule anyminor = {.type = "b", .major = {true, 8}, .minor = {true, -1},
                                     .access = "m"};
  struct oci_device_rule badtype = {.type = "x", .access = "r"};
  struct oci_device_rule badacc = {.type = "c", .access = "rx"};
  ok(cg_device_rule_format(&all, buf, sizeof buf, &why) == 0, "deny-all formats");
  ok_str(buf, "a", "deny-all is `a`");
  cg_device_rule_format(&null, buf, sizeof buf, &why);
  ok_str(buf, "c 1:3 rw", "char 1:3 rw");
  cg_device_rule_format(&anyminor, buf, sizeof buf, &why);
  ok_str(buf, "b 8:* m", "minor -1 is *");
  ok(cg_device_rule_format(&badtype, buf, sizeof buf, &why) < 0 && why, "bad type rejected");
  why = NULL;
  ok(cg_device_rule_format(&badacc, buf, sizeof buf, &why) < 0 && why, "bad access rejected");
  ok(cg_device_rule_format(&null, buf, 4, &why) < 0, "short buffer rejected");
}

static void test_unified(void)
{
  const char *why = NULL;
  char ctrl[32];
  ok(cg_unified_key_check("memory.high", &why) == 0, "memory.high accepted");
  ok(cg_unified_key_check("../memory.max", &why) < 0, "`../` rejected");
  ok(cg_unified_key_check("a/b.c", &why) < 0, "`/` rejected");
  ok(cg_unified_key_check(".hidden", &why) < 0, "leading `.` rejected");
  ok(cg_unified_key_check("..", &why) < 0, "`..` rejected");
  ok(cg_unified_key_check("", &why) < 0, "empty rejected");
  ok(cg_unified_key_check("nodot", &why) < 0 && why, "no controller prefix rejected");
  cg_unified_key_controller("memory.high", ctrl, sizeof ctrl);
  ok_str(ctrl, "memory", "controller of memory.high");
  cg_unified_key_controller("cgroup.freeze", ctrl, sizeof ctrl);
  ok_str(ctrl, "", "cgroup.* needs no controller");
  cg_fmt_max(-1, ctrl, sizeof ctrl);
  ok_str(ctrl, "max", "-1 -> max");
  cg_fmt_max(20971520, ctrl, sizeof ctrl);
  ok_str(ctrl, "20971520", "bytes verbatim");
}

static int sub_parse(const char *const *args, struct cg_subs *s)
{
  struct husk_err e = {0};
  int r = 0;
  *s = (struct cg_subs){0};
  for (; *args && r == 0; args++)
    r = cgroup_sub_add(s, *args, &e);
  herr_clear(&e);
  return r;
}

static void test_exec_cgroup_args(void)
{
  struct cg_subs s;
  const char *plain[] = {"/a/b", NULL}, *multi[] = {"cpu,memory:x", "pids:/y", NULL};
  const char *mixed[] = {"a", "memory:a", NULL}, *twice[] = {"memory:a", "memory:b", NULL};
  const char *esc[] = {"x/../../y", NULL}, *dots[] = {"a..b", NULL}, *empty[] = {":a", NULL};
  ok(sub_parse(plain, &s) == 0 && s.n == 1 && !s.items[0].ctrl &&
         strcmp(s.items[0].path, "a/b") == 0,
     "--cgroup /a/b: every hierarchy, leading / dropped");
  cgroup_sub_clear(&s);
  ok(sub_parse(multi, &s) == 0 && s.n == 3 && strcmp(s.items[0].ctrl, "cpu") == 0 &&
         strcmp(s.items[1].ctrl, "memory") == 0 && strcmp(s.items[1].path, "x") == 0 &&
         strcmp(s.items[2].path, "y") == 0,
     "cpu,memory:x pids:/y -> three entries");
  cgroup_sub_clear(&s);
  ok(sub_parse(mixed, &s) < 0, "a plain path must be alone");
  cgroup_sub_clear(&s);
  ok(sub_parse(twice, &s) < 0, "a controller twice is an error");
  cgroup_sub_clear(&s);
  ok(sub_parse(esc, &s) < 0, "`..` component rejected");
  cgroup_sub_clear(&s);
  ok(sub_parse(dots, &s) == 0, "`a..b` is a name, not `..`");
  cgroup_sub_clear(&s);
  ok(sub_parse(empty, &s) < 0, "empty controller rejected");
  cgroup_sub_clear(&s);
}

int main(void)
{
  test_exec_cgroup_args();
  test_shares();
  test_swap();
  test_devices();
  test_unified();
  return tap_done();
}
