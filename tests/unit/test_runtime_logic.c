/* Pure logic of the runtime: mount options, signal names, container ids,
 * uid/gid map formatting. */
#include <fcntl.h>
#include <linux/mount.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/state.h"
#include "sandbox/mount_opts.h"
#include "sandbox/userns.h"
#include "tap.h"
#include "util/exe_guard.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/signals.h"

static void test_mount_opts(void)
{
  char *opts[] = {"nosuid",   "nodev",    "ro",  "rbind", "rslave",
                  "size=64k", "mode=755", "rro", "rw",    NULL};
  char *bad[] = {"", NULL};
  struct mount_opts o;
  const char *b = NULL;
  ok(mount_opts_parse(opts, &o, &b) == 0, "mount options parse");
  ok((o.flags & (MS_NOSUID | MS_NODEV)) == (MS_NOSUID | MS_NODEV), "nosuid nodev set");
  ok(!(o.flags & MS_RDONLY) && (o.clear & MS_RDONLY), "later rw clears ro");
  ok(o.bind && o.recursive_bind, "rbind is a recursive bind");
  ok(o.propagation == (MS_SLAVE | MS_REC), "rslave propagation");
  ok(o.rec_attr_set == MOUNT_ATTR_RDONLY, "rro becomes a recursive attribute");
  ok_str(o.data, "size=64k,mode=755", "unknown options go to data in order");
  mount_opts_clear(&o);
  ok(mount_opts_parse(bad, &o, &b) < 0 && b && !*b, "empty option refused");
  mount_opts_clear(&o);
}

static void test_signals(void)
{
  ok(signal_parse("9") == SIGKILL, "number");
  ok(signal_parse("KILL") == SIGKILL, "bare name");
  ok(signal_parse("SIGKILL") == SIGKILL, "SIG name");
  ok(signal_parse("sigterm") == SIGTERM, "lower case");
  ok(signal_parse("RTMIN+1") == SIGRTMIN + 1, "RTMIN+1");
  ok(signal_parse("0") < 0 && signal_parse("-9") < 0 && signal_parse("65") < 0,
     "out of range numbers");
  ok(signal_parse("9x") < 0 && signal_parse("SIGFOO") < 0 && signal_parse("") < 0, "garbage");
}

static void test_ids(void)
{
  ok(state_validate_id("abc-1.2_x+y", NULL) == 0, "valid id");
  ok(state_validate_id("../x", NULL) < 0, "slash refused");
  ok(state_validate_id("..", NULL) < 0 && state_validate_id("", NULL) < 0, "dot-dot, empty");
  ok(state_validate_id("a b", NULL) < 0, "space refused");
}

static void test_maps(void)
{
  struct oci_id_mapping items[] = {{0, 100000, 65536}, {65536, 1000, 1}};
  struct oci_id_mappings m = {2, items};
  char *s = userns_format_map(&m);
  ok_str(s, "0 100000 65536\n65536 1000 1\n", "uid_map lines");
  free(s);
}

static void test_fault(void)
{
  struct husk_err e = {0};
  unsetenv("HUSK_FAULT");
  ok(fault_point("create:cloned", &e) == 0 && !e.msg, "no HUSK_FAULT: no fault");
  setenv("HUSK_FAULT", "create:clone,create,x=create:cloned", 1);
  ok(fault_point("create:cloned", &e) == 0, "a prefix or a suffix of an item does not match");
  setenv("HUSK_FAULT", "a=kill,create:cloned=fail", 1);
  ok(fault_point("create:cloned", &e) < 0 && e.msg && strstr(e.msg, "create:cloned"),
     "named point fails with its name in the message");
  herr_clear(&e);
  setenv("HUSK_FAULT", "create:cloned", 1);
  ok(fault_point("create:cloned", &e) < 0, "no action means fail");
  herr_clear(&e);
  unsetenv("HUSK_FAULT");
}

/* CVE-2019-5736: what counts as protected. */
static void test_exe_guard_classify(void)
{
  int m = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ok(write(m, "x", 1) == 1, "memfd written");
  ok(exe_guard_classify(m) == EXE_GUARD_EXPOSED, "an unsealed memfd is exposed");
  fcntl(m, F_ADD_SEALS, F_SEAL_WRITE);
  ok(exe_guard_classify(m) == EXE_GUARD_EXPOSED, "a memfd sealed for writes only is exposed");
  fcntl(m, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW);
  ok(exe_guard_classify(m) == EXE_GUARD_SEALED, "a fully sealed memfd is protected");
  close(m);
}

/* Rootless: a binary we cannot write may still be writable by our container. */
static void test_exe_guard_mapped_writer(void)
{
  struct subid_file su = {0}, sg = {0};
  struct stat st = {.st_mode = S_IFREG | 0555, .st_uid = 1001, .st_gid = 1001};
  ok(subid_parse("alice:100000:65536\nbob:200000:65536\n", &su, NULL) == 0, "subuid parsed");
  ok(subid_parse("1001:300000:65536\n", &sg, NULL) == 0, "subgid parsed");
  ok(exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg),
     "ours, mode 0555: we may chmod it");
  st.st_uid = 0, st.st_gid = 0, st.st_mode = S_IFREG | 0775;
  ok(!exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg), "root's: nobody of ours can");
  st.st_uid = 100999;
  ok(exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg), "a subordinate uid owns it");
  st.st_uid = 200999;
  ok(!exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg),
     "another user's subordinate uid");
  st.st_uid = 165536;
  ok(!exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg), "just past our range");
  st.st_uid = 0, st.st_gid = 300005;
  ok(exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg),
     "group-writable by a subordinate gid (entry by uid)");
  st.st_mode = S_IFREG | 0755;
  ok(!exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg), "that group may not write");
  st.st_gid = 1001, st.st_mode = S_IFREG | 0775;
  ok(exe_guard_mapped_writer(&st, 1001, 1001, "alice", &su, &sg), "group-writable by our gid");
  st.st_uid = 1001, st.st_gid = 0, st.st_mode = S_IFREG | 0555;
  ok(exe_guard_mapped_writer(&st, 1001, 1001, NULL, &su, &sg), "ours, even without a passwd entry");
  subid_file_free(&su);
  subid_file_free(&sg);
}

/* state.json's "created": RFC 3339 in UTC with nanoseconds, whatever TZ says. */
static void test_rfc3339(void)
{
  char a[64], b[64];
  struct tm tm = {0};
  long ns = -1;
  time_t before = time(NULL), t;
  setenv("TZ", "America/New_York", 1);
  husk_rfc3339_now(a, sizeof a);
  ok(strlen(a) == 30 && a[10] == 'T' && a[19] == '.' && a[29] == 'Z', "shape: %s", a);
  ok(sscanf(a, "%d-%d-%dT%d:%d:%d.%9ldZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
            &tm.tm_min, &tm.tm_sec, &ns) == 7 &&
         ns >= 0 && ns < 1000000000,
     "every field parses back");
  tm.tm_year -= 1900, tm.tm_mon -= 1;
  t = timegm(&tm);
  ok(t >= before && t <= time(NULL), "the time is now, in UTC (%lld vs %lld)", (long long)t,
     (long long)before);
  husk_rfc3339_now(b, sizeof b);
  ok(strcmp(a, b) < 0, "later calls sort later: %s < %s", a, b);
  unsetenv("TZ");
}

int main(void)
{
  test_rfc3339();
  test_exe_guard_classify();
  test_exe_guard_mapped_writer();
  test_fault();
  test_mount_opts();
  test_signals();
  test_ids();
  test_maps();
  return tap_done();
}
