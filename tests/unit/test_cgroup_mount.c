/* Pure helpers of the container's /sys/fs/cgroup mount (src/sandbox/cgroup_mount.c). */
#include "sandbox/cgroup_mount.h"
#include "tap.h"

static void test_mountinfo(void)
{
  char mnt[256], fs[64], so[256];
  ok(cg_mountinfo_line("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup "
                       "rw,memory\n",
                       mnt, sizeof mnt, fs, sizeof fs, so, sizeof so) == 0,
     "v1 line parses");
  ok_str(mnt, "/sys/fs/cgroup/memory", "mount point");
  ok_str(fs, "cgroup", "fstype");
  ok_str(so, "rw,memory", "super options");
  ok(cg_mountinfo_line("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", mnt,
                       sizeof mnt, fs, sizeof fs, so, sizeof so) == 0,
     "cgroup2 line without optional fields");
  ok_str(fs, "cgroup2", "cgroup2 fstype");
  ok(cg_mountinfo_line("1 2 0:3 / /a\\040b rw - tmpfs none rw,mode=755", mnt, sizeof mnt, fs,
                       sizeof fs, so, sizeof so) == 0,
     "escaped mount point");
  ok_str(mnt, "/a b", "\\040 decoded");
  ok(cg_mountinfo_line("1 2 0:3 / /x rw", mnt, sizeof mnt, fs, sizeof fs, so, sizeof so) < 0,
     "line without separator refused");
  ok(cg_mountinfo_line("1 2", mnt, sizeof mnt, fs, sizeof fs, so, sizeof so) < 0,
     "short line refused");
  ok(cg_mountinfo_line("1 2 0:3 / /x rw - cgroup", mnt, sizeof mnt, fs, sizeof fs, so, sizeof so) <
         0,
     "line without super options refused");
}

static void test_mount_data(void)
{
  char buf[128];
  cg_v1_mount_data("rw,xattr,name=systemd", buf, sizeof buf);
  ok_str(buf, "xattr,name=systemd", "rw dropped");
  cg_v1_mount_data("ro,cpu,cpuacct", buf, sizeof buf);
  ok_str(buf, "cpu,cpuacct", "ro dropped, co-mount kept");
  cg_v1_mount_data("rw", buf, sizeof buf);
  ok_str(buf, "", "nothing left");
  cg_v1_mount_data("rw,rwx", buf, sizeof buf);
  ok_str(buf, "rwx", "only whole words dropped");
}

static void test_self_path(void)
{
  const char *pc = "12:cpu,cpuacct:/a/b\n9:name=systemd:/user.slice\n4:memory:/m\n"
                   "1:pids:/p\n0::/unified/x\n";
  char buf[128];
  ok(cg_self_path(pc, false, "rw,cpu,cpuacct", buf, sizeof buf), "co-mounted hierarchy found");
  ok_str(buf, "/a/b", "co-mount path");
  ok(cg_self_path(pc, false, "rw,xattr,name=systemd", buf, sizeof buf), "named hierarchy found");
  ok_str(buf, "/user.slice", "named path");
  ok(cg_self_path(pc, false, "rw,memory", buf, sizeof buf), "memory found");
  ok_str(buf, "/m", "memory path");
  ok(cg_self_path(pc, true, "rw", buf, sizeof buf), "v2 line found");
  ok_str(buf, "/unified/x", "v2 path");
  ok(!cg_self_path(pc, false, "rw,cpu", buf, sizeof buf), "partial co-mount does not match");
  ok(!cg_self_path(pc, false, "rw,blkio", buf, sizeof buf), "absent hierarchy");
  ok(!cg_self_path("4:memory:/m\n", true, "", buf, sizeof buf), "no v2 line");
  ok(cg_self_path("0::/", true, "", buf, sizeof buf), "last line without newline");
  ok_str(buf, "/", "root path");
}

int main(void)
{
  test_mountinfo();
  test_mount_data();
  test_self_path();
  return tap_done();
}
