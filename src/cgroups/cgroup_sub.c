/* exec --cgroup with runc's semantics: `PATH` puts the process into the
 * existing sub-cgroup PATH of the container's cgroup in every hierarchy;
 * `CTRL[,CTRL...]:PATH` (repeatable) does it per controller, the other
 * hierarchies get the container's own cgroup. On pure v2 there is one tree:
 * every path given must be the same. */
#include "cgroups/cgroup_sub.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/resources.h"
#include "util/fs.h"

static int bad(const char *arg, const char *why, struct husk_err *e)
{
  return herr(e, EINVAL, "--cgroup `%s`: %s", arg, why);
}

static bool has_dotdot(const char *p)
{
  for (const char *s = p; (s = strstr(s, "..")); s += 2)
    if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
      return true;
  return false;
}

static int add(struct cg_subs *s, const char *ctrl, size_t ctrl_len, const char *path,
               const char *arg, struct husk_err *e)
{
  struct cg_sub *n;
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i].ctrl && strlen(s->items[i].ctrl) == ctrl_len &&
        strncmp(s->items[i].ctrl, ctrl, ctrl_len) == 0)
      return bad(arg, "controller given more than once", e);
  n = realloc(s->items, (s->n + 1) * sizeof *n);
  if (!n)
    return herr(e, ENOMEM, "--cgroup");
  s->items = n;
  n[s->n].ctrl = ctrl ? strndup(ctrl, ctrl_len) : NULL;
  n[s->n].path = strdup(path);
  s->n++;
  return 0;
}

int cgroup_sub_add(struct cg_subs *s, const char *arg, struct husk_err *e)
{
  const char *colon = strchr(arg, ':'), *path = colon ? colon + 1 : arg;
  if (colon && strchr(path, ':'))
    return bad(arg, "expected [CONTROLLER[,CONTROLLER...]:]PATH", e);
  while (*path == '/')
    path++;
  if (!*path)
    return bad(arg, "empty sub-cgroup path", e);
  if (has_dotdot(path))
    return bad(arg, "the path must stay below the container's cgroup (no `..`)", e);
  if (!colon) {
    if (s->any_plain || s->n)
      return bad(arg, "a PATH without CONTROLLER: must be the only --cgroup", e);
    s->any_plain = true;
    return add(s, NULL, 0, path, arg, e);
  }
  if (s->any_plain)
    return bad(arg, "a PATH without CONTROLLER: must be the only --cgroup", e);
  if (colon == arg)
    return bad(arg, "empty controller name", e);
  for (const char *c = arg; c < colon;) {
    size_t len = strcspn(c, ",:");
    if (len == 0)
      return bad(arg, "empty controller name", e);
    if (add(s, c, len, path, arg, e) < 0)
      return -1;
    c += len + (c[len] == ',');
  }
  return 0;
}

/* The sub-path for hierarchy dir name `h` ("cpu", "cpu,cpuacct",
 * "systemd", "unified"); NULL for the container's own cgroup. */
static const struct cg_sub *sub_for(const struct cg_subs *s, const char *h)
{
  for (size_t i = 0; i < s->n; i++) {
    const char *c = s->items[i].ctrl;
    if (!c)
      return &s->items[i];
    if (strncmp(c, "name=", 5) == 0)
      c += 5;
    for (const char *p = h; *p;) {
      size_t len = strcspn(p, ",");
      if (strlen(c) == len && strncmp(c, p, len) == 0)
        return &s->items[i];
      p += len + (p[len] == ',');
    }
  }
  return NULL;
}

static int join(const char *dir, const char *arg, pid_t pid, struct husk_err *e)
{
  char file[PATH_MAX + 16], val[32];
  struct stat st;
  if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
    return herr(e, ENOENT, "--cgroup `%s`: the sub-cgroup %s does not exist", arg, dir);
  snprintf(file, sizeof file, "%s/cgroup.procs", dir);
  snprintf(val, sizeof val, "%d", pid);
  if (write_file_at(AT_FDCWD, file, val, strlen(val), e) < 0)
    return herr_wrap(e, "--cgroup `%s`: join %s", arg, dir);
  return 0;
}

static int enter_v2(const struct cgroup *cg, const struct cg_subs *s, pid_t pid, struct husk_err *e)
{
  char dir[PATH_MAX];
  for (size_t i = 1; i < s->n; i++)
    if (strcmp(s->items[i].path, s->items[0].path) != 0)
      return herr(e, EINVAL,
                  "--cgroup: cgroup v2 has a single hierarchy; paths for different "
                  "controllers must be the same (`%s` and `%s`)",
                  s->items[0].path, s->items[i].path);
  snprintf(dir, sizeof dir, CG_ROOT "%s/%s", cg->path, s->items[0].path);
  return join(dir, s->items[0].path, pid, e);
}

/* Every controller named must be one of the container's hierarchies. */
static int check_known(const struct cg_subs *s, char names[][64], size_t n, struct husk_err *e)
{
  for (size_t i = 0; i < s->n; i++) {
    bool found = !s->items[i].ctrl;
    for (size_t k = 0; k < n && !found; k++) {
      struct cg_subs one = {.n = 1, .items = &s->items[i]};
      found = sub_for(&one, names[k]) != NULL;
    }
    if (!found)
      return herr(e, EINVAL,
                  "--cgroup: unknown controller `%s` (not a hierarchy of the "
                  "container's cgroup)",
                  s->items[i].ctrl);
  }
  return 0;
}

int cgroup_enter_sub(const struct cgroup *cg, const struct cg_subs *s, pid_t pid,
                     struct husk_err *e)
{
  char names[32][64], dir[PATH_MAX];
  size_t n = 0;
  DIR *d;
  struct dirent *de;
  if (cg->manager == CG_MANAGER_DISABLED || !cg->path)
    return herr(e, ENOTSUP, "--cgroup: the container has no cgroup (cgroup manager disabled)");
  if (cg->layout == CG_LAYOUT_V2)
    return enter_v2(cg, s, pid, e);
  if (!(d = opendir(CG_ROOT)))
    return herr_sys(e, "--cgroup: open " CG_ROOT);
  while ((de = readdir(d)) && n < 32) {
    struct stat st;
    if (de->d_name[0] == '.' || strlen(de->d_name) >= 64)
      continue;
    snprintf(dir, sizeof dir, CG_ROOT "/%s%s", de->d_name, cg->path);
    if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
      snprintf(names[n++], 64, "%s", de->d_name); /* the container has a cgroup here */
  }
  closedir(d);
  if (check_known(s, names, n, e) < 0)
    return -1;
  for (size_t k = 0; k < n; k++) {
    const struct cg_sub *sub = sub_for(s, names[k]);
    snprintf(dir, sizeof dir, CG_ROOT "/%s%s%s%s", names[k], cg->path, sub ? "/" : "",
             sub ? sub->path : "");
    if (join(dir, sub ? sub->path : cg->path, pid, e) < 0)
      return -1;
  }
  return 0;
}

void cgroup_sub_clear(struct cg_subs *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->items[i].ctrl);
    free(s->items[i].path);
  }
  free(s->items);
  *s = (struct cg_subs){0};
}
