/* spec: write runc's default config.json (or its rootless variant) into the
 * bundle, built through libocispec so it round-trips through our parser. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "oci_spec.h"
#include "util/fs.h"

#define USAGE "spec [--bundle DIR] [--rootless]"

static const char default_spec[] =
    "{\"ociVersion\":\"" OCI_SPEC_VERSION "\","
    "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "\"TERM=xterm\"],\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
    "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"husk\","
    "\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
    "\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
    "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
    "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
    "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
    "\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
    "\"/sys/firmware\",\"/proc/scsi\"],"
    "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
    "\"/proc/sysrq-trigger\"]}}";

struct spec_cli {
  const char *bundle;
  bool rootless;
};

static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
                                     {"rootless", no_argument, NULL, 'r'},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct spec_cli *cli = ctx;
  if (c == 'b')
    cli->bundle = arg;
  else if (c == 'r')
    cli->rootless = true;
  return 0;
}

/* A user namespace instead of a network one (no privileges to set one up). */
static int rootless_namespaces(struct oci_linux *l)
{
  size_t out = 0;
  struct oci_namespace *ns;
  for (size_t i = 0; i < l->n_namespaces; i++) {
    if (!strcmp(l->namespaces[i].type, "network") || !strcmp(l->namespaces[i].type, "user")) {
      free(l->namespaces[i].type);
      free(l->namespaces[i].path);
      continue;
    }
    l->namespaces[out++] = l->namespaces[i];
  }
  ns = realloc(l->namespaces, sizeof *ns * (out + 1));
  if (!ns)
    return -1;
  l->namespaces = ns;
  ns[out] = (struct oci_namespace){.type = strdup("user")};
  l->n_namespaces = out + 1;
  return ns[out].type ? 0 : -1;
}

static int map_self(struct oci_id_mappings *m, uint32_t host)
{
  if (!(m->items = calloc(1, sizeof *m->items)))
    return -1;
  m->items[0] = (struct oci_id_mapping){.container_id = 0, .host_id = host, .size = 1};
  m->n = 1;
  return 0;
}

static int strip_id_options(struct oci_mount *m)
{
  size_t out = 0;
  for (size_t i = 0; m->options && m->options[i]; i++) {
    if (!strncmp(m->options[i], "gid=", 4) || !strncmp(m->options[i], "uid=", 4))
      free(m->options[i]);
    else
      m->options[out++] = m->options[i];
  }
  if (m->options)
    m->options[out] = NULL;
  return 0;
}

/* sysfs cannot be mounted without owning the network namespace: bind the host's. */
static int sys_rbind(struct oci_mount *m)
{
  static const char *const o[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
  char **opts = calloc(6, sizeof(char *));
  if (!opts)
    return -1;
  for (size_t i = 0; i < 5; i++)
    opts[i] = strdup(o[i]);
  for (size_t i = 0; m->options && m->options[i]; i++)
    free(m->options[i]);
  free(m->options);
  free(m->type);
  free(m->source);
  m->options = opts;
  m->type = strdup("none");
  m->source = strdup("/sys");
  return m->type && m->source ? 0 : -1;
}

static int make_rootless(struct oci_spec *s)
{
  if (rootless_namespaces(&s->linux_) < 0 || map_self(&s->linux_.uid_mappings, getuid()) < 0 ||
      map_self(&s->linux_.gid_mappings, getgid()) < 0)
    return -1;
  for (size_t i = 0; i < s->n_mounts; i++) {
    struct oci_mount *m = &s->mounts[i];
    if (strcmp(m->destination, "/sys") == 0 ? sys_rbind(m) < 0 : strip_id_options(m) < 0)
      return -1;
  }
  oci_resources_clear(&s->linux_.resources);
  s->linux_.has_resources = false;
  return 0;
}

static int write_spec(const char *path, const char *json, struct husk_err *e)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  int r;
  if (fd < 0 && errno == EEXIST)
    return herr(e, EEXIST, "File %s exists. Remove it first.", path);
  if (fd < 0)
    return herr_sys(e, "create %s", path);
  r = write_all_fd(fd, json, strlen(json));
  if (close(fd) < 0 || r < 0)
    return herr_sys(e, "write %s", path);
  return 0;
}

int cmd_spec(struct husk_globals *g, int argc, char **argv)
{
  struct spec_cli cli = {0};
  struct husk_err e = {0};
  struct oci_spec *spec = NULL;
  char *msg = NULL, *json = NULL, *path = NULL;
  int r, first = cmd_parse(argc, argv, USAGE, opts, "b:", false, on_opt, &cli);
  (void)g;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 0, false, USAGE, &e) < 0)
    return cmd_fail(&e);
  if (oci_spec_parse(default_spec, sizeof default_spec - 1, "default spec", &spec, &msg) < 0) {
    herr_take(&e, EINVAL, msg);
    return cmd_fail(&e);
  }
  if (cli.rootless && make_rootless(spec) < 0)
    r = herr(&e, ENOMEM, "spec --rootless");
  else if (!(json = oci_spec_to_json(spec)))
    r = herr(&e, ENOMEM, "spec");
  else if (asprintf(&path, "%s/config.json", cli.bundle ? cli.bundle : ".") < 0)
    r = herr(&e, ENOMEM, "spec");
  else
    r = write_spec(cli.bundle ? path : "config.json", json, &e);
  free(path);
  free(json);
  oci_spec_free(spec);
  return r < 0 ? cmd_fail(&e) : 0;
}
