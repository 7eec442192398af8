#include "sandbox/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"

int userns_validate(const struct oci_spec *spec, bool new_user, struct husk_err *e)
{
  const struct oci_linux *l = &spec->linux_;
  bool has_maps = spec->has_linux && (l->uid_mappings.n || l->gid_mappings.n);
  if (has_maps && !new_user)
    return herr(e, EINVAL,
                "linux.uidMappings/gidMappings: mappings given without a new user namespace");
  if (new_user && (!l->uid_mappings.n || !l->gid_mappings.n))
    return herr(e, EINVAL,
                "linux.namespaces: user namespace requested but linux.uidMappings and "
                "linux.gidMappings are not both set");
  return 0;
}

char *userns_format_map(const struct oci_id_mappings *m)
{
  size_t cap = m->n * 36 + 1, off = 0;
  char *buf = malloc(cap);
  if (!buf)
    return NULL;
  buf[0] = '\0';
  for (size_t i = 0; i < m->n; i++)
    off += (size_t)snprintf(buf + off, cap - off, "%u %u %u\n", m->items[i].container_id,
                            m->items[i].host_id, m->items[i].size);
  return buf;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mappings *m,
                     struct husk_err *e)
{
  char path[64];
  char *data = userns_format_map(m);
  int r;
  if (!data)
    return herr(e, ENOMEM, "format %s", file);
  snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  r = write_file_at(AT_FDCWD, path, data, strlen(data), e);
  free(data);
  if (r < 0)
    return herr_wrap(e, "write linux.%s", strcmp(file, "uid_map") == 0 ? "uidMappings"
                                                                       : "gidMappings");
  return 0;
}

int userns_write_maps(pid_t pid, const struct oci_linux *l, struct husk_err *e)
{
  if (write_map(pid, "uid_map", &l->uid_mappings, e) < 0)
    return -1;
  if (write_map(pid, "gid_map", &l->gid_mappings, e) < 0)
    return -1;
  return 0;
}
