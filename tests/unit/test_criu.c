/* The pure logic of checkpoint/restore: criu command lines, the log excerpt,
 * mountinfo parsing, external mounts for dump and restore, stdio inheritance. */
#include <stdlib.h>
#include <string.h>

#include "criu/criu.h"
#include "tap.h"

static char *joined(const struct svec *s)
{
  size_t len = 1;
  char *out;
  for (size_t i = 0; i < s->n; i++)
    len += strlen(s->v[i]) + 1;
  out = calloc(1, len);
  for (size_t i = 0; i < s->n; i++) {
    if (i)
      strcat(out, " ");
    strcat(out, s->v[i]);
  }
  return out;
}

static bool has_seq(const struct svec *s, const char *a, const char *b)
{
  for (size_t i = 0; i + 1 < s->n; i++)
    if (strcmp(s->v[i], a) == 0 && (!b || strcmp(s->v[i + 1], b) == 0))
      return true;
  return false;
}

static void test_dump_argv(void)
{
  struct criu_opts o = {.image_path = "/img",
                        .status_fd = -1,
                        .leave_running = true,
                        .tcp_established = true,
                        .file_locks = true,
                        .empty_ns = "network"};
  struct criu_dump_ctx x = {.pid = 42, .freeze_cgroup = "/sys/fs/cgroup/freezer/husk/a"};
  struct svec a = {0};
  struct husk_err e = {0};
  char *s;
  sv_add(&x.external, "mnt[/etc/hosts]:/etc/hosts");
  ok(criu_dump_argv("/usr/sbin/criu", &o, &x, &a, &e) == 0, "dump argv builds");
  s = joined(&a);
  ok_str(s,
         "/usr/sbin/criu dump --tree 42 --images-dir /img --work-dir /img --log-file dump.log "
         "-v4 --manage-cgroups=soft --tcp-established --file-locks --empty-ns net "
         "--leave-running --freeze-cgroup /sys/fs/cgroup/freezer/husk/a "
         "--external mnt[/etc/hosts]:/etc/hosts",
         "dump: runc defaults (soft cgroups, log dump.log in the work dir = image dir)");
  free(s);
  sv_free(&a);

  o = (struct criu_opts){.image_path = "/img",
                         .work_path = "/work",
                         .status_fd = 5,
                         .pre_dump = true,
                         .leave_running = true,
                         .parent_path = "../p",
                         .page_server = "10.0.0.1:2222",
                         .manage_cgroups_mode = "ignore"};
  x.track_mem = true;
  ok(criu_dump_argv("criu", &o, &x, &a, &e) == 0, "pre-dump argv builds");
  ok(strcmp(a.v[1], "pre-dump") == 0, "pre-dump action");
  ok(!sv_has(&a, "--leave-running"), "pre-dump never passes --leave-running");
  ok(has_seq(&a, "--prev-images-dir", "../p") && sv_has(&a, "--track-mem"), "parent + track");
  ok(has_seq(&a, "--address", "10.0.0.1") && has_seq(&a, "--port", "2222") &&
         sv_has(&a, "--page-server"),
     "page server split into address and port");
  ok(has_seq(&a, "--status-fd", "5") && has_seq(&a, "--work-dir", "/work"), "status fd, work");
  ok(sv_has(&a, "--manage-cgroups=ignore"), "cgroups mode passed with =");
  sv_free(&a);

  o.parent_path = "/abs";
  ok(criu_dump_argv("criu", &o, &x, &a, &e) < 0 && strstr(e.msg, "relative"),
     "absolute parent path refused");
  herr_clear(&e);
  sv_free(&a);
  o.parent_path = NULL;
  o.manage_cgroups_mode = "bogus";
  ok(criu_dump_argv("criu", &o, &x, &a, &e) < 0 && strstr(e.msg, "bogus"),
     "unknown cgroups mode refused");
  herr_clear(&e);
  sv_free(&a);
  o.manage_cgroups_mode = NULL;
  o.page_server = "nocolon";
  ok(criu_dump_argv("criu", &o, &x, &a, &e) < 0, "page server without port refused");
  herr_clear(&e);
  sv_free(&a);
  o.page_server = NULL;
  o.empty_ns = "pid";
  ok(criu_dump_argv("criu", &o, &x, &a, &e) < 0, "empty-ns other than network refused");
  herr_clear(&e);
  sv_free(&a);
  sv_free(&x.external);
}

