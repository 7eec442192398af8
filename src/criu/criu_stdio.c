/* The init's stdio across a checkpoint. Its fds 0-2 usually come from the
 * caller (conmon's pipes, a log file, /dev/null, a pty whose master the
 * caller holds): things outside the container that CRIU cannot dump. At
 * dump each is recorded as CRIU names it and, when needed, declared
 * external; descriptors.json in the image directory keeps the names (as
 * runc's file of the same name does), and restore hands CRIU its own fds
 * 0-2 (or the new pty) in their place with --inherit-fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "criu/criu.h"
#include "oci_json.h"
#include "util/fs.h"

#define DESCRIPTORS "descriptors.json"

static bool is_pty_slave(const struct stat *st)
{
  /* UNIX98_PTY_SLAVE_MAJOR .. + UNIX98_PTY_MAJOR_COUNT - 1 */
  return S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143;
}

static int fd_mnt_id(pid_t pid, int fd)
{
  char path[64], *text = NULL, *p;
  size_t len;
  int id = -1;
  snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
  if (read_file_at(AT_FDCWD, path, &text, &len, NULL) < 0)
    return -1;
  if ((p = strstr(text, "mnt_id:")))
    id = atoi(p + 7);
  free(text);
  return id;
}

static bool in_container(const struct mnt_list *mounts, int mnt_id)
{
  for (size_t i = 0; i < mounts->n; i++)
    if (mounts->v[i].id == mnt_id)
      return true;
  return false;
}

static int inspect_one(pid_t pid, int fd, const struct mnt_list *mounts, char **id,
                       struct husk_err *e)
{
  char path[64], link[4096];
  struct stat st;
  ssize_t n;
  int mnt;
  snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
  n = readlink(path, link, sizeof link - 1);
  if (n < 0) {
    *id = strdup(""); /* closed */
    return *id ? 0 : herr(e, ENOMEM, "stdio");
  }
  link[n] = '\0';
  if (stat(path, &st) < 0)
    return herr_sys(e, "stat %s", path);
  if (strncmp(link, "pipe:[", 6) == 0 || strncmp(link, "socket:[", 8) == 0)
    *id = strdup(link);
  else if (is_pty_slave(&st)) /* its master is the caller's: always external */
    n = asprintf(id, "tty[%llx:%llx]", (unsigned long long)st.st_rdev,
                 (unsigned long long)st.st_dev);
  else if ((mnt = fd_mnt_id(pid, fd)) >= 0 && !in_container(mounts, mnt))
    n = asprintf(id, "file[%x:%llx]", (unsigned)mnt, (unsigned long long)st.st_ino);
  else
    *id = strdup(link); /* inside the container: CRIU reopens it by path */
  if (n < 0 || !*id)
    return herr(e, ENOMEM, "stdio");
  return 0;
}

int criu_stdio_inspect(pid_t pid, const struct mnt_list *mounts, struct criu_stdio *s,
                       struct husk_err *e)
{
  for (int i = 0; i < 3; i++)
    if (inspect_one(pid, i, mounts, &s->id[i], e) < 0)
      return herr_wrap(e, "inspect the container's fd %d", i);
  return 0;
}

static bool is_external(const char *id)
{
  return strncmp(id, "tty[", 4) == 0 || strncmp(id, "file[", 5) == 0;
}

static bool is_inheritable(const char *id)
{
  return is_external(id) || strncmp(id, "pipe:[", 6) == 0 || strncmp(id, "socket:[", 8) == 0;
}

int criu_stdio_dump_external(const struct criu_stdio *s, struct svec *external)
{
  /* (a socket whose peer is the caller's needs --ext-unix-sk, as with runc) */
  for (int i = 0; i < 3; i++)
    if (s->id[i] && is_external(s->id[i]) && !sv_has(external, s->id[i]) &&
        sv_add(external, "%s", s->id[i]) < 0)
      return -1;
  return 0;
}

bool criu_stdio_has_tty(const struct criu_stdio *s)
{
  for (int i = 0; i < 3; i++)
    if (s->id[i] && strncmp(s->id[i], "tty[", 4) == 0)
      return true;
  return false;
}

int criu_stdio_inherit(const struct criu_stdio *s, int tty_fd, struct svec *inherit,
                       struct husk_err *e)
{
  struct svec seen = {0};
  int r = 0;
  for (int i = 0; r == 0 && i < 3; i++) {
    const char *id = s->id[i];
    bool tty;
    if (!id || !is_inheritable(id) || sv_has(&seen, id))
      continue;
    tty = strncmp(id, "tty[", 4) == 0;
    if (tty && tty_fd < 0) {
      r = herr(e, EINVAL,
               "the checkpoint's process had a terminal (%s): restore needs "
               "process.terminal and --console-socket (or no --detach)",
               id);
      break;
    }
    if (sv_add(&seen, "%s", id) < 0 || sv_add(inherit, "fd[%d]:%s", tty ? tty_fd : i, id) < 0)
      r = herr(e, ENOMEM, "stdio");
  }
  sv_free(&seen);
  return r;
}

int criu_stdio_save(const char *image_dir, const struct criu_stdio *s, struct husk_err *e)
{
  struct oci_json_gen *g = oci_json_gen_new(false);
  char *json, path[4096];
  int r;
  if (!g)
    return herr(e, ENOMEM, DESCRIPTORS);
  oci_json_array_open(g);
  for (int i = 0; i < 3; i++)
    oci_json_string(g, s->id[i] ? s->id[i] : "");
  oci_json_array_close(g);
  json = oci_json_gen_finish(g);
  oci_json_gen_free(g);
  if (!json)
    return herr(e, ENOMEM, DESCRIPTORS);
  snprintf(path, sizeof path, "%s/" DESCRIPTORS, image_dir);
  r = write_file_atomic(AT_FDCWD, path, json, strlen(json), 0600, e);
  free(json);
  return r;
}

int criu_stdio_load(const char *image_dir, struct criu_stdio *s, struct husk_err *e)
{
  char path[4096], *text = NULL, *msg = NULL;
  size_t len;
  struct oci_json *j;
  int r = 0;
  snprintf(path, sizeof path, "%s/" DESCRIPTORS, image_dir);
  if (read_file_at(AT_FDCWD, path, &text, &len, e) < 0)
    return herr_wrap(e, "checkpoint image");
  j = oci_json_parse(text, len, path, &msg);
  free(text);
  if (!j)
    return herr_take(e, EINVAL, msg);
  if (j->type != OCI_JSON_ARRAY)
    r = herr(e, EINVAL, "%s: expected an array of strings", path);
  for (size_t i = 0; r == 0 && i < j->n && i < 3; i++) {
    if (j->values[i]->type != OCI_JSON_STRING)
      r = herr(e, EINVAL, "%s: [%zu]: expected a string", path, i);
    else if (!(s->id[i] = strdup(j->values[i]->string)))
      r = herr(e, ENOMEM, "%s", path);
  }
  oci_json_free(j);
  return r;
}

void criu_stdio_free(struct criu_stdio *s)
{
  for (int i = 0; i < 3; i++) {
    free(s->id[i]);
    s->id[i] = NULL;
  }
}
