/* Loading one CDI spec file: read, parse by extension, decode, validate. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi/spec.h"
#include "cdi/strv.h"
#include "oci_json.h"

#define CDI_MAX_SPEC_SIZE (16u << 20) /* NVIDIA's largest specs are a few hundred KiB */

int cdi_spec_parse(const char *data, size_t len, bool yaml, struct cdi_spec **out, char **err)
{
  struct oci_json *tree;
  char *why = NULL;
  *out = NULL;
  *err = NULL;
  if (yaml)
    tree = cdi_yaml_parse(data, len, err);
  else
    tree = oci_json_parse(data, len, "json", err);
  if (!tree)
    return -1;
  if (cdi_spec_decode(tree, yaml, out, err) < 0) {
    oci_json_free(tree);
    return -1;
  }
  oci_json_free(tree);
  if (cdi_spec_validate(*out, &why) < 0) {
    *err = why;
    cdi_spec_free(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

static int read_spec_file(const char *path, char **data, size_t *len, char **err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat st;
  ssize_t n;
  size_t got = 0;
  *data = NULL;
  if (fd < 0 || fstat(fd, &st) < 0)
    goto sys;
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    *err = strdup("not a regular file");
    return -1;
  }
  if ((size_t)st.st_size > CDI_MAX_SPEC_SIZE) {
    close(fd);
    if (asprintf(err, "file too large (%lld bytes, limit %u)", (long long)st.st_size,
                 CDI_MAX_SPEC_SIZE) < 0)
      *err = NULL;
    return -1;
  }
  if (!(*data = malloc((size_t)st.st_size + 1)))
    goto sys;
  while (got < (size_t)st.st_size && (n = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
    got += (size_t)n;
  if (got < (size_t)st.st_size && n < 0)
    goto sys;
  (*data)[got] = '\0';
  *len = got;
  close(fd);
  return 0;
sys:
  if (asprintf(err, "read: %s", strerror(errno)) < 0)
    *err = NULL;
  if (fd >= 0)
    close(fd);
  free(*data);
  *data = NULL;
  return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cdi_spec_load(const char *path, int priority, struct cdi_spec **out, char **err)
{
  char *data;
  size_t len;
  int r;
  *out = NULL;
  *err = NULL;
  if (read_spec_file(path, &data, &len, err) < 0)
    return -1;
  r = cdi_spec_parse(data, len, ends_with(path, ".yaml"), out, err);
  free(data);
  if (r == 0 && (!((*out)->path = strdup(path)))) {
    cdi_spec_free(*out);
    *out = NULL;
    return -1;
  }
  if (r == 0)
    (*out)->priority = priority;
  return r;
}

static void map_clear(struct oci_map *m)
{
  for (size_t i = 0; i < m->n; i++) {
    free(m->items[i].key);
    free(m->items[i].value);
  }
  free(m->items);
  m->items = NULL;
  m->n = 0;
}

void cdi_edits_clear(struct cdi_edits *e)
{
  cdi_strv_free(e->env);
  for (size_t i = 0; e->device_nodes && i < e->n_device_nodes; i++) {
    free(e->device_nodes[i].path);
    free(e->device_nodes[i].host_path);
    free(e->device_nodes[i].type);
    free(e->device_nodes[i].permissions);
  }
  free(e->device_nodes);
  for (size_t i = 0; e->mounts && i < e->n_mounts; i++) {
    free(e->mounts[i].host_path);
    free(e->mounts[i].container_path);
    free(e->mounts[i].type);
    cdi_strv_free(e->mounts[i].options);
  }
  free(e->mounts);
  for (size_t i = 0; e->hooks && i < e->n_hooks; i++) {
    free(e->hooks[i].hook_name);
    free(e->hooks[i].path);
    cdi_strv_free(e->hooks[i].args);
    cdi_strv_free(e->hooks[i].env);
  }
  free(e->hooks);
  if (e->intel_rdt) {
    free(e->intel_rdt->clos_id);
    free(e->intel_rdt->l3_cache_schema);
    free(e->intel_rdt->mem_bw_schema);
    cdi_strv_free(e->intel_rdt->schemata);
    free(e->intel_rdt);
  }
  free(e->additional_gids);
  for (size_t i = 0; e->net_devices && i < e->n_net_devices; i++) {
    free(e->net_devices[i].host_interface_name);
    free(e->net_devices[i].name);
  }
  free(e->net_devices);
  *e = (struct cdi_edits){0};
}

void cdi_spec_free(struct cdi_spec *s)
{
  if (!s)
    return;
  free(s->version);
  free(s->kind);
  free(s->vendor);
  free(s->class_);
  map_clear(&s->annotations);
  for (size_t i = 0; s->devices && i < s->n_devices; i++) {
    free(s->devices[i].name);
    map_clear(&s->devices[i].annotations);
    cdi_edits_clear(&s->devices[i].edits);
  }
  free(s->devices);
  cdi_edits_clear(&s->edits);
  free(s->path);
  free(s);
}
