/* systemd manager messages (see systemd_wire.h). */
#include <string.h>

#include "cgroups/systemd_wire.h"

static void variant_pairs(struct dbus_wbuf *w, const struct sd_prop *p)
{
  struct dw_array a;
  dw_signature(w, "a(ss)");
  a = dw_array_open(w, 8);
  for (size_t k = 0; k < p->n_pairs; k++) {
    dw_align(w, 8);
    dw_string(w, p->pairs[2 * k]);
    dw_string(w, p->pairs[2 * k + 1]);
  }
  dw_array_close(w, a);
}

static void variant_bytes(struct dbus_wbuf *w, const struct sd_prop *p)
{
  struct dw_array a;
  dw_signature(w, "ay");
  a = dw_array_open(w, 1);
  dw_bytes(w, p->bytes, p->n_bytes);
  dw_array_close(w, a);
}

/* One (sv) entry. */
static void prop(struct dbus_wbuf *w, const struct sd_prop *p)
{
  char sig[2] = {p->type, 0};
  dw_align(w, 8);
  dw_string(w, p->name);
  switch (p->type) {
  case 'b':
    dw_signature(w, sig), dw_bool(w, p->b);
    break;
  case 't':
    dw_signature(w, sig), dw_u64(w, p->u);
    break;
  case 'x':
    dw_signature(w, sig), dw_u64(w, (uint64_t)p->i);
    break;
  case 'u':
    dw_signature(w, sig), dw_u32(w, (uint32_t)p->u);
    break;
  case 'i':
    dw_signature(w, sig), dw_u32(w, (uint32_t)(int32_t)p->i);
    break;
  case 's':
    dw_signature(w, sig), dw_string(w, p->s);
    break;
  case 'A':
    variant_pairs(w, p);
    break;
  case 'y':
    variant_bytes(w, p);
    break;
  default:
    w->failed = true; /* a type systemd_props.c never makes */
  }
}

static void props_with_pid(struct dbus_wbuf *w, const struct sd_props *props, pid_t pid)
{
  struct dw_array a = dw_array_open(w, 8);
  for (size_t i = 0; i < props->n; i++)
    prop(w, &props->items[i]);
  if (pid > 0) {
    struct dw_array pids;
    dw_align(w, 8);
    dw_string(w, "PIDs");
    dw_signature(w, "au");
    pids = dw_array_open(w, 4);
    dw_u32(w, (uint32_t)pid);
    dw_array_close(w, pids);
  }
  dw_array_close(w, a);
}

void sd_wire_props(struct dbus_wbuf *w, const struct sd_props *props)
{
  props_with_pid(w, props, 0);
}

void sd_wire_start_transient(struct dbus_wbuf *w, const char *unit, const struct sd_props *props,
                             pid_t pid)
{
  dw_string(w, unit);
  dw_string(w, "fail");
  props_with_pid(w, props, pid);
  dw_array_close(w, dw_array_open(w, 8)); /* aux: a(sa(sv)), empty */
}

void sd_wire_set_properties(struct dbus_wbuf *w, const char *unit, const struct sd_props *props)
{
  dw_string(w, unit);
  dw_bool(w, true); /* runtime */
  props_with_pid(w, props, 0);
}

const char *sd_wire_reply_string(struct dbus_msg *m, const char *sig)
{
  const char *s;
  if (strcmp(m->signature, sig) != 0)
    return NULL;
  s = dr_string(&m->body);
  return m->body.failed || m->body.pos != m->body.len ? NULL : s;
}

const char *sd_wire_reply_variant_string(struct dbus_msg *m)
{
  const char *inner, *s;
  if (strcmp(m->signature, "v") != 0)
    return NULL;
  inner = dr_signature(&m->body);
  if (!inner || strcmp(inner, "s") != 0)
    return NULL;
  s = dr_string(&m->body);
  return m->body.failed || m->body.pos != m->body.len ? NULL : s;
}

int sd_wire_job_removed(struct dbus_msg *m, const char **job, const char **result)
{
  if (m->type != DBUS_SIGNAL || !m->member || strcmp(m->member, "JobRemoved") != 0 ||
      !m->interface || strcmp(m->interface, SD_MANAGER) != 0 || strcmp(m->signature, "uoss") != 0)
    return 0;
  dr_u32(&m->body);
  *job = dr_string(&m->body);
  dr_string(&m->body); /* the unit */
  *result = dr_string(&m->body);
  return m->body.failed ? 0 : 1;
}

const char *sd_wire_error_text(struct dbus_msg *m)
{
  const char *s;
  if (m->signature[0] != 's')
    return "";
  s = dr_string(&m->body);
  return s ? s : "";
}
