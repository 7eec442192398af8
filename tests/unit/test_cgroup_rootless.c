/* Which limits a rootless container asks for and which its delegated cgroup
 * can enforce (src/cgroups/cgroup_rootless.c, pure parts). */
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup_rootless.h"
#include "tap.h"

static struct oci_resources sample(struct oci_kv *kv)
{
  struct oci_resources r = {0};
  r.has_memory = true;
  r.memory.limit = (oci_opt_i64){.set = true, .value = 1 << 26};
  r.has_cpu = true;
  r.cpu.shares = (oci_opt_u64){.set = true, .value = 512};
  r.cpu.cpus = (char *)"0";
  r.has_pids = true;
  r.pids_limit = (oci_opt_i64){.set = true, .value = 40};
  r.n_hugepage_limits = 1;
  r.unified.n = 2;
  r.unified.items = kv;
  return r;
}

static void test_requested(void)
{
  struct oci_kv kv[] = {{(char *)"memory.high", (char *)"1M"},
                        {(char *)"cgroup.max.depth", (char *)"2"}};
  struct oci_resources r = sample(kv);
  struct cg_limit l[16];
  size_t n = cg_requested_limits(&r, l, 16);
  ok(n == 7, "7 limits (got %zu)", n);
  ok(!strcmp(l[0].label, "linux.resources.memory.limit") && !strcmp(l[0].ctrl, "memory"),
     "memory.limit -> memory");
  ok(!strcmp(l[1].ctrl, "cpu") && !strcmp(l[2].ctrl, "cpuset"), "shares -> cpu, cpus -> cpuset");
  ok(!strcmp(l[3].ctrl, "pids") && !strcmp(l[4].ctrl, "hugetlb"), "pids, hugetlb");
  ok(!strcmp(l[5].label, "linux.resources.unified[\"memory.high\"]") &&
         !strcmp(l[5].ctrl, "memory"),
     "unified key -> its controller");
  ok(!strcmp(l[6].ctrl, ""), "core cgroup.* key needs no controller");
  struct oci_resources none = {0};
  none.n_devices = 3; /* the default deny-all rules */
  ok(cg_requested_limits(&none, l, 16) == 0, "device rules alone ask for nothing");
  ok(cg_requested_limits(&r, l, 2) == 7, "count returned even when the array is short");
}

static void test_subset(void)
{
  struct oci_kv kv[] = {{(char *)"memory.high", (char *)"1M"},
                        {(char *)"cgroup.max.depth", (char *)"2"}};
  struct oci_resources r = sample(kv), out;
  struct oci_kv *items = NULL;
  char dropped[512];
  int n = cg_resources_subset(&r, "hugetlb", &out, &items, dropped, sizeof dropped);
  ok(n == 5, "hybrid rootless: 5 dropped (got %d)", n);
  ok(!out.has_memory && !out.has_cpu && !out.has_pids && out.n_hugepage_limits == 1,
     "only hugetlb kept");
  ok(out.unified.n == 1 && !strcmp(out.unified.items[0].key, "cgroup.max.depth"),
     "core unified key kept");
  ok(strstr(dropped, "linux.resources.memory.limit (memory)") &&
         strstr(dropped, "linux.resources.cpu.cpus (cpuset)") &&
         strstr(dropped, "unified[\"memory.high\"] (memory)"),
     "dropped labels listed: %s", dropped);
  ok(out.n_devices == 0, "device rules never written rootless");
  free(items);
  n = cg_resources_subset(&r, "cpu memory pids hugetlb", &out, &items, dropped, sizeof dropped);
  ok(n == 1 && out.has_cpu && out.cpu.shares.set && !out.cpu.cpus,
     "cpu kept without cpuset (dropped %d: %s)", n, dropped);
  ok(out.unified.n == 2, "both unified keys kept");
  free(items);
  n = cg_resources_subset(&r, "cpuset", &out, &items, dropped, sizeof dropped);
  ok(out.has_cpu && !out.cpu.shares.set && out.cpu.cpus, "cpuset kept without cpu");
  free(items);
  ok(cg_ctrl_listed("cpu memory\n", "memory") && !cg_ctrl_listed("cpuset", "cpu") &&
         cg_ctrl_listed(NULL, ""),
     "controller list matching is by word");
}

static void test_path(void)
{
  char *p = cg_rootless_path("/user.slice/u.service", NULL, "c1");
  ok_str(p, "/user.slice/u.service/husk-c1", "default: below the caller's cgroup");
  free(p);
  p = cg_rootless_path("/", NULL, "c1");
  ok_str(p, "/husk-c1", "caller in the root cgroup");
  free(p);
  p = cg_rootless_path("/a", "x/y", "c1");
  ok_str(p, "/a/x/y", "relative cgroupsPath: below the caller's cgroup");
  free(p);
  p = cg_rootless_path("/a", "/abs/c", "c1");
  ok_str(p, "/abs/c", "absolute cgroupsPath kept");
  free(p);
}

int main(void)
{
  test_requested();
  test_subset();
  test_path();
  return tap_done();
}
