#include "sandbox/mount_opts.h"

#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

struct flag_opt {
  const char *name;
  unsigned long set, clear;
};

/* runc's table (libcontainer/specconv), which crun shares. */
static const struct flag_opt flag_opts[] = {
    {"defaults", 0, 0},
    {"ro", MS_RDONLY, 0},           {"rw", 0, MS_RDONLY},
    {"suid", 0, MS_NOSUID},         {"nosuid", MS_NOSUID, 0},
    {"dev", 0, MS_NODEV},           {"nodev", MS_NODEV, 0},
    {"exec", 0, MS_NOEXEC},         {"noexec", MS_NOEXEC, 0},
    {"sync", MS_SYNCHRONOUS, 0},    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},     {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},       {"nomand", 0, MS_MANDLOCK},
    {"atime", 0, MS_NOATIME},       {"noatime", MS_NOATIME, 0},
    {"diratime", 0, MS_NODIRATIME}, {"nodiratime", MS_NODIRATIME, 0},
    {"relatime", MS_RELATIME, 0},   {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0}, {"nostrictatime", 0, MS_STRICTATIME},
    {"iversion", MS_I_VERSION, 0},  {"noiversion", 0, MS_I_VERSION},
    {"lazytime", MS_LAZYTIME, 0},   {"nolazytime", 0, MS_LAZYTIME},
    {"silent", MS_SILENT, 0},       {"loud", 0, MS_SILENT},
    {"nosymfollow", MS_NOSYMFOLLOW, 0}, {"symfollow", 0, MS_NOSYMFOLLOW},
};

static const struct flag_opt prop_opts[] = {
    {"private", MS_PRIVATE, 0},       {"rprivate", MS_PRIVATE | MS_REC, 0},
    {"shared", MS_SHARED, 0},         {"rshared", MS_SHARED | MS_REC, 0},
    {"slave", MS_SLAVE, 0},           {"rslave", MS_SLAVE | MS_REC, 0},
    {"unbindable", MS_UNBINDABLE, 0}, {"runbindable", MS_UNBINDABLE | MS_REC, 0},
};

/* Recursive variants applied with mount_setattr(AT_RECURSIVE). */
static const struct {
  const char *name;
  uint64_t set, clr;
} rec_opts[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0},         {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},     {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},       {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},     {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0}, {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", 0, MOUNT_ATTR__ATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", 0, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", 0, MOUNT_ATTR__ATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0}, {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const mount_opts_known[] = {
    "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap",
    "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
    "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
    "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount",
    "rexec", "ridmap", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
    "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw",
    "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared",
    "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
    NULL};

static int append_data(struct mount_opts *o, const char *opt)
{
  size_t old = o->data ? strlen(o->data) : 0, add = strlen(opt);
  char *n = realloc(o->data, old + add + 2);
  if (!n)
    return -1;
  if (old)
    n[old++] = ',';
  memcpy(n + old, opt, add + 1);
  o->data = n;
  return 0;
}

static bool match_table(const struct flag_opt *t, size_t n, const char *opt, unsigned long *set,
                        unsigned long *clear)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, opt) == 0) {
      *set |= t[i].set;
      *clear |= t[i].clear;
      *set &= ~t[i].clear;
      return true;
    }
  return false;
}

static bool match_rec(struct mount_opts *o, const char *opt)
{
  for (size_t i = 0; i < N(rec_opts); i++)
    if (strcmp(rec_opts[i].name, opt) == 0) {
      o->rec_attr_clr |= rec_opts[i].clr;
      o->rec_attr_set = (o->rec_attr_set & ~rec_opts[i].clr) | rec_opts[i].set;
      if (rec_opts[i].clr && !rec_opts[i].set)
        o->rec_attr_set &= ~rec_opts[i].clr;
      return true;
    }
  return false;
}

int mount_opts_parse(char *const *options, struct mount_opts *out, const char **bad)
{
  memset(out, 0, sizeof *out);
  for (size_t i = 0; options && options[i]; i++) {
    const char *opt = options[i];
    unsigned long unused = 0;
    if (!*opt) {
      *bad = opt;
      return -1;
    }
    if (strcmp(opt, "bind") == 0)
      out->bind = true;
    else if (strcmp(opt, "rbind") == 0)
      out->bind = out->recursive_bind = true;
    else if (strcmp(opt, "tmpcopyup") == 0)
      out->tmpcopyup = true;
    else if (strcmp(opt, "idmap") == 0)
      out->idmap = true;
    else if (strcmp(opt, "ridmap") == 0)
      out->idmap = out->ridmap = true;
    else if (match_table(flag_opts, N(flag_opts), opt, &out->flags, &out->clear))
      continue;
    else if (match_table(prop_opts, N(prop_opts), opt, &out->propagation, &unused))
      continue;
    else if (match_rec(out, opt))
      continue;
    else if (append_data(out, opt) < 0)
      return -1;
  }
  return 0;
}

void mount_opts_clear(struct mount_opts *o)
{
  free(o->data);
  o->data = NULL;
}
