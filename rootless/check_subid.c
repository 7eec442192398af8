/* /etc/subuid and /etc/subgid entries for the user: present (by name or
 * uid), at least 65536 ids, overlapping nobody else's. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "subid.h"

/* Where a new range can go: past every range in the file, from 100000. */
static uint64_t free_start(const struct subid_file *f)
{
  uint64_t end = 100000;
  for (size_t i = 0; i < f->n; i++)
    if (f->v[i].start + f->v[i].count > end)
      end = f->v[i].start + f->v[i].count;
  return end;
}

static void one_file(const struct check_env *env, struct check_report *r, const char *path,
                     const char *id, char kind)
{
  struct subid_file f;
  size_t bad = 0, mine = 0;
  uint64_t total, s;
  long other;
  char fix[512], extra[64] = "";
  const char *who = env->user ? env->user : "USER";
  if (subid_read(path, &f, &bad, NULL) < 0) {
    check_add(r, id, CHECK_PROBLEM, NULL, "cannot read %s", path);
    return;
  }
  if (bad)
    snprintf(extra, sizeof extra, " (%zu malformed line(s) ignored)", bad);
  total = subid_user_total(&f, env->user, env->uid);
  s = free_start(&f);
  snprintf(fix, sizeof fix, "usermod --add-sub%cids %" PRIu64 "-%" PRIu64 " %s", kind, s,
           s + SUBID_RECOMMENDED - 1, who);
  other = subid_overlap(&f, env->user, env->uid, &mine);
  if (total == 0)
    check_add(r, id, CHECK_PROBLEM, fix,
              "%s has no entry for %s (uid %u): only a single mapping of your own id is "
              "possible%s",
              path, who, (unsigned)env->uid, extra);
  else if (other >= 0) {
    snprintf(fix, sizeof fix,
             "usermod --del-sub%cids %" PRIu64 "-%" PRIu64 " %s && usermod --add-sub%cids "
             "%" PRIu64 "-%" PRIu64 " %s",
             kind, f.v[mine].start, f.v[mine].start + f.v[mine].count - 1, who, kind, s,
             s + f.v[mine].count - 1, who);
    check_add(r, id, CHECK_PROBLEM, fix,
              "%s line %u (%s:%" PRIu64 ":%" PRIu64 ") overlaps line %u (%s:%" PRIu64 ":%" PRIu64
              "): two users would share host ids%s",
              path, f.v[mine].line, f.v[mine].owner, f.v[mine].start, f.v[mine].count,
              f.v[other].line, f.v[other].owner, f.v[other].start, f.v[other].count, extra);
  } else if (total < SUBID_RECOMMENDED)
    check_add(r, id, CHECK_WARNING, fix,
              "%s gives %s only %" PRIu64 " ids (images with ids up to 65535 need %d)%s", path, who,
              total, SUBID_RECOMMENDED, extra);
  else
    check_add(r, id, CHECK_OK, NULL, "%s gives %s %" PRIu64 " ids%s", path, who, total, extra);
  subid_file_free(&f);
}

void check_subids(const struct check_env *env, struct check_report *r)
{
  if (!env->rootless || env->uid == 0) {
    const char *why = env->rootless ? "name the user: husk check --rootless --user NAME"
                                    : "root writes any map directly";
    check_add(r, "subuid", CHECK_SKIPPED, NULL, "%s", why);
    check_add(r, "subgid", CHECK_SKIPPED, NULL, "%s", why);
    return;
  }
  one_file(env, r, env->subuid, "subuid", 'u');
  one_file(env, r, env->subgid, "subgid", 'g');
}
