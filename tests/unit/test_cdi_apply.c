/* CDI: the registry (directories, priority, conflicts, per-file errors),
 * resolution and the edits on an OCI spec, with spec files written into a
 * temporary directory and /dev/null as the host device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi/cdi.h"
#include "cdi/edits.h"
#include "cdi/registry.h"
#include "cdi/strv.h"
#include "tap.h"
#include "util/fs.h"

static char tmp[] = "/tmp/husk-cdi-unit.XXXXXX";
static char dirs[512];

static void put(const char *rel, const char *text)
{
  char path[600];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  if ((f = fopen(path, "w"))) {
    fputs(text, f);
    fclose(f);
  }
}

static void unlink_spec(const char *rel)
{
  char path[600];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  unlink(path);
}

static void setup(void)
{
  char p[600];
  if (!mkdtemp(tmp))
    exit(99);
  snprintf(p, sizeof p, "%s/etc", tmp);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/run", tmp);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/etc/sub.json", tmp); /* a directory with a spec-like name */
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/fifo", tmp);
  mkfifo(p, 0640);
  snprintf(dirs, sizeof dirs, "%s/etc:%s/missing::%s/run", tmp, tmp, tmp);
  put("etc/a.yaml", "cdiVersion: 0.3.0\nkind: v.com/c\n"
                    "containerEdits:\n  env: [GA=from-a, TERM=a-term]\n"
                    "  hooks: [{hookName: createContainer, path: /bin/ga}]\n"
                    "devices:\n"
                    "- {name: x, containerEdits: {env: [X=1]}}\n"
                    "- {name: p, containerEdits: {env: [P=etc]}}\n");
  put("etc/b.json", "{\"cdiVersion\":\"0.3.0\",\"kind\":\"v.com/c\",\"devices\":["
                    "{\"name\":\"z\",\"containerEdits\":{\"env\":[\"Z=b\"]}},"
                    "{\"name\":\"y\",\"containerEdits\":{\"env\":[\"Y=1\"]}}]}");
  put("etc/c.json", "{\"cdiVersion\":\"0.3.0\",\"kind\":\"v.com/c\",\"devices\":["
                    "{\"name\":\"z\",\"containerEdits\":{\"env\":[\"Z=c\"]}}]}");
  put("etc/bad.json", "{\"cdiVersion\":\"0.3.0\",\"kind\":\"v.com/c\",\"devices\":[],}");
  put("etc/ignored.yml", "cdiVersion: 0.3.0\nkind: v.com/yml\n"
                         "devices: [{name: x, containerEdits: {env: [A=1]}}]\n");
  put("etc/sub.json/nested.json", "{\"cdiVersion\":\"0.3.0\",\"kind\":\"v.com/sub\","
                                  "\"devices\":[{\"name\":\"x\",\"containerEdits\":"
                                  "{\"env\":[\"A=1\"]}}]}");
  put("run/override.yaml", "cdiVersion: 0.3.0\nkind: v.com/c\n"
                           "containerEdits: {env: [GO=from-override]}\n"
                           "devices:\n- {name: p, containerEdits: {env: [P=run]}}\n"
                           "- {name: z, containerEdits: {env: [Z=run]}}\n");
}

static void test_registry(void)
{
  struct cdi_registry r;
  struct husk_err e = {0};
  const struct cdi_entry *d;
  char want[700];
  bool conflict_b = false, conflict_c = false, bad = false;
  if (!ok(cdi_registry_load(&r, dirs, &e) == 0, "registry loads"))
    return;
  ok(cdi_strv_len(r.dirs) == 3, "3 directories (empty element dropped)");
  ok(r.n_specs == 4, "4 specs loaded (.yml, subdirectories and the bad file are not)");
  d = cdi_registry_find(&r, "v.com/c=p");
  snprintf(want, sizeof want, "%s/run/override.yaml", tmp);
  ok(d && !strcmp(d->spec->path, want), "the later directory wins for v.com/c=p");
  ok(cdi_registry_find(&r, "v.com/c=x") != NULL && cdi_registry_find(&r, "v.com/c=y") != NULL,
     "x and y available");
  ok(cdi_registry_find(&r, "v.com/c=z") == NULL,
     "z conflicts in etc: unavailable (even though run defines it too)");
  ok(cdi_registry_find(&r, "v.com/yml=x") == NULL && cdi_registry_find(&r, "v.com/sub=x") == NULL,
     ".yml and subdirectories ignored");
  for (size_t i = 0; i < r.n_errors; i++) {
    bad = bad || (strstr(r.errors[i].path, "bad.json") && strstr(r.errors[i].msg, "json: line"));
    if (strstr(r.errors[i].msg, "conflicting device `v.com/c=z`")) {
      conflict_b = conflict_b || strstr(r.errors[i].path, "/b.json");
      conflict_c = conflict_c || strstr(r.errors[i].path, "/c.json");
    }
  }
  ok(r.n_errors == 3, "3 errors (%zu)", r.n_errors);
  ok(bad, "the bad file's error is kept");
  ok(conflict_b && conflict_c, "the conflict is recorded against both files");
  {
    char *have = cdi_registry_kind_devices(&r, "v.com/c");
    ok_str(have, "p, x, y", "devices of kind v.com/c");
    free(have);
  }
  ok(cdi_registry_has_kind(&r, "v.com/c") && !cdi_registry_has_kind(&r, "v.com/d"), "kinds");
  cdi_registry_free(&r);
}

