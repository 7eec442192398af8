/* User database lookups. glibc's getpwnam/getpwuid go through NSS, which
 * dlopen()s shared modules (libnss_systemd, ...): in a static husk that
 * crashes (SIGSEGV measured for an unknown user). A static husk reads
 * /etc/passwd itself, as runc does; a dynamic one uses NSS. */
#ifndef HUSK_PASSWD_H
#define HUSK_PASSWD_H

#include <pwd.h>
#include <sys/types.h>

/* As getpwnam/getpwuid: the result lives until the next call; NULL when absent. */
struct passwd *husk_getpwnam(const char *name);
struct passwd *husk_getpwuid(uid_t uid);

#endif