static void test_restore_argv(void)
{
  struct criu_opts o = {.image_path = "/img",
                        .work_path = "/w",
                        .status_fd = -1,
                        .tcp_close = true,
                        .lsm_profile = "selinux:x",
                        .manage_cgroups_mode = "full"};
  struct criu_restore_ctx x = {
      .root = "/b/rootfs", .cgroup_root = "/husk/c2", .pidfile = "/run/husk/c2/criu.pid"};
  struct svec a = {0};
  struct husk_err e = {0};
  sv_add(&x.external, "mnt[/data]:/host/data");
  sv_add(&x.inherit, "fd[0]:pipe:[123]");
  ok(criu_restore_argv("criu", &o, &x, &a, &e) == 0, "restore argv builds");
  ok(strcmp(a.v[1], "restore") == 0 && has_seq(&a, "--log-file", "restore.log"), "restore.log");
  ok(sv_has(&a, "--restore-detached") && sv_has(&a, "--restore-sibling"),
     "the init becomes our child and criu exits");
  ok(has_seq(&a, "--root", "/b/rootfs") && has_seq(&a, "--cgroup-root", "/husk/c2"),
     "root and the new cgroup");
  ok(has_seq(&a, "--pidfile", "/run/husk/c2/criu.pid"), "pidfile");
  ok(sv_has(&a, "--manage-cgroups=full") && sv_has(&a, "--tcp-close") &&
         has_seq(&a, "--lsm-profile", "selinux:x"),
     "options passed");
  ok(has_seq(&a, "--external", "mnt[/data]:/host/data") &&
         has_seq(&a, "--inherit-fd", "fd[0]:pipe:[123]"),
     "externals and inherited fds");
  ok(!sv_has(&a, "--skip-file-rwx-check"), "no rwx skip for pipes");
  ok(!sv_has(&a, "--action-script"), "no hooks: no action script");
  sv_free(&a);
  sv_add(&x.inherit, "fd[1]:file[1b:a789e1]");
  x.action_script = "exec /proc/1/exe --root '/run/h' restore-hooks 'c2'";
  criu_restore_argv("criu", &o, &x, &a, &e);
  ok(sv_has(&a, "--skip-file-rwx-check"), "a host file standing in: rwx check skipped");
  ok(has_seq(&a, "--action-script", x.action_script), "hooks: CRIU calls back");
  sv_free(&a);
  sv_free(&x.external);
  sv_free(&x.inherit);
}

static void test_log_excerpt(void)
{
  const char *log = "(00.01) Version: 4.1.1\n"
                    "(00.02) Error (criu/util.c:1533): rlimit: Can't setup RLIMIT_NOFILE for "
                    "self: Operation not permitted\n"
                    "(00.03) some info\n"
                    "(00.04)      1: Error (criu/mount.c:1): mnt: Can't mount at ./data\n"
                    "(00.05) Error (criu/cr-restore.c:2320): Restoring FAILED.\n";
  char *s = criu_log_excerpt(log, 10);
  ok_str(s,
         "  (00.04)      1: Error (criu/mount.c:1): mnt: Can't mount at ./data\n"
         "  (00.05) Error (criu/cr-restore.c:2320): Restoring FAILED.",
         "error lines, noise left out");
  free(s);
  s = criu_log_excerpt(log, 1);
  ok_str(s, "  (00.05) Error (criu/cr-restore.c:2320): Restoring FAILED.", "the last max lines");
  free(s);
  s = criu_log_excerpt("a\nb\nc\nd\ne\nf\ng\n", 10);
  ok_str(s, "  c\n  d\n  e\n  f\n  g", "no error line: the last five lines");
  free(s);
  ok(criu_log_excerpt("", 10) == NULL, "empty log: nothing");
}