static void test_dirs(void)
{
  char **v;
  unsetenv(CDI_SPEC_DIRS_ENV);
  v = cdi_spec_dirs(NULL);
  ok(cdi_strv_len(v) == 2 && !strcmp(v[0], "/etc/cdi") && !strcmp(v[1], "/var/run/cdi"),
     "default: /etc/cdi then /var/run/cdi");
  cdi_strv_free(v);
  setenv(CDI_SPEC_DIRS_ENV, "/x:/y:/z", 1);
  v = cdi_spec_dirs(NULL);
  ok(cdi_strv_len(v) == 3 && !strcmp(v[2], "/z"), "$HUSK_CDI_SPEC_DIRS");
  cdi_strv_free(v);
  v = cdi_spec_dirs("/opt");
  ok(cdi_strv_len(v) == 1 && !strcmp(v[0], "/opt"), "the option beats the environment");
  cdi_strv_free(v);
  unsetenv(CDI_SPEC_DIRS_ENV);
}

#define BASE_CONFIG                                                                                \
  "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"                                      \
  "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":%u,\"gid\":%u},"                 \
  "\"env\":[\"PATH=/bin\",\"TERM=xterm\",\"GA=old\",\"KEEP=1\"]},"                                 \
  "\"annotations\":{%s},"                                                                          \
  "\"hooks\":{\"createContainer\":[{\"path\":\"/bin/ga\"}],"                                       \
  "\"prestart\":[{\"path\":\"/usr/bin/"                                                            \
  "nvidia-container-runtime-hook\",\"args\":[\"x\",\"prestart\"]},"                                \
  "{\"path\":\"/bin/keep\"}]},"                                                                    \
  "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                 \
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"                            \
  "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\"},"                      \
  "{\"destination\":\"/data/x\",\"type\":\"bind\",\"source\":\"/srv\"},"                           \
  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"}],"                           \
  "\"linux\":{\"devices\":[{\"path\":\"/dev/fake0\",\"type\":\"b\",\"major\":7,\"minor\":0}],"     \
  "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}}}"

static struct oci_spec *config(unsigned uid, unsigned gid, const char *annotations)
{
  char buf[4096], *err = NULL;
  struct oci_spec *s = NULL;
  snprintf(buf, sizeof buf, BASE_CONFIG, uid, gid, annotations);
  if (oci_spec_parse(buf, strlen(buf), "config.json", &s, &err) < 0) {
    printf("# config: %s\n", err);
    free(err);
    exit(99);
  }
  return s;
}

static int inject(struct oci_spec *s, const char *d1, const char *d2, struct husk_err *e)
{
  char *devs[] = {(char *)d1, (char *)d2, NULL};
  struct cdi_opts o = {.devices = d1 ? devs : NULL, .spec_dirs = dirs};
  return cdi_inject(s, &o, e);
}

