/* CDI: names, spec parsing (JSON and YAML), validation and the
 * minimum-version rule, over the files in tests/unit/data/cdi and specs
 * generated here for every cdiVersion. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi.h"
#include "cdi/names.h"
#include "cdi/spec.h"
#include "cdi/strv.h"
#include "oci_json.h"
#include "tap.h"

static char datadir[1024];

static void test_names(void)
{
  static const char *const good[] = {"vendor.com/class=dev",
                                     "nvidia.com/gpu=0",
                                     "nvidia.com/gpu=0:1",
                                     "nvidia.com/gpu=all",
                                     "a/b=c",
                                     "foo.bar.baz/foo-bar123.B_az=x_y.z-1",
                                     "nvidia.com/gpu=GPU-5e0f9a2c-1b3d-4c7e-8a90-0123456789ab",
                                     "v/c=a=b" /* split at the first '=': name `a=b`... */};
  static const char *const bad[] = {"",
                                    "/dev/null",
                                    "vendor.com/class",
                                    "vendor.com=dev",
                                    "=dev",
                                    "vendor.com/=dev",
                                    "/class=dev",
                                    "vendor.com/class=",
                                    "1vendor/class=dev",
                                    "vendor-/class=dev",
                                    "vendor/cl ass=dev",
                                    "vendor.com/foo/bar=dev",
                                    "vendor/class=-dev",
                                    "vendor/class=dev-",
                                    "vendor/class=dev,x",
                                    " nvidia.com/gpu=0",
                                    "nvidia.com/gpu=0 "};
  struct cdi_name n;
  char *err = NULL;
  const char *why;
  for (size_t i = 0; i + 1 < sizeof good / sizeof good[0]; i++)
    ok(cdi_is_qualified(good[i]), "qualified: %s", good[i]);
  ok(!cdi_is_qualified(good[7]), "`a=b` is no device name ('=' inside)");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok(!cdi_is_qualified(bad[i]), "not qualified: `%s`", bad[i]);
  ok(cdi_parse_qualified("nvidia.com/gpu=0:1", &n, &err) == 0, "parse a MIG name");
  ok_str(n.vendor, "nvidia.com", "vendor");
  ok_str(n.class_, "gpu", "class");
  ok_str(n.device, "0:1", "device");
  cdi_name_clear(&n);
  ok(cdi_parse_qualified("vendor.com/foo/bar=x", &n, &err) < 0 && err &&
         strstr(err, "class `foo/bar` contains an invalid character"),
     "extra '/' lands in the class: %s", err ? err : "");
  free(err);
  ok(cdi_parse_qualified("/dev/null", &n, &err) < 0 && strstr(err, "not a qualified"),
     "a path is no CDI name");
  free(err);
  ok(cdi_validate_vendor("a", &why) == 0, "one-letter vendor");
  ok(cdi_validate_device_name("0", &why) == 0, "one-digit device");
  ok(cdi_validate_device_name("a.b_c-d:e", &why) == 0, "device with . _ - :");
  ok(cdi_validate_class("a:b", &why) < 0, "':' only in device names");
  ok(cdi_validate_vendor("ä.com", &why) < 0, "only ASCII letters");
}

static void test_annotations(void)
{
  struct oci_kv kv[] = {{"cdi.k8s.io/z", "v.com/c=b"},
                        {"other/x", "not/a=name"},
                        {"cdi.k8s.io/a", "v.com/c=a,v.com/c=b"},
                        {"nvidia.cdi.k8s.io/x", "v.com/c=zz"}};
  struct oci_map m = {4, kv};
  char **v = NULL, *err = NULL;
  size_t n = 0;
  ok(cdi_annotation_devices(&m, &v, &n, &err) == 0 && n == 3, "3 names from 2 cdi.k8s.io/ keys");
  ok(v && !strcmp(v[0], "v.com/c=a") && !strcmp(v[1], "v.com/c=b") && !strcmp(v[2], "v.com/c=b"),
     "keys sorted, values in order, other prefixes ignored");
  cdi_strv_free(v);
  v = NULL;
  n = 0;
  kv[2].value = "v.com/c=a, v.com/c=b";
  ok(cdi_annotation_devices(&m, &v, &n, &err) < 0 && err && strstr(err, "cdi.k8s.io/a") &&
         strstr(err, "` v.com/c=b`"),
     "a space makes the name invalid: %s", err ? err : "");
  free(err);
  cdi_strv_free(v);
  v = NULL;
  kv[2].value = "";
  ok(cdi_annotation_devices(&m, &v, &n, &err) < 0, "an empty value is an invalid name");
  free(err);
  cdi_strv_free(v);
}

