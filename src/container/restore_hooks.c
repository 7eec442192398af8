/* Restore hooks through CRIU's action script (see restore_hooks.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/restore_hooks.h"
#include "hooks.h"
#include "oci_state.h"
#include "util/fs.h"

#define FAILURE_FILE "restore-hooks.err"

bool restore_hooks_wanted(const struct oci_spec *spec)
{
  return spec->hooks[OCI_HOOK_PRESTART].n || spec->hooks[OCI_HOOK_CREATE_RUNTIME].n;
}

/* 'text' with every ' as '\'' (sh -c reads the script). */
static int quote(char *out, size_t len, size_t *k, const char *s)
{
  if (*k + 1 >= len)
    return -1;
  out[(*k)++] = '\'';
  for (; *s; s++) {
    const char *piece = *s == '\'' ? "'\\''" : NULL;
    size_t n = piece ? 4 : 1;
    if (*k + n + 2 >= len)
      return -1;
    memcpy(out + *k, piece ? piece : s, n);
    *k += n;
  }
  out[(*k)++] = '\'';
  out[*k] = 0;
  return 0;
}

int restore_hooks_script(const struct container *c, char *out, size_t len)
{
  int w = snprintf(out, len, "exec /proc/%d/exe --root ", (int)getpid());
  size_t k = (size_t)w;
  if (w < 0 || (size_t)w >= len || quote(out, len, &k, c->root) < 0)
    return -1;
  w = snprintf(out + k, len - k, " restore-hooks ");
  if (w < 0 || (size_t)w >= len - k)
    return -1;
  k += (size_t)w;
  return quote(out, len, &k, c->id);
}

static void leave_failure(struct container *c, const struct husk_err *e)
{
  const char *msg = e->msg ? e->msg : "a hook failed";
  struct husk_err ignored = {0};
  write_file_atomic(c->dirfd, FAILURE_FILE, msg, strlen(msg), 0600, &ignored);
  herr_clear(&ignored);
}

static int run_phases(struct container *c, pid_t pid, struct husk_err *e)
{
  struct oci_spec *spec = NULL;
  struct oci_state st = {0};
  char *state = NULL;
  int r = container_load_spec(c, &spec, e);
  if (r < 0)
    return -1;
  st = (struct oci_state){.oci_version = c->oci_version,
                          .id = c->id,
                          .status = "creating",
                          .pid = pid,
                          .bundle = c->bundle,
                          .rootfs = c->rootfs,
                          .annotations = spec->annotations};
  if (!(state = oci_state_to_json(&st, false)))
    r = herr(e, ENOMEM, "restore: state for hooks");
  else if (hooks_run(spec, OCI_HOOK_PRESTART, state, e) < 0 ||
           hooks_run(spec, OCI_HOOK_CREATE_RUNTIME, state, e) < 0)
    r = herr_wrap(e, "restore");
  free(state);
  oci_spec_free(spec);
  return r;
}

int restore_hooks_run(const char *root, const char *id, struct husk_err *e)
{
  const char *action = getenv("CRTOOLS_SCRIPT_ACTION"), *pid_s = getenv("CRTOOLS_INIT_PID");
  struct container c = {.dirfd = -1};
  char *end = NULL;
  long pid;
  int r;
  if (!action)
    return herr_msg(e, EINVAL,
                    "restore-hooks: an internal command that CRIU runs during "
                    "`husk restore` (CRTOOLS_SCRIPT_ACTION is not set)");
  if (strcmp(action, "setup-namespaces") != 0)
    return 0;
  pid = pid_s ? strtol(pid_s, &end, 10) : 0;
  if (!pid_s || *end || pid <= 0)
    return herr_msg(e, EINVAL, "restore-hooks: CRTOOLS_INIT_PID `%s` is not a pid",
                    pid_s ? pid_s : "");
  /* the restoring husk holds the container's lock: read without it */
  if (container_open(&c, root, id, false, e) < 0)
    return -1;
  r = run_phases(&c, (pid_t)pid, e);
  if (r < 0)
    leave_failure(&c, e);
  container_close(&c);
  return r;
}

char *restore_hooks_failure(const struct container *c)
{
  char *msg = NULL;
  if (read_file_at(c->dirfd, FAILURE_FILE, &msg, NULL, NULL) < 0)
    return NULL;
  unlinkat(c->dirfd, FAILURE_FILE, 0);
  return msg;
}
