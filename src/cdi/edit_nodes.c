/* Device nodes (CDI:container-edits_unix.go): completed from the host node,
 * replacing an entry with the same path, with a cgroup allow rule for b/c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cdi/edits.h"

#define OOM(e) herr(e, ENOMEM, "cdi: apply device nodes")

static const char *host_type(mode_t m)
{
  return S_ISBLK(m) ? "b" : S_ISCHR(m) ? "c" : S_ISFIFO(m) ? "p" : NULL;
}

/* Completes a node from its host node (CDI:container-edits_unix.go fillMissingInfo). */
static int fill_node(const struct cdi_device_node *n, struct oci_device *d, struct husk_err *e)
{
  const char *host = n->host_path && *n->host_path ? n->host_path : n->path, *ht;
  const char *type = n->type ? n->type : "";
  bool minimal = *type && (n->major != 0 || strcmp(type, "p") == 0);
  struct stat st;
  int r = lstat(host, &st);
  d->major = n->major;
  d->minor = n->minor;
  d->file_mode = n->file_mode;
  if (r < 0 || !host_type(st.st_mode)) {
    if (minimal)
      return (d->type = strdup(type)) ? 0 : OOM(e);
    if (r < 0)
      return herr_sys(e, "failed to stat CDI host device `%s`", host);
    return herr(e, EINVAL, "CDI host device `%s` is not a device node", host);
  }
  ht = host_type(st.st_mode);
  if (!d->file_mode.set)
    d->file_mode = (oci_opt_u64){true, st.st_mode & 07777};
  if (!minimal) {
    if (*type && strcmp(type, ht) != 0)
      return herr(e, EINVAL, "CDI device (`%s`, `%s`): host type mismatch (%s, %s)", n->path, host,
                  type, ht);
    type = ht;
    if (strcmp(type, "p") != 0 && d->major == 0) {
      d->major = major(st.st_rdev);
      d->minor = minor(st.st_rdev);
    }
  }
  return (d->type = strdup(type)) ? 0 : OOM(e);
}

static void device_free(struct oci_device *d)
{
  free(d->type);
  free(d->path);
  free(d->host_path);
}

static int add_device(struct oci_linux *l, struct oci_device *d, struct husk_err *e)
{
  struct oci_device *n;
  for (size_t i = 0; i < l->n_devices; i++) {
    if (strcmp(l->devices[i].path, d->path) == 0) { /* replace: remove, then append */
      device_free(&l->devices[i]);
      memmove(&l->devices[i], &l->devices[i + 1], (l->n_devices - i - 1) * sizeof(*n));
      l->n_devices--;
      break;
    }
  }
  if (!(n = realloc(l->devices, (l->n_devices + 1) * sizeof(*n))))
    return OOM(e);
  l->devices = n;
  n[l->n_devices++] = *d;
  return 0;
}

static int add_rule(struct oci_resources *res, const struct oci_device *d, const char *perm,
                    struct husk_err *e)
{
  struct oci_device_rule *n;
  const char *access = perm && *perm ? perm : "rwm";
  if (strcmp(access, "none") == 0) /* allow nothing: no rule */
    return 0;
  if (!(n = realloc(res->devices, (res->n_devices + 1) * sizeof(*n))))
    return OOM(e);
  res->devices = n;
  n[res->n_devices] = (struct oci_device_rule){.allow = true,
                                               .type = strdup(d->type),
                                               .major = {true, d->major},
                                               .minor = {true, d->minor},
                                               .access = strdup(access)};
  if (!n[res->n_devices].type || !n[res->n_devices].access) {
    free(n[res->n_devices].type);
    free(n[res->n_devices].access);
    return OOM(e);
  }
  res->n_devices++;
  return 0;
}

int cdi_apply_node(struct oci_spec *spec, const struct cdi_device_node *n, struct husk_err *e)
{
  struct oci_device d = {0};
  const struct oci_user *u = &spec->process.user;
  bool rule;
  if (fill_node(n, &d, e) < 0)
    goto fail;
  d.uid = n->uid.set || u->uid == 0 ? n->uid : (oci_opt_u64){true, u->uid};
  d.gid = n->gid.set || u->gid == 0 ? n->gid : (oci_opt_u64){true, u->gid};
  if (!(d.path = strdup(n->path)))
    goto oom;
  if (n->host_path && *n->host_path && !(d.host_path = strdup(n->host_path)))
    goto oom;
  rule = strcmp(d.type, "b") == 0 || strcmp(d.type, "c") == 0;
  spec->has_linux = true;
  if (rule) {
    spec->linux_.has_resources = true;
    if (add_rule(&spec->linux_.resources, &d, n->permissions, e) < 0)
      goto fail;
  }
  if (add_device(&spec->linux_, &d, e) < 0)
    goto fail;
  return 0;
oom:
  OOM(e);
fail:
  device_free(&d);
  return -1;
}
