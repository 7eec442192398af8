/* husk cdi list | inject: what the CDI spec directories offer, and what the
 * edits would make of a bundle's config (nothing is created). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi.h"
#include "cdi/registry.h"
#include "cdi/strv.h"
#include "cmd/cmd.h"
#include "oci_json.h"

#define USAGE                                                                                      \
  "cdi list [--format text|json] | cdi inject [--bundle DIR] [--config FILE] "                     \
  "[--device VENDOR/CLASS=NAME]..."

enum { O_DEVICE = 256 };

static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                     {"bundle", required_argument, NULL, 'b'},
                                     {"config", required_argument, NULL, 'c'},
                                     {"device", required_argument, NULL, O_DEVICE},
                                     HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

struct cdi_cli {
  bool json;
  const char *bundle, *config;
  char **devices;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct cdi_cli *l = ctx;
  switch (c) {
  case 'f':
    if (strcmp(arg, "json") && strcmp(arg, "text")) {
      fprintf(stderr, "husk cdi: --format: expected text or json\n");
      return -1;
    }
    l->json = strcmp(arg, "json") == 0;
    return 0;
  case 'b':
    l->bundle = arg;
    return 0;
  case 'c':
    l->config = arg;
    return 0;
  case O_DEVICE:
    return cdi_strv_push(&l->devices, arg);
  }
  return 0;
}

static char *list_json(const struct cdi_registry *r)
{
  struct oci_json_gen *g = oci_json_gen_new(true);
  char *out;
  oci_json_map_open(g);
  oci_json_strv(g, "specDirs", r->dirs);
  oci_json_key(g, "devices");
  oci_json_array_open(g);
  for (size_t i = 0; i < r->n_entries; i++) {
    oci_json_map_open(g);
    oci_json_kv_string(g, "name", r->entries[i].name);
    oci_json_kv_string(g, "spec", r->entries[i].spec->path);
    oci_json_kv_string(g, "cdiVersion", r->entries[i].spec->version);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
  oci_json_key(g, "errors");
  oci_json_array_open(g);
  for (size_t i = 0; i < r->n_errors; i++) {
    oci_json_map_open(g);
    oci_json_kv_string(g, "spec", r->errors[i].path);
    oci_json_kv_string(g, "error", r->errors[i].msg);
    oci_json_map_close(g);
  }
  oci_json_array_close(g);
  oci_json_map_close(g);
  out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}

static void list_text(const struct cdi_registry *r)
{
  printf("CDI spec directories:");
  for (size_t i = 0; r->dirs[i]; i++)
    printf(" %s", r->dirs[i]);
  printf("\n%zu device%s:\n", r->n_entries, r->n_entries == 1 ? "" : "s");
  for (size_t i = 0; i < r->n_entries; i++)
    printf("  %-40s %s\n", r->entries[i].name, r->entries[i].spec->path);
  if (r->n_errors)
    printf("%zu spec file error%s:\n", r->n_errors, r->n_errors == 1 ? "" : "s");
  for (size_t i = 0; i < r->n_errors; i++)
    printf("  %s: %s\n", r->errors[i].path, r->errors[i].msg);
}

static int cdi_list(struct husk_globals *g, struct cdi_cli *l)
{
  struct cdi_registry r;
  struct husk_err e = {0};
  char *json;
  if (cdi_registry_load(&r, g->cdi_spec_dirs, &e) < 0)
    return cmd_fail(&e);
  if (!l->json) {
    list_text(&r);
  } else if ((json = list_json(&r))) {
    printf("%s\n", json);
    free(json);
  }
  cdi_registry_free(&r);
  return 0;
}

static int cdi_inject_cmd(struct husk_globals *g, struct cdi_cli *l)
{
  struct cdi_opts o = {.devices = l->devices, .spec_dirs = g->cdi_spec_dirs};
  struct husk_err e = {0};
  struct oci_spec *spec = NULL;
  char *path = NULL, *msg = NULL, *json;
  const char *cfg = l->config ? l->config : "config.json";
  if (l->bundle && cfg[0] != '/' && asprintf(&path, "%s/%s", l->bundle, cfg) < 0)
    return 1;
  if (oci_spec_parse_file(path ? path : cfg, &spec, &msg) < 0) {
    free(path);
    herr_take(&e, EINVAL, msg);
    return cmd_fail(&e);
  }
  free(path);
  if (cdi_inject(spec, &o, &e) < 0) {
    oci_spec_free(spec);
    return cmd_fail(&e);
  }
  if ((json = oci_spec_to_json(spec)))
    printf("%s\n", json);
  free(json);
  oci_spec_free(spec);
  return json ? 0 : 1;
}

int cmd_cdi(struct husk_globals *g, int argc, char **argv)
{
  struct cdi_cli l = {0};
  struct husk_err e = {0};
  int first = cmd_parse(argc, argv, USAGE, opts, "f:b:", false, on_opt, &l), r;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, USAGE, &e) < 0) {
    cdi_strv_free(l.devices);
    return cmd_fail(&e);
  }
  if (strcmp(argv[first], "list") == 0)
    r = cdi_list(g, &l);
  else if (strcmp(argv[first], "inject") == 0)
    r = cdi_inject_cmd(g, &l);
  else {
    herr(&e, 0, "cdi: unknown subcommand `%s` (list or inject)", argv[first]);
    r = cmd_fail(&e);
  }
  cdi_strv_free(l.devices);
  return r;
}