static const char *MOUNTINFO =
    "84 43 254:0 /tmp/b/rootfs / rw,relatime - ext4 /dev/vda rw\n"
    "85 84 0:49 / /proc rw,relatime - proc proc rw\n"
    "86 84 0:51 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
    "87 86 0:59 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5\n"
    "91 85 0:49 /bus /proc/bus ro,nosuid - proc proc rw\n"
    "95 85 0:62 / /proc/acpi ro,relatime - tmpfs tmpfs ro,size=0k\n"
    "96 85 0:6 /null /proc/keys rw,relatime - devtmpfs devtmpfs rw,size=1k\n"
    "97 84 254:0 /tmp/x\\040y /data rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "98 86 0:59 /0 /dev/console rw - devpts devpts rw\n"
    "99 84 0:70 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
    "100 99 0:30 /husk/a /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "101 84 0:6 /fuse /dev/fuse rw - devtmpfs devtmpfs rw\n"
    "garbage line\n";

static const char *SPEC = "{\"ociVersion\":\"1.2.1\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                          "\"root\":{\"path\":\"rootfs\"},"
                          "\"mounts\":[{\"destination\":\"/data/\",\"type\":\"bind\","
                          "\"source\":\"/tmp/x y\"},"
                          "{\"destination\":\"/rel\",\"source\":\"files/rel\","
                          "\"options\":[\"rbind\",\"ro\"]},"
                          "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
                          "\"source\":\"cgroup\"},"
                          "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
                          "\"linux\":{\"maskedPaths\":[\"/proc/keys\",\"/proc/acpi\"],"
                          "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,"
                          "\"minor\":229}]}}";

static void test_mountinfo_and_dump_mounts(struct oci_spec *spec)
{
  struct mnt_list l = {0};
  struct svec ext = {0};
  ok(mountinfo_parse(MOUNTINFO, &l) == 0 && l.n == 12, "mountinfo: 12 lines, garbage skipped");
  ok(l.n > 7 && strcmp(l.v[7].mountpoint, "/data") == 0 && strcmp(l.v[7].root, "/tmp/x y") == 0,
     "octal escapes decoded");
  ok(mnt_list_find(&l, "/proc/keys") && mnt_list_find(&l, "/proc/keys")->id == 96, "find");
  ok(criu_dump_mounts(spec, &l, &ext) == 0, "dump mounts");
  ok(sv_has(&ext, "mnt[/data]:/data"), "a config bind (trailing slash in config)");
  ok(sv_has(&ext, "mnt[/proc/keys]:/proc/keys"), "a masked file (host /dev/null)");
  ok(sv_has(&ext, "mnt[/dev/console]:/dev/console"), "the console");
  ok(sv_has(&ext, "mnt[/sys/fs/cgroup/memory]:/sys/fs/cgroup/memory"), "a v1 cgroup bind");
  ok(sv_has(&ext, "mnt[/dev/fuse]:/dev/fuse"), "a host device node");
  ok(!sv_has(&ext, "mnt[/proc/acpi]:/proc/acpi") && !sv_has(&ext, "mnt[/dev]:/dev") &&
         !sv_has(&ext, "mnt[/proc/bus]:/proc/bus") && !sv_has(&ext, "mnt[/]:/"),
     "container-made mounts stay CRIU's");
  ok(ext.n == 5, "five externals (got %zu)", ext.n);
  sv_free(&ext);
  mnt_list_free(&l);
}