static void test_global_edits_follow_the_winner(void)
{
  struct oci_spec *s = config(0, 0, "");
  struct husk_err e = {0};
  char **env;
  ok(inject(s, "v.com/c=p", NULL, &e) == 1, "inject v.com/c=p");
  env = s->process.env;
  ok(cdi_strv_contains(env, "P=run") && cdi_strv_contains(env, "GO=from-override"),
     "the device and the global edits of the winning file");
  ok(cdi_strv_contains(env, "GA=old") && cdi_strv_contains(env, "TERM=xterm"),
     "none of the losing file's global edits");
  ok(s->hooks[OCI_HOOK_CREATE_CONTAINER].n == 1, "no hook from the losing file");
  oci_spec_free(s);
  s = config(0, 0, "");
  ok(inject(s, "v.com/c=x", "v.com/c=p", &e) == 1, "inject x and p");
  env = s->process.env;
  ok(!strcmp(env[1], "TERM=a-term") && !strcmp(env[2], "GA=from-a") && !strcmp(env[3], "KEEP=1"),
     "existing keys replaced in place");
  ok(!strcmp(env[4], "X=1") && !strcmp(env[5], "GO=from-override") && !strcmp(env[6], "P=run") &&
         !env[7],
     "then a's device, override's globals, override's device");
  ok(s->hooks[OCI_HOOK_CREATE_CONTAINER].n == 1,
     "a hook identical to one already in config.json is not added twice");
  oci_spec_free(s);
}

