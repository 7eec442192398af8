/* /etc/subuid and /etc/subgid: the host id ranges delegated to each user
 * ("owner:start:count" lines, owner a user name or a decimal uid, as shadow's
 * newuidmap/newgidmap read them). Pure parsing and range arithmetic, plus
 * the check that a spec's mappings stay within what the caller may map. */
#ifndef HUSK_SUBID_H
#define HUSK_SUBID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci_spec.h"
#include "util/error.h"

#define SUBUID_FILE "/etc/subuid"
#define SUBGID_FILE "/etc/subgid"
#define SUBID_RECOMMENDED 65536

struct subid_entry {
  char *owner; /* as written: a name or a uid */
  uint64_t start, count;
  unsigned line; /* 1-based, for messages */
};

struct subid_file {
  struct subid_entry *v;
  size_t n;
};

/* Parses the whole text. Blank lines and '#' comments are skipped; malformed
 * lines are skipped too (shadow ignores them) and counted in *bad when given. */
int subid_parse(const char *text, struct subid_file *out, size_t *bad);
/* Reads and parses path; a missing file is an empty list. */
int subid_read(const char *path, struct subid_file *out, size_t *bad, struct husk_err *e);
void subid_file_free(struct subid_file *f);

/* Whether entry i belongs to the user (by name, or by uid written in decimal). */
bool subid_is_users(const struct subid_entry *en, const char *name, uint64_t uid);
/* Total ids delegated to the user (overlapping entries counted once). */
uint64_t subid_user_total(const struct subid_file *f, const char *name, uint64_t uid);
/* Whether newuidmap/newgidmap accept [start, start+count): exactly the
 * caller's own id (count 1), or inside the union of the user's ranges. */
bool subid_covers(const struct subid_file *f, const char *name, uint64_t uid, uint64_t own,
                  uint64_t start, uint64_t count);
/* Index of the first entry of another owner overlapping one of the user's
 * ranges, or -1. *mine gets the index of the user's entry involved. */
long subid_overlap(const struct subid_file *f, const char *name, uint64_t uid, size_t *mine);

/* Checks every mapping of m (field is "linux.uidMappings"); on failure the
 * error names the mapping, the host range, the user and the file. */
int subid_check_mappings(const struct oci_id_mappings *m, const char *field, const char *path,
                         const struct subid_file *f, const char *name, uint64_t uid, uint64_t own,
                         struct husk_err *e);

#endif