static void test_restore_mounts(struct oci_spec *spec)
{
  struct svec ext = {0};
  struct cgroup cg = {.path = (char *)"/husk/new"};
  const char *hier[] = {"no-such-hierarchy", NULL};
  ok(criu_restore_mounts(spec, "/bundle", &cg, hier, "/dev/pts/7", &ext) == 0, "restore mounts");
  ok(sv_has(&ext, "mnt[/dev/console]:/dev/pts/7"), "console to the new pty");
  ok(sv_has(&ext, "mnt[/data]:/tmp/x y"), "bind to its source");
  ok(sv_has(&ext, "mnt[/rel]:/bundle/files/rel"), "relative source from the bundle");
  ok(sv_has(&ext, "mnt[/proc/keys]:/dev/null"), "masked path to /dev/null");
  ok(sv_has(&ext, "mnt[/dev/null]:/dev/null") && sv_has(&ext, "mnt[/dev/fuse]:/dev/fuse"),
     "devices to the host's nodes");
  ok(sv_has(&ext, "mnt[/sys/fs/cgroup/no-such-hierarchy]:/sys/fs/cgroup/no-such-hierarchy"),
     "a hierarchy without the container's cgroup: its root, as the mount does");
  ok(sv_has(&ext, "mnt[/sys/fs/cgroup]:/sys/fs/cgroup/husk/new"), "v2 bind: the new cgroup");
  ok(!sv_has(&ext, "mnt[/tmp]:tmpfs"), "a tmpfs is not external");
  sv_free(&ext);
}

static void test_stdio(void)
{
  struct criu_stdio s = {{strdup("tty[8800:3b]"), strdup("tty[8800:3b]"), strdup("pipe:[77]")}};
  struct criu_stdio f = {{strdup("/dev/null"), strdup("file[1b:a7]"), strdup("file[1b:a7]")}};
  struct svec inh = {0}, ext = {0};
  struct husk_err e = {0};
  ok(criu_stdio_has_tty(&s) && !criu_stdio_has_tty(&f), "tty detected");
  ok(criu_stdio_inherit(&s, 9, &inh, &e) == 0, "inherit with a new pty");
  ok(inh.n == 2 && sv_has(&inh, "fd[9]:tty[8800:3b]") && sv_has(&inh, "fd[2]:pipe:[77]"),
     "one tty entry (the new peer), the pipe from our fd 2");
  sv_free(&inh);
  ok(criu_stdio_inherit(&s, -1, &inh, &e) < 0 && strstr(e.msg, "terminal"),
     "a dumped tty without a new one: error");
  herr_clear(&e);
  sv_free(&inh);
  ok(criu_stdio_inherit(&f, -1, &inh, &e) == 0 && inh.n == 1 && sv_has(&inh, "fd[1]:file[1b:a7]"),
     "a host file once, a path inside the container not at all");
  ok(criu_stdio_dump_external(&f, &ext) == 0 && ext.n == 1 && sv_has(&ext, "file[1b:a7]"),
     "dump: the host file is external");
  sv_free(&ext);
  ok(criu_stdio_dump_external(&s, &ext) == 0 && ext.n == 1 && sv_has(&ext, "tty[8800:3b]"),
     "dump: the tty is external, the pipe is not");
  sv_free(&ext);
  sv_free(&inh);
  criu_stdio_free(&s);
  criu_stdio_free(&f);
}

int main(void)
{
  struct oci_spec *spec = NULL;
  char *msg = NULL;
  test_dump_argv();
  test_restore_argv();
  test_log_excerpt();
  if (!ok(oci_spec_parse(SPEC, strlen(SPEC), "spec", &spec, &msg) == 0, "test spec parses"))
    printf("# %s\n", msg);
  if (spec) {
    test_mountinfo_and_dump_mounts(spec);
    test_restore_mounts(spec);
    oci_spec_free(spec);
  }
  test_stdio();
  ok(criu_valid_cgroups_mode("strict") == 0 && criu_valid_cgroups_mode("x") < 0, "modes");
  return tap_done();
}