static void check_env(const char *value, const char *want)
{
  char **v = NULL, buf[512] = "";
  ok(cdi_nvidia_env_devices(value, &v) == 0, "NVIDIA_VISIBLE_DEVICES=%s maps", value);
  for (size_t i = 0; v && v[i]; i++)
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", v[i]);
  ok_str(buf, want, value ? value : "(unset)");
  cdi_strv_free(v);
}

static void test_nvidia_env(void)
{
  check_env(NULL, "");
  check_env("", "");
  check_env("void", "");
  check_env(" void ", "");
  check_env("none", "nvidia.com/gpu=none");
  check_env("all", "nvidia.com/gpu=all");
  check_env("0,1", "nvidia.com/gpu=0 nvidia.com/gpu=1");
  check_env(" 0 , 1 ,,0", "nvidia.com/gpu=0 nvidia.com/gpu=1");
  check_env("GPU-5e0f9a2c-1b3d", "nvidia.com/gpu=GPU-5e0f9a2c-1b3d");
  check_env("0:1,MIG-abc", "nvidia.com/gpu=0:1 nvidia.com/gpu=MIG-abc");
  check_env("example.com/class=dev,2", "example.com/class=dev nvidia.com/gpu=2");
}

static bool is_yaml(const char *name)
{
  size_t n = strlen(name);
  return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

#ifdef HAVE_YAML
#define YAML_BUILT true
#else
#define YAML_BUILT false
#endif
#define NO_YAML "YAML support is not built in"

static int load(const char *rel, struct cdi_spec **s, char **err)
{
  char path[2200];
  snprintf(path, sizeof path, "%s/%s", datadir, rel);
  return cdi_spec_load(path, 0, s, err);
}

static void test_good_files(void)
{
  DIR *d;
  struct dirent *de;
  char sub[1100];
  size_t n = 0;
  snprintf(sub, sizeof sub, "%s/good", datadir);
  if (!ok((d = opendir(sub)) != NULL, "open %s", sub))
    return;
  while ((de = readdir(d))) {
    struct cdi_spec *s = NULL;
    char rel[1100], *err = NULL;
    if (de->d_name[0] == '.')
      continue;
    snprintf(rel, sizeof rel, "good/%s", de->d_name);
    if (!YAML_BUILT && is_yaml(de->d_name))
      ok(load(rel, &s, &err) < 0 && err && strstr(err, NO_YAML), "%s: " NO_YAML, de->d_name);
    else
      ok(load(rel, &s, &err) == 0, "good: %s loads%s%s", de->d_name, err ? ": " : "",
         err ? err : "");
    free(err);
    cdi_spec_free(s);
    n++;
  }
  closedir(d);
  ok(n >= 15, "%zu good files", n);
}

static void test_bad_files(void)
{
  char path[1100], line[1024];
  FILE *f;
  size_t n = 0, files = 0;
  DIR *d;
  struct dirent *de;
  snprintf(path, sizeof path, "%s/bad-expect.txt", datadir);
  if (!ok((f = fopen(path, "r")) != NULL, "open %s", path))
    return;
  while (fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t'), rel[1100], *err = NULL;
    const char *want;
    struct cdi_spec *s = NULL;
    if (!tab)
      continue;
    *tab = '\0';
    tab[1 + strcspn(tab + 1, "\n")] = '\0';
    snprintf(rel, sizeof rel, "bad/%s", line);
    want = YAML_BUILT || !is_yaml(line) ? tab + 1 : NO_YAML;
    if (!ok(load(rel, &s, &err) < 0 && err && strstr(err, want), "bad: %s: %s", line, want))
      printf("#   got: %s\n", err ? err : "(loaded)");
    free(err);
    cdi_spec_free(s);
    n++;
  }
  fclose(f);
  snprintf(path, sizeof path, "%s/bad", datadir);
  if ((d = opendir(path))) {
    while ((de = readdir(d)))
      files += de->d_name[0] != '.';
    closedir(d);
  }
  ok(n == files && n >= 60, "every bad file has an expected error (%zu of %zu)", n, files);
}

static void test_file_contents(void)
{
  if (!YAML_BUILT)
    return;
  struct cdi_spec *s = NULL;
  char *err = NULL;
  const struct cdi_device_node *nd;
  if (ok(load("good/yaml-features.yaml", &s, &err) == 0, "yaml-features loads")) {
    ok_str(s->devices[0].name, "0", "a plain YAML integer fills a string field");
    nd = &s->devices[0].edits.device_nodes[0];
    ok(nd->major == 226 && nd->minor == 1, "0xe2 and 0b1");
    ok(nd->file_mode.set && nd->file_mode.value == 0666, "fileMode 0666 is octal in YAML 1.1");
    ok(nd->uid.set && nd->uid.value == 1000, "1_000");
    ok_str(s->devices[0].edits.env[0], "QUOTED=it's", "single-quoted");
    ok_str(s->devices[0].edits.env[1], "DOUBLE=tab\there", "double-quoted escapes");
    ok_str(s->devices[0].edits.env[2], "PLAIN=a b c", "plain with spaces");
    ok_str(s->devices[0].edits.env[3], "FOLDED=one two", "folded");
    nd = &s->devices[1].edits.device_nodes[0];
    ok(!strcmp(nd->path, "/dev/card0") && nd->major == 226, "alias copies the node");
    ok(cdi_strv_len(s->devices[1].edits.env) == 4, "alias copies the env list");
    ok(s->devices[1].edits.hooks[0].timeout.value == 7, "!!int tag");
    ok_str(cdi_spec_min_version(s), "0.5.0", "needs 0.5.0 (digit name)");
  }
  cdi_spec_free(s);
  free(err);
  s = NULL;
  if (ok(load("good/nvidia-example.yaml", &s, &err) == 0, "nvidia example loads")) {
    ok(s->n_devices == 3 && s->edits.n_hooks == 4 && s->edits.n_device_nodes == 4 &&
           s->edits.n_mounts == 4,
       "3 devices, 4 hooks, 4 control nodes, 4 mounts");
    ok_str(s->edits.hooks[2].args[1], "update-ldcache", "hook args in order");
    ok_str(s->vendor, "nvidia.com", "vendor");
    ok_str(s->class_, "gpu", "class");
  }
  cdi_spec_free(s);
  s = NULL;
  if (ok(load("good/case-insensitive-key.json", &s, &err) == 0, "case-insensitive keys")) {
    ok(s->edits.n_additional_gids == 1 && s->edits.additional_gids[0] == 5, "additionalGIDs");
    ok_str(s->edits.env[0], "A=2", "Env");
  }
  cdi_spec_free(s);
  s = NULL;
  if (ok(load("good/v110-full.json", &s, &err) == 0, "1.1.0 file")) {
    ok_str(cdi_spec_min_version(s), "1.1.0", "needs 1.1.0");
    ok(s->devices[1].edits.intel_rdt->enable_monitoring, "enableMonitoring");
  }
  cdi_spec_free(s);
  s = NULL;
  if (ok(load("good/v070-rdt-gids.yaml", &s, &err) == 0, "0.7.0 file"))
    ok(s->devices[0].edits.n_additional_gids == 4, "gids as written (0 is dropped at apply)");
  cdi_spec_free(s);
}

/* Each feature with the version that introduced it. */
struct feature {
  const char *name, *min, *json, *yaml;
};
static const struct feature features[] = {
    {"plain", "0.1.0",
     "\"kind\":\"v.com/c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"env\":[\"A=1\"]}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {env: [A=1]}}]\n"},
    {"mount type", "0.4.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"mounts\":[{\"hostPath\":\"/"
     "a\",\"containerPath\":\"/b\",\"type\":\"none\"}]}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {mounts: [{hostPath: /a, containerPath: "
     "/b, type: none}]}}]\n"},
    {"hostPath", "0.5.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/"
     "x\",\"hostPath\":\"/dev/null\"}]}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {deviceNodes: [{path: /dev/x, hostPath: "
     "/dev/null}]}}]\n"},
    {"digit name", "0.5.0",
     "\"kind\":\"v.com/c\",\"devices\":[{\"name\":\"0\",\"containerEdits\":{\"env\":[\"A=1\"]}}]",
     "kind: v.com/c\ndevices: [{name: '0', containerEdits: {env: [A=1]}}]\n"},
    {"annotations", "0.6.0",
     "\"kind\":\"v.com/"
     "c\",\"annotations\":{\"k\":\"v\"},\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"env\":["
     "\"A=1\"]}}]",
     "kind: v.com/c\nannotations: {k: v}\ndevices: [{name: d, containerEdits: {env: [A=1]}}]\n"},
    {"device annotations", "0.6.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"annotations\":{\"k\":\"v\"},\"containerEdits\":{\"env\":["
     "\"A=1\"]}}]",
     "kind: v.com/c\ndevices: [{name: d, annotations: {k: v}, containerEdits: {env: [A=1]}}]\n"},
    {"dot in class", "0.6.0",
     "\"kind\":\"v.com/c.d\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"env\":[\"A=1\"]}}]",
     "kind: v.com/c.d\ndevices: [{name: d, containerEdits: {env: [A=1]}}]\n"},
    {"intelRdt", "0.7.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"intelRdt\":{\"closID\":\"x\"}}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {intelRdt: {closID: x}}}]\n"},
    {"additionalGids", "0.7.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"additionalGids\":[3]}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {additionalGids: [3]}}]\n"},
    {"netDevices", "1.1.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"netDevices\":[{\"hostInterfaceName\":"
     "\"e0\",\"name\":\"n0\"}]}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {netDevices: [{hostInterfaceName: e0, "
     "name: n0}]}}]\n"},
    {"schemata", "1.1.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"intelRdt\":{\"schemata\":[\"L3:0=f\"]}"
     "}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {intelRdt: {schemata: ['L3:0=f']}}}]\n"},
    {"enableMonitoring", "1.1.0",
     "\"kind\":\"v.com/"
     "c\",\"devices\":[{\"name\":\"d\",\"containerEdits\":{\"intelRdt\":{\"enableMonitoring\":true}"
     "}}]",
     "kind: v.com/c\ndevices: [{name: d, containerEdits: {intelRdt: {enableMonitoring: true}}}]\n"},
};
static const char *const all_versions[] = {"0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0",
                                           "0.6.0", "0.7.0", "0.8.0", "1.0.0", "1.1.0"};

static void test_version_matrix(void)
{
  size_t good = 0, refused = 0;
  for (size_t f = 0; f < sizeof features / sizeof features[0]; f++) {
    for (size_t v = 0; v < sizeof all_versions / sizeof all_versions[0]; v++) {
      const char *ver = all_versions[v];
      bool want = cdi_version_index(ver) >= cdi_version_index(features[f].min);
      for (int yaml = 0; yaml < (YAML_BUILT ? 2 : 1); yaml++) {
        char doc[1024], *err = NULL;
        struct cdi_spec *s = NULL;
        int r;
        if (yaml)
          snprintf(doc, sizeof doc, "cdiVersion: %s%s\n%s", v % 2 ? "v" : "", ver,
                   features[f].yaml);
        else
          snprintf(doc, sizeof doc, "{\"cdiVersion\":\"%s\",%s}", ver, features[f].json);
        r = cdi_spec_parse(doc, strlen(doc), yaml, &s, &err);
        if (want) {
          good++;
          if (!ok(r == 0, "%s %s at %s loads", yaml ? "YAML" : "JSON", features[f].name, ver))
            printf("#   %s\n", err ? err : "");
          if (r == 0)
            ok_str(cdi_spec_min_version(s), features[f].min, "minimum version");
        } else {
          char need[64];
          refused++;
          snprintf(need, sizeof need, "must be at least v%s", features[f].min);
          if (!ok(r < 0 && err && strstr(err, need), "%s %s at %s refused (%s)",
                  yaml ? "YAML" : "JSON", features[f].name, ver, need))
            printf("#   %s\n", err ? err : "(loaded)");
        }
        free(err);
        cdi_spec_free(s);
      }
    }
  }
  ok(good > (YAML_BUILT ? 100 : 50) && refused > (YAML_BUILT ? 80 : 40),
     "%zu accepted and %zu refused combinations", good, refused);
  ok(cdi_version_index("v0.5.0") == cdi_version_index("0.5.0"), "leading v tolerated");
  ok(cdi_version_index("0.9.0") < 0 && cdi_version_index("1.2.0") < 0 &&
         cdi_version_index("1.1") < 0 && cdi_version_index("") < 0,
     "unknown versions");
}

static void test_yaml_limits(void)
{
  if (!YAML_BUILT)
    return;
  size_t depth = 300, len = 0;
  char *doc = malloc(depth * 3 + 64), *err = NULL;
  struct oci_json *t;
  for (size_t i = 0; i < depth; i++)
    len += (size_t)sprintf(doc + len, "- ");
  strcpy(doc + len, "x\n");
  t = cdi_yaml_parse(doc, strlen(doc), &err);
  ok(!t && err && strstr(err, "nested too deeply"), "300 nested sequences refused: %s",
     err ? err : "");
  free(err);
  free(doc);
  err = NULL;
  {
    const char *laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                         "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    t = cdi_yaml_parse(laughs, strlen(laughs), &err);
    ok(!t && err && strstr(err, "too large"), "alias bomb refused: %s", err ? err : "");
    free(err);
  }
  err = NULL;
  t = cdi_yaml_parse("", 0, &err);
  ok(t != NULL, "an empty YAML stream is a null document");
  if (t) {
    struct cdi_spec *s = NULL;
    ok(cdi_spec_decode(t, true, &s, &err) < 0 && strstr(err, "empty document"),
       "and decodes to an error");
    free(err);
    oci_json_free(t);
  }
}

int main(void)
{
  const char *srcdir = getenv("srcdir");
  snprintf(datadir, sizeof datadir, "%s/tests/unit/data/cdi", srcdir ? srcdir : ".");
  test_names();
  test_annotations();
  test_nvidia_env();
  test_good_files();
  test_bad_files();
  test_file_contents();
  test_version_matrix();
  test_yaml_limits();
  return tap_done();
}