static void test_unresolvable(void)
{
  struct oci_spec *s = config(0, 0, "");
  struct husk_err e = {0};
  char *before = oci_spec_to_json(s), *after;
  ok(inject(s, "v.com/c=x", "v.com/c=nope", &e) < 0, "one unknown name fails the whole request");
  ok(e.msg && strstr(e.msg, "unresolvable CDI devices v.com/c=nope") &&
         strstr(e.msg, "devices of kind v.com/c: p, x, y") && strstr(e.msg, "3 spec file errors"),
     "the message lists what exists: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  after = oci_spec_to_json(s);
  ok(before && after && !strcmp(before, after), "nothing applied");
  free(after);
  ok(inject(s, "v.com/c=z", NULL, &e) < 0 && strstr(e.msg, "unresolvable"),
     "a conflicting device is unresolvable");
  herr_clear(&e);
  ok(inject(s, "other.com/k=1", NULL, &e) < 0 && strstr(e.msg, "no spec defines kind other.com/k"),
     "unknown kind: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  ok(inject(s, "/dev/sda", NULL, &e) < 0 && strstr(e.msg, "--device") &&
         strstr(e.msg, "not a qualified"),
     "--device needs a CDI name: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  after = oci_spec_to_json(s);
  ok(!strcmp(before, after), "still nothing applied");
  free(after);
  free(before);
  oci_spec_free(s);
}

static void test_requests(void)
{
  struct husk_err e = {0};
  struct oci_spec *s =
      config(0, 0, "\"cdi.k8s.io/b\":\"v.com/c=y\",\"cdi.k8s.io/a\":\"v.com/c=x\"");
  char *null_env[] = {"NVIDIA_VISIBLE_DEVICES=0", NULL}, **saved = s->process.env;
  ok(inject(s, NULL, NULL, &e) == 1, "annotations are requests");
  ok(cdi_strv_contains(s->process.env, "X=1") && cdi_strv_contains(s->process.env, "Y=1"),
     "both annotated devices");
  oci_spec_free(s);
  s = config(0, 0, "\"cdi.k8s.io/a\":\"v.com/c=x, v.com/c=y\"");
  ok(inject(s, NULL, NULL, &e) < 0 && strstr(e.msg, "annotation `cdi.k8s.io/a`"),
     "a bad annotation fails create: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  oci_spec_free(s);
  s = config(0, 0, "");
  saved = s->process.env;
  s->process.env = null_env;
  ok(inject(s, NULL, NULL, &e) == 0, "NVIDIA_VISIBLE_DEVICES for an absent kind: ignored");
  s->process.env = saved;
  oci_spec_free(s);
  put("run/nvidia.json", "{\"cdiVersion\":\"0.5.0\",\"kind\":\"nvidia.com/gpu\",\"devices\":["
                         "{\"name\":\"0\",\"containerEdits\":{\"env\":[\"GPU0=1\"]}},"
                         "{\"name\":\"all\",\"containerEdits\":{\"env\":[\"GPUALL=1\"]}}],"
                         "\"containerEdits\":{\"env\":[\"NVIDIA_VISIBLE_DEVICES=void\"]}}");
  s = config(0, 0, "");
  cdi_strv_push(&s->process.env, "NVIDIA_VISIBLE_DEVICES=all");
  ok(inject(s, NULL, NULL, &e) == 1 && cdi_strv_contains(s->process.env, "GPUALL=1") &&
         cdi_strv_contains(s->process.env, "NVIDIA_VISIBLE_DEVICES=void"),
     "NVIDIA_VISIBLE_DEVICES=all → nvidia.com/gpu=all, and the spec sets it to void");
  ok(s->hooks[OCI_HOOK_PRESTART].n == 1 &&
         !strcmp(s->hooks[OCI_HOOK_PRESTART].items[0].path, "/bin/keep"),
     "the legacy nvidia-container-runtime-hook prestart hook is removed");
  ok(inject(s, NULL, NULL, &e) == 0, "after injection the env says void: nothing more");
  oci_spec_free(s);
  s = config(0, 0, "");
  cdi_strv_push(&s->process.env, "NVIDIA_VISIBLE_DEVICES=0,7");
  ok(inject(s, NULL, NULL, &e) < 0 && strstr(e.msg, "nvidia.com/gpu=7") &&
         strstr(e.msg, "devices of kind nvidia.com/gpu: 0, all"),
     "an unknown GPU fails: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  cdi_strv_free(s->process.env);
  s->process.env = NULL;
  cdi_strv_push(&s->process.env, "NVIDIA_VISIBLE_DEVICES=none");
  ok(inject(s, NULL, NULL, &e) == 0, "none: nothing when no spec defines nvidia.com/gpu=none");
  put("run/nvidia-none.json", "{\"cdiVersion\":\"0.5.0\",\"kind\":\"nvidia.com/gpu\",\"devices\":["
                              "{\"name\":\"none\",\"containerEdits\":{\"env\":[\"DRIVER=1\"]}}]}");
  ok(inject(s, NULL, NULL, &e) == 1 && cdi_strv_contains(s->process.env, "DRIVER=1"),
     "none: the spec's `none` device when there is one");
  unlink_spec("run/nvidia-none.json");
  cdi_strv_free(s->process.env);
  s->process.env = NULL;
  cdi_strv_push(&s->process.env, "NVIDIA_VISIBLE_DEVICES=0,7");
  setenv(CDI_NVIDIA_ENV_SWITCH, "0", 1);
  ok(inject(s, NULL, NULL, &e) == 0, "HUSK_CDI_NVIDIA_ENV=0 ignores the variable");
  unsetenv(CDI_NVIDIA_ENV_SWITCH);
  oci_spec_free(s);
  s = config(0, 0, "\"cdi.k8s.io/a\":\"v.com/c=x\"");
  cdi_strv_push(&s->process.env, "NVIDIA_VISIBLE_DEVICES=all");
  ok(inject(s, NULL, NULL, &e) == 1 && !cdi_strv_contains(s->process.env, "GPUALL=1"),
     "annotations win over the environment");
  oci_spec_free(s);
  s = config(0, 0, "");
  ok(inject(s, "v.com/c=x", "v.com/c=x", &e) == 1 && s->hooks[OCI_HOOK_CREATE_CONTAINER].n == 1,
     "a name given twice is injected once");
  oci_spec_free(s);
}

static const struct oci_device *device(const struct oci_spec *s, const char *path)
{
  for (size_t i = 0; i < s->linux_.n_devices; i++)
    if (!strcmp(s->linux_.devices[i].path, path))
      return &s->linux_.devices[i];
  return NULL;
}

static int apply_one(struct oci_spec *s, const char *yaml_edits, struct husk_err *e)
{
  char doc[2048], *err = NULL;
  struct cdi_spec *cs = NULL;
  const struct cdi_edits *list[1];
  int r;
  snprintf(doc, sizeof doc,
           "cdiVersion: 1.1.0\nkind: t.com/t\ndevices:\n- name: d\n"
           "  containerEdits:\n%s",
           yaml_edits);
  if (cdi_spec_parse(doc, strlen(doc), true, &cs, &err) < 0) {
    printf("# spec: %s\n", err);
    free(err);
    return -2;
  }
  list[0] = &cs->devices[0].edits;
  r = cdi_apply_edits(s, list, 1, e);
  cdi_spec_free(cs);
  return r;
}

static void test_device_nodes(void)
{
  struct oci_spec *s = config(0, 0, "");
  struct husk_err e = {0};
  const struct oci_device *d;
  const struct oci_resources *res = &s->linux_.resources;
  char edits[512];
  ok(apply_one(s, "    deviceNodes: [{path: /dev/fake0, hostPath: /dev/null, permissions: rw}]\n",
               &e) == 0,
     "a node from /dev/null");
  d = device(s, "/dev/fake0");
  ok(d && !strcmp(d->type, "c") && d->major == 1 && d->minor == 3, "type and numbers from stat");
  ok(d && d->file_mode.set && d->file_mode.value == 0666, "fileMode from the host");
  ok(d && d->host_path && !strcmp(d->host_path, "/dev/null"), "hostPath kept for a bind mount");
  ok(d && !d->uid.set && !d->gid.set, "no owner for a root process");
  ok(s->linux_.n_devices == 1, "the old /dev/fake0 is replaced");
  ok(res->n_devices == 2 && res->devices[1].allow && !strcmp(res->devices[1].type, "c") &&
         res->devices[1].major.value == 1 && res->devices[1].minor.value == 3 &&
         !strcmp(res->devices[1].access, "rw"),
     "a cgroup allow rule c 1:3 rw");
  ok(apply_one(s, "    deviceNodes: [{path: /dev/null}]\n", &e) == 0 &&
         !strcmp(res->devices[2].access, "rwm") && !device(s, "/dev/null")->host_path,
     "no permissions: rwm; no hostPath: none kept");
  ok(apply_one(s, "    deviceNodes: [{path: /dev/n2, hostPath: /dev/null, permissions: none}]\n",
               &e) == 0 &&
         res->n_devices == 3,
     "permissions none: no rule");
  ok(apply_one(s, "    deviceNodes: [{path: /dev/b, hostPath: /dev/null, type: b}]\n", &e) < 0 &&
         strstr(e.msg, "host type mismatch"),
     "type b on a char device: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  ok(apply_one(s, "    deviceNodes: [{path: /dev/none, hostPath: /nonexistent/dev}]\n", &e) < 0 &&
         strstr(e.msg, "failed to stat CDI host device `/nonexistent/dev`"),
     "missing host node: %s", e.msg ? e.msg : "");
  herr_clear(&e);
  ok(apply_one(s, "    deviceNodes: [{path: /dev/etc, hostPath: /etc/passwd}]\n", &e) < 0 &&
         strstr(e.msg, "not a device node"),
     "a regular file is no device node");
  herr_clear(&e);
  ok(apply_one(s,
               "    deviceNodes: [{path: /dev/min, hostPath: /nonexistent, type: c, major: 240,"
               " minor: 2}]\n",
               &e) == 0,
     "a minimally specified node needs no host node");
  d = device(s, "/dev/min");
  ok(d && d->major == 240 && d->minor == 2 && !d->file_mode.set, "kept as given");
  snprintf(edits, sizeof edits, "    deviceNodes: [{path: /dev/fifo, hostPath: %s/fifo}]\n", tmp);
  ok(apply_one(s, edits, &e) == 0 && (d = device(s, "/dev/fifo")) && !strcmp(d->type, "p") &&
         d->file_mode.value == 0640 && res->n_devices == 4,
     "a FIFO: type p, its mode, no cgroup rule");
  oci_spec_free(s);
  s = config(1000, 100, "");
  ok(apply_one(s,
               "    deviceNodes: [{path: /dev/u, hostPath: /dev/null}, "
               "{path: /dev/v, hostPath: /dev/null, uid: 5, gid: 6}]\n",
               &e) == 0,
     "nodes for a non-root process");
  d = device(s, "/dev/u");
  ok(d && d->uid.set && d->uid.value == 1000 && d->gid.value == 100, "owned by the process user");
  d = device(s, "/dev/v");
  ok(d && d->uid.value == 5 && d->gid.value == 6, "unless the spec says otherwise");
  oci_spec_free(s);
}

static void mount_order(const struct oci_spec *s, char *buf, size_t cap)
{
  buf[0] = '\0';
  for (size_t i = 0; i < s->n_mounts; i++)
    snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? " " : "", s->mounts[i].destination);
}

static void test_mounts(void)
{
  struct oci_spec *s = config(0, 0, "");
  struct husk_err e = {0};
  char order[512];
  static const char *const clean[][2] = {{"", "."},
                                         {"/", "/"},
                                         {"//a//b/", "/a/b"},
                                         {"a/../..", ".."},
                                         {"/../a", "/a"},
                                         {"./x/./y/..", "x"},
                                         {"/a/b/../../..", "/"},
                                         {"a/b/../c/.", "a/c"},
                                         {"../../x", "../../x"},
                                         {"/a/./b/../../c/", "/c"}};
  for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
    char *c = cdi_path_clean(clean[i][0]);
    ok_str(c, clean[i][1], clean[i][0]);
    free(c);
  }
  ok(apply_one(s,
               "    mounts:\n"
               "    - {hostPath: /h/pts, containerPath: /dev/pts, options: [bind]}\n"
               "    - {hostPath: /h/abc, containerPath: /a/b/c, type: none, options: [ro, rbind]}\n"
               "    - {hostPath: /h/z, containerPath: /z}\n",
               &e) == 0,
     "mounts applied");
  mount_order(s, order, sizeof order);
  ok_str(order, "/proc /dev /sys /z /data/x /dev/pts /a/b/c",
         "replace by destination, then a stable sort by depth");
  ok(s->n_mounts == 7 && !strcmp(s->mounts[5].source, "/h/pts") &&
         !strcmp(s->mounts[5].options[0], "bind") && !s->mounts[5].type,
     "the replacement is the CDI mount, no type added");
  ok(!strcmp(s->mounts[6].type, "none") && !strcmp(s->mounts[6].options[1], "rbind"),
     "type and options copied");
  oci_spec_free(s);
}

static void test_other_edits(void)
{
  struct oci_spec *s = config(0, 0, "");
  struct husk_err e = {0};
  const struct oci_hook_list *cc = &s->hooks[OCI_HOOK_CREATE_CONTAINER];
  ok(apply_one(s,
               "    hooks:\n"
               "    - {hookName: createContainer, path: /bin/h1, args: [h1, a], env: [E=1], "
               "timeout: 3}\n"
               "    - {hookName: poststop, path: /bin/h2}\n"
               "    - {hookName: createContainer, path: /bin/h3}\n"
               "    - {hookName: createContainer, path: /bin/ga}\n",
               &e) == 0,
     "hooks applied");
  ok(cc->n == 3 && !strcmp(cc->items[1].path, "/bin/h1") && !strcmp(cc->items[2].path, "/bin/h3"),
     "appended in order; the one identical to an existing hook skipped");
  ok(!strcmp(cc->items[1].args[1], "a") && !strcmp(cc->items[1].env[0], "E=1") &&
         cc->items[1].timeout.value == 3,
     "args, env and timeout verbatim");
  ok(!cc->items[2].args && !cc->items[2].env, "no env: none (never the container's)");
  ok(s->hooks[OCI_HOOK_POSTSTOP].n == 1, "poststop");
  ok(apply_one(s,
               "    intelRdt: {closID: c1, l3CacheSchema: 'L3:0=f', schemata: ['MB:0=5'], "
               "enableMonitoring: true}\n"
               "    additionalGids: [0, 44, 44, 45]\n"
               "    netDevices: [{hostInterfaceName: eth9, name: net0}]\n",
               &e) == 0,
     "intelRdt, gids, netDevices applied");
  ok(s->linux_.intel_rdt.set && !strcmp(s->linux_.intel_rdt.clos_id, "c1") &&
         s->linux_.intel_rdt.enable_monitoring &&
         !strcmp(s->linux_.intel_rdt.schemata[0], "MB:0=5"),
     "intelRdt");
  ok(s->process.user.n_additional_gids == 2 && s->process.user.additional_gids[0] == 44 &&
         s->process.user.additional_gids[1] == 45,
     "gid 0 and duplicates skipped");
  ok(apply_one(s,
               "    intelRdt: {closID: c2}\n    additionalGids: [45]\n"
               "    netDevices: [{hostInterfaceName: eth9, name: net1}]\n",
               &e) == 0,
     "applied again");
  ok(!strcmp(s->linux_.intel_rdt.clos_id, "c2") && !s->linux_.intel_rdt.l3_cache_schema &&
         !s->linux_.intel_rdt.enable_monitoring,
     "intelRdt replaced wholesale");
  ok(s->process.user.n_additional_gids == 2, "an existing gid is not repeated");
  ok(s->linux_.n_net_devices == 1 && !strcmp(s->linux_.net_devices[0].name, "net1"),
     "netDevices keyed by host interface");
  oci_spec_free(s);
}

int main(void)
{
#ifndef HAVE_YAML
  printf("1..0 # SKIP built without libyaml (the specs here are YAML)\n");
  return 77;
#endif
  setup();
  test_dirs();
  test_registry();
  test_global_edits_follow_the_winner();
  test_unresolvable();
  test_requests();
  test_device_nodes();
  test_mounts();
  test_other_edits();
  rm_rf_at(AT_FDCWD, tmp, NULL);
  return tap_done();
}
