/* uid/gid maps of a new user namespace. Root (or anyone privileged over the
 * parent namespace) writes /proc/PID/{uid,gid}_map itself. An unprivileged
 * caller may write only a single mapping of its own id, and for gid_map only
 * after "deny" in /proc/PID/setgroups (the kernel's rule since 3.19); every
 * other map goes through newuidmap/newgidmap, checked first against
 * /etc/subuid and /etc/subgid so a refusal names the range and the file. */
#include "sandbox/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newidmap.h"
#include "subid.h"
#include "util/fs.h"

struct idmap_kind {
  const char *file;   /* uid_map */
  const char *field;  /* linux.uidMappings */
  const char *helper; /* newuidmap */
  const char *subid;  /* /etc/subuid */
};

static const struct idmap_kind UID_KIND = {"uid_map", "linux.uidMappings", "newuidmap",
                                           SUBUID_FILE};
static const struct idmap_kind GID_KIND = {"gid_map", "linux.gidMappings", "newgidmap",
                                           SUBGID_FILE};

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
  if (geteuid() != 0 && !oci_linux_namespace(l, "user"))
    return herr_msg(e, EPERM,
                    "linux.namespaces: husk runs as uid %u, which needs a user namespace: add "
                    "{\"type\": \"user\"} with linux.uidMappings and linux.gidMappings "
                    "(`husk spec --rootless` writes such a config)",
                    (unsigned)geteuid());
  if (new_user && geteuid() != 0)
    return userns_check_rootless(l, e);
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

bool userns_is_self_map(const struct oci_id_mappings *m, unsigned own)
{
  return m->n == 1 && m->items[0].size == 1 && m->items[0].host_id == own;
}

static unsigned own_id(const struct idmap_kind *k)
{
  return k == &GID_KIND ? (unsigned)getegid() : (unsigned)geteuid();
}

static int check_entitled(const struct idmap_kind *k, const struct oci_id_mappings *m,
                          struct husk_err *e)
{
  struct passwd *pw = getpwuid(geteuid());
  struct subid_file f;
  char *helper;
  int r;
  if (subid_read(k->subid, &f, NULL, e) < 0)
    return herr_wrap(e, "%s", k->field);
  r = subid_check_mappings(m, k->field, k->subid, &f, pw ? pw->pw_name : NULL, geteuid(), own_id(k),
                           e);
  subid_file_free(&f);
  if (r < 0)
    return -1;
  if (!(helper = newidmap_find(k->helper, e)))
    return herr_wrap(e, "%s: %zu mapping(s) beyond the caller's own id need %s", k->field, m->n,
                     k->helper);
  free(helper);
  return 0;
}

int userns_check_rootless(const struct oci_linux *l, struct husk_err *e)
{
  if (!userns_is_self_map(&l->uid_mappings, own_id(&UID_KIND)) &&
      check_entitled(&UID_KIND, &l->uid_mappings, e) < 0)
    return -1;
  if (!userns_is_self_map(&l->gid_mappings, own_id(&GID_KIND)) &&
      check_entitled(&GID_KIND, &l->gid_mappings, e) < 0)
    return -1;
  return 0;
}

static int write_direct(pid_t pid, const struct idmap_kind *k, const struct oci_id_mappings *m,
                        struct husk_err *e)
{
  char path[64];
  char *data = userns_format_map(m);
  int r;
  if (!data)
    return herr(e, ENOMEM, "format %s", k->file);
  snprintf(path, sizeof path, "/proc/%d/%s", pid, k->file);
  r = write_file_at(AT_FDCWD, path, data, strlen(data), e);
  free(data);
  if (r < 0)
    return herr_wrap(e, "write %s", k->field);
  return 0;
}

static int write_helper(pid_t pid, const struct idmap_kind *k, const struct oci_id_mappings *m,
                        struct husk_err *e)
{
  char *helper = newidmap_find(k->helper, e);
  int r;
  if (!helper)
    return herr_wrap(e, "%s", k->field);
  r = newidmap_run(helper, pid, m, e);
  free(helper);
  return r < 0 ? herr_wrap(e, "write %s", k->field) : 0;
}

int userns_write_maps(pid_t pid, const struct oci_linux *l, struct husk_err *e)
{
  char path[64];
  if (geteuid() == 0)
    return write_direct(pid, &UID_KIND, &l->uid_mappings, e) < 0 ||
                   write_direct(pid, &GID_KIND, &l->gid_mappings, e) < 0
               ? -1
               : 0;
  if (userns_is_self_map(&l->uid_mappings, own_id(&UID_KIND))
          ? write_direct(pid, &UID_KIND, &l->uid_mappings, e) < 0
          : write_helper(pid, &UID_KIND, &l->uid_mappings, e) < 0)
    return -1;
  if (!userns_is_self_map(&l->gid_mappings, own_id(&GID_KIND)))
    return write_helper(pid, &GID_KIND, &l->gid_mappings, e);
  snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
  if (write_file_at(AT_FDCWD, path, "deny", 4, e) < 0)
    return herr_wrap(e, "write %s (an unprivileged gid map needs setgroups denied)",
                     GID_KIND.field);
  return write_direct(pid, &GID_KIND, &l->gid_mappings, e);
}
