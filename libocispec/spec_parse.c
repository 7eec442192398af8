/* config.json: the top level, root, mounts, hooks and annotations, plus the
 * document plumbing shared by every parser. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec_internal.h"

static const char *const hook_names[OCI_HOOK_PHASES] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

int oci_parse_document(const char *data, size_t len, const char *name, oci_doc_fn fn,
                       void *out, char **errmsg)
{
  struct jr r;
  struct oci_json *root = oci_json_parse(data, len, name, errmsg);
  int rc = -1;

  if (!root)
    return -1;
  jr_init(&r, name);
  if (root->type != OCI_JSON_OBJECT)
    jr_fail(&r, "expected a JSON object at the top level");
  else
    rc = fn(&r, root, out);
  if (rc < 0) {
    *errmsg = r.err;
    r.err = NULL;
  }
  free(r.err);
  jr_fini(&r);
  oci_json_free(root);
  return rc;
}

static int read_id_mapping(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_id_mapping *m = elem;
  if (jr_u32(r, o, "containerID", &m->container_id, true) < 0 ||
      jr_u32(r, o, "hostID", &m->host_id, true) < 0 || jr_u32(r, o, "size", &m->size, true) < 0)
    return -1;
  return 0;
}

int oci_read_id_mappings(struct jr *r, const struct oci_json *obj, const char *key,
                         struct oci_id_mappings *out)
{
  return jr_array_of(r, obj, key, sizeof(*out->items), &out->items, &out->n, read_id_mapping);
}

static int read_root(struct jr *r, const struct oci_json *o, struct oci_root *root)
{
  if (jr_string(r, o, "path", &root->path, true) < 0 ||
      jr_bool(r, o, "readonly", &root->readonly) < 0)
    return -1;
  return 0;
}

static int read_mount(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_mount *m = elem;
  if (jr_string(r, o, "destination", &m->destination, true) < 0 ||
      jr_string(r, o, "source", &m->source, false) < 0 ||
      jr_string(r, o, "type", &m->type, false) < 0 ||
      jr_strv(r, o, "options", &m->options) < 0 ||
      oci_read_id_mappings(r, o, "uidMappings", &m->uid_mappings) < 0 ||
      oci_read_id_mappings(r, o, "gidMappings", &m->gid_mappings) < 0)
    return -1;
  return 0;
}

static int read_hook(struct jr *r, const struct oci_json *o, void *elem)
{
  struct oci_hook *h = elem;
  if (jr_string(r, o, "path", &h->path, true) < 0 || jr_strv(r, o, "args", &h->args) < 0 ||
      jr_strv(r, o, "env", &h->env) < 0 || jr_opt_i64(r, o, "timeout", &h->timeout) < 0)
    return -1;
  if (h->timeout.set && h->timeout.value < 1) {
    size_t mark = jr_push_key(r, "timeout");
    jr_fail(r, "expected a positive integer");
    jr_pop(r, mark);
    return -1;
  }
  return 0;
}

static int read_hooks(struct jr *r, const struct oci_json *o, struct oci_spec *s)
{
  for (int i = 0; i < OCI_HOOK_PHASES; i++) {
    struct oci_hook_list *l = &s->hooks[i];
    if (jr_array_of(r, o, hook_names[i], sizeof(*l->items), &l->items, &l->n, read_hook) < 0)
      return -1;
  }
  return 0;
}

static int read_process(struct jr *r, const struct oci_json *o, struct oci_spec *s)
{
  s->has_process = true;
  return oci_read_process(r, o, &s->process);
}

static int read_root_obj(struct jr *r, const struct oci_json *o, struct oci_spec *s)
{
  s->has_root = true;
  return read_root(r, o, &s->root);
}

static int read_linux(struct jr *r, const struct oci_json *o, struct oci_spec *s)
{
  s->has_linux = true;
  return oci_read_linux(r, o, &s->linux_);
}

static int spec_doc(struct jr *r, const struct oci_json *o, void *out)
{
  struct oci_spec *s = out;
  if (jr_string(r, o, "ociVersion", &s->oci_version, true) < 0 ||
      JR_SUB(r, o, "process", read_process, s) < 0 ||
      JR_SUB(r, o, "root", read_root_obj, s) < 0 ||
      jr_string(r, o, "hostname", &s->hostname, false) < 0 ||
      jr_string(r, o, "domainname", &s->domainname, false) < 0 ||
      jr_array_of(r, o, "mounts", sizeof(*s->mounts), &s->mounts, &s->n_mounts, read_mount) < 0 ||
      JR_SUB(r, o, "hooks", read_hooks, s) < 0 ||
      jr_map(r, o, "annotations", &s->annotations) < 0 ||
      JR_SUB(r, o, "linux", read_linux, s) < 0)
    return -1;
  return 0;
}

int oci_spec_parse(const char *data, size_t len, const char *name, struct oci_spec **out,
                   char **errmsg)
{
  struct oci_spec *s = calloc(1, sizeof(*s));
  *out = NULL;
  *errmsg = NULL;
  if (!s)
    return -1;
  if (oci_parse_document(data, len, name, spec_doc, s, errmsg) < 0) {
    oci_spec_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "re");
  char *buf = NULL;
  size_t cap = 0, n = 0;

  if (!f)
    return NULL;
  for (;;) {
    if (n == cap) {
      char *p = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!p)
        break;
      buf = p;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (!ferror(f)) {
        fclose(f);
        *len = n;
        return buf;
      }
      break;
    }
  }
  int saved = errno;
  fclose(f);
  free(buf);
  errno = saved ? saved : ENOMEM;
  return NULL;
}

int oci_spec_parse_file(const char *path, struct oci_spec **out, char **errmsg)
{
  size_t len = 0;
  char *data = read_file(path, &len);
  *out = NULL;
  *errmsg = NULL;
  if (!data) {
    if (asprintf(errmsg, "%s: %s", path, strerror(errno)) < 0)
      *errmsg = NULL;
    return -1;
  }
  int rc = oci_spec_parse(data, len, path, out, errmsg);
  free(data);
  return rc;
}
