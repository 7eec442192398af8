#include "cmd/exec_process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"

int strv_push(char ***v, size_t *n, const char *s)
{
  char **nv = realloc(*v, sizeof(char *) * (*n + 2));
  if (!nv)
    return -1;
  *v = nv;
  if (!(nv[*n] = strdup(s)))
    return -1;
  nv[++*n] = NULL;
  return 0;
}

void strv_free(char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

int exec_parse_id(const char *s, uint32_t *out)
{
  unsigned long long v;
  char *end;
  if (!s || !*s)
    return -1;
  for (const char *p = s; *p; p++)
    if (!isdigit((unsigned char)*p))
      return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || *end || v >= UINT32_MAX)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

int exec_parse_user(const char *s, uint32_t *uid, uint32_t *gid, bool *has_gid,
                    struct husk_err *e)
{
  const char *colon = strchr(s, ':');
  char *u = colon ? strndup(s, (size_t)(colon - s)) : strdup(s);
  int r = 0;
  *has_gid = colon != NULL;
  if (!u || exec_parse_id(u, uid) < 0)
    r = herr(e, EINVAL, "--user `%s`: expected UID or UID:GID with decimal ids below %u", s,
             UINT32_MAX);
  else if (colon && exec_parse_id(colon + 1, gid) < 0)
    r = herr(e, EINVAL, "--user `%s`: invalid GID `%s` (expected a decimal id below %u)", s,
             colon + 1, UINT32_MAX);
  free(u);
  return r;
}

static int set_env(struct oci_process *p, const char *kv, struct husk_err *e)
{
  const char *eq = strchr(kv, '=');
  size_t klen, n = oci_strv_len(p->env);
  if (!eq || eq == kv)
    return herr(e, EINVAL, "--env `%s`: expected KEY=VALUE", kv);
  klen = (size_t)(eq - kv) + 1;
  for (size_t i = 0; i < n; i++)
    if (strncmp(p->env[i], kv, klen) == 0) {
      char *d = strdup(kv);
      if (!d)
        return herr(e, ENOMEM, "--env");
      free(p->env[i]);
      p->env[i] = d;
      return 0;
    }
  return strv_push(&p->env, &n, kv) < 0 ? herr(e, ENOMEM, "--env") : 0;
}

static int valid_cap(const char *c)
{
  if (strncmp(c, "CAP_", 4) != 0 || !c[4])
    return 0;
  for (const char *p = c + 4; *p; p++)
    if (!(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
      return 0;
  return 1;
}

static int add_caps(struct oci_process *p, char *const *caps, struct husk_err *e)
{
  struct oci_capabilities *c = &p->capabilities;
  char ***sets[] = {&c->bounding, &c->effective, &c->permitted};
  for (size_t i = 0; caps && caps[i]; i++) {
    if (!valid_cap(caps[i]))
      return herr(e, EINVAL, "--cap `%s`: not a capability name (CAP_...)", caps[i]);
    for (size_t k = 0; k < 3; k++) {
      size_t n = oci_strv_len(*sets[k]);
      if (strv_push(sets[k], &n, caps[i]) < 0)
        return herr(e, ENOMEM, "--cap");
    }
    if (c->inheritable) { /* ambient needs inheritable bits (runc) */
      size_t n = oci_strv_len(c->ambient);
      if (strv_push(&c->ambient, &n, caps[i]) < 0)
        return herr(e, ENOMEM, "--cap");
    }
    c->set = true;
  }
  return 0;
}

static int add_gids(struct oci_user *u, char *const *gids, struct husk_err *e)
{
  for (size_t i = 0; gids && gids[i]; i++) {
    char *copy = strdup(gids[i]), *save = NULL;
    int r = 0;
    for (char *t = strtok_r(copy, ",", &save); t && r == 0; t = strtok_r(NULL, ",", &save)) {
      uint32_t gid, *ng;
      if (exec_parse_id(t, &gid) < 0) {
        r = herr(e, EINVAL, "--additional-gids `%s`: invalid gid `%s`", gids[i], t);
        break;
      }
      ng = realloc(u->additional_gids, sizeof(uint32_t) * (u->n_additional_gids + 1));
      if (!ng) {
        r = herr(e, ENOMEM, "--additional-gids");
        break;
      }
      u->additional_gids = ng;
      ng[u->n_additional_gids++] = gid;
    }
    free(copy);
    if (r < 0)
      return -1;
  }
  return 0;
}

static int replace_str(char **dst, const char *src)
{
  char *d = strdup(src);
  if (!d)
    return -1;
  free(*dst);
  *dst = d;
  return 0;
}

int exec_apply_flags(struct oci_process *p, const struct exec_flags *f, struct husk_err *e)
{
  if (f->cwd && replace_str(&p->cwd, f->cwd) < 0)
    return herr(e, ENOMEM, "--cwd");
  if (f->apparmor && replace_str(&p->apparmor_profile, f->apparmor) < 0)
    return herr(e, ENOMEM, "--apparmor");
  if (f->label && replace_str(&p->selinux_label, f->label) < 0)
    return herr(e, ENOMEM, "--process-label");
  if (add_caps(p, f->caps, e) < 0)
    return -1;
  for (size_t i = 0; i < f->n_env; i++)
    if (set_env(p, f->env[i], e) < 0)
      return -1;
  p->terminal = f->tty; /* runc: the config's terminal does not carry over */
  if (f->no_new_privs)
    p->no_new_privileges = true;
  if (f->user) {
    bool has_gid;
    uint32_t uid, gid;
    if (exec_parse_user(f->user, &uid, &gid, &has_gid, e) < 0)
      return -1;
    p->user.uid = uid;
    if (has_gid)
      p->user.gid = gid;
  }
  return add_gids(&p->user, f->gids, e);
}

int exec_set_args(struct oci_process *p, int argc, char **argv, struct husk_err *e)
{
  char **v = NULL;
  size_t n = 0;
  if (argc < 1)
    return herr(e, EINVAL, "exec: no command given (pass CMD after the ID, or --process FILE)");
  for (int i = 0; i < argc; i++)
    if (strv_push(&v, &n, argv[i]) < 0) {
      strv_free(v);
      return herr(e, ENOMEM, "exec args");
    }
  strv_free(p->args);
  p->args = v;
  return 0;
}

int exec_read_process(const char *path, struct oci_process **out, struct husk_err *e)
{
  char *data = NULL, *msg = NULL;
  size_t len;
  int r;
  if (read_file_at(AT_FDCWD, path, &data, &len, e) < 0)
    return herr_wrap(e, "--process");
  r = oci_process_parse(data, len, path, out, &msg);
  free(data);
  if (r < 0)
    return herr_take(e, EINVAL, msg);
  if (!(*out)->args || !(*out)->args[0])
    return herr(e, EINVAL, "%s: args: must have at least one entry", path);
  return 0;
}
