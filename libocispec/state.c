/* The container state document (runtime.md "State" plus runc's extras). */
#include <limits.h>
#include <stdlib.h>

#include "oci_state.h"
#include "spec_internal.h"

static void write_state(struct oci_json_gen *g, const struct oci_state *s)
{
  oci_json_map_open(g);
  oci_json_kv_string(g, "ociVersion", s->oci_version ? s->oci_version : "");
  oci_json_kv_string(g, "id", s->id ? s->id : "");
  oci_json_kv_int(g, "pid", s->pid);
  oci_json_kv_string(g, "status", s->status ? s->status : "");
  oci_json_kv_string(g, "bundle", s->bundle ? s->bundle : "");
  oci_json_kv_string(g, "rootfs", s->rootfs ? s->rootfs : "");
  oci_json_kv_string(g, "created", s->created ? s->created : "");
  if (s->annotations.n > 0)
    oci_write_map(g, "annotations", &s->annotations);
  oci_json_kv_string(g, "owner", s->owner ? s->owner : "");
  oci_json_map_close(g);
}

static char *finish(struct oci_json_gen *g)
{
  char *out = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  return out;
}

char *oci_state_to_json(const struct oci_state *s, bool pretty)
{
  struct oci_json_gen *g = oci_json_gen_new(pretty);
  if (!g)
    return NULL;
  write_state(g, s);
  return finish(g);
}

char *oci_state_list_to_json(const struct oci_state *states, size_t n)
{
  struct oci_json_gen *g = oci_json_gen_new(false);
  if (!g)
    return NULL;
  if (n == 0) {
    oci_json_null(g);
    return finish(g);
  }
  oci_json_array_open(g);
  for (size_t i = 0; i < n; i++)
    write_state(g, &states[i]);
  oci_json_array_close(g);
  return finish(g);
}

static int state_doc(struct jr *r, const struct oci_json *o, void *out)
{
  struct oci_state *s = out;
  int64_t pid = 0;

  if (jr_string(r, o, "ociVersion", &s->oci_version, true) < 0 ||
      jr_string(r, o, "id", &s->id, true) < 0 || jr_string(r, o, "status", &s->status, true) < 0 ||
      jr_string(r, o, "bundle", &s->bundle, true) < 0 ||
      jr_string(r, o, "rootfs", &s->rootfs, false) < 0 ||
      jr_string(r, o, "created", &s->created, false) < 0 ||
      jr_string(r, o, "owner", &s->owner, false) < 0 ||
      jr_map(r, o, "annotations", &s->annotations) < 0)
    return -1;
  const struct oci_json *v = jr_get(o, "pid");
  if (v) {
    size_t mark = jr_push_key(r, "pid");
    int rc = jr_val_int(r, v, 0, INT_MAX, &pid);
    jr_pop(r, mark);
    if (rc < 0)
      return -1;
  }
  s->pid = (int)pid;
  return 0;
}

int oci_state_parse(const char *data, size_t len, const char *name, struct oci_state *out,
                    char **errmsg)
{
  *out = (struct oci_state){ 0 };
  *errmsg = NULL;
  if (oci_parse_document(data, len, name, state_doc, out, errmsg) < 0) {
    oci_state_clear(out);
    return -1;
  }
  return 0;
}

void oci_state_clear(struct oci_state *s)
{
  if (!s)
    return;
  free(s->oci_version);
  free(s->id);
  free(s->status);
  free(s->bundle);
  free(s->rootfs);
  free(s->created);
  free(s->owner);
  oci_map_clear(&s->annotations);
  *s = (struct oci_state){ 0 };
}
