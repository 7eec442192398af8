#include "util/passwd.h"

#include <stdio.h>
#include <string.h>

#ifdef HUSK_STATIC_BINARY
/* fgetpwent's buffer outlives the fclose: it is the result we return. */
static struct passwd *find(const char *name, uid_t uid)
{
  FILE *f = fopen("/etc/passwd", "re");
  struct passwd *pw = NULL;
  while (f && (pw = fgetpwent(f)))
    if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid)
      break;
  if (f)
    fclose(f);
  return pw;
}

struct passwd *husk_getpwnam(const char *name)
{
  return find(name, 0);
}
struct passwd *husk_getpwuid(uid_t uid)
{
  return find(NULL, uid);
}
#else
struct passwd *husk_getpwnam(const char *name)
{
  return getpwnam(name);
}
struct passwd *husk_getpwuid(uid_t uid)
{
  return getpwuid(uid);
}
#endif
