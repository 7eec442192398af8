/* The state store: one directory per container under the root, holding
 *   state.json   the container record (written atomically)
 *   config.json  the config as created (later edits to the bundle don't count)
 *   start.sock   where the blocked init waits for `start`
 * The directory fd is flock()ed by commands that change the container. */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroup.h"
#include "oci_spec.h"
#include "util/error.h"

struct container {
  char *root, *id;
  int dirfd; /* locked when opened with container_open(..., lock=true) */
  /* record */
  char *oci_version, *bundle, *rootfs, *created, *status;
  pid_t pid;
  unsigned long long pid_start; /* /proc/PID/stat starttime: guards pid reuse */
  bool own_pidns;               /* init has a private pid namespace */
  bool rootless;
  uid_t owner;
  struct cgroup cgroup;
};

/* The default root: /run/husk as root, $XDG_RUNTIME_DIR/husk otherwise
 * (an empty XDG_RUNTIME_DIR counts as unset; then /run/user/UID/husk). */
char *state_default_root(void);
/* runc's rule: the user's root ($XDG_RUNTIME_DIR) for euid != 0, and for euid 0 inside
 * a user namespace with XDG_RUNTIME_DIR set unless USER is "root"; else /run/husk. */
bool state_root_is_users(uid_t euid, bool in_userns, const char *xdg, const char *user);
bool running_in_userns(void);
/* --rootless true|false, or auto (NULL): euid != 0, or euid 0 in a user namespace. */
bool rootless_mode(const char *flag);
int state_validate_id(const char *id, struct husk_err *e);
/* Creates the directory (fails with "already exists") and locks it. */
int container_new(struct container *c, const char *root, const char *id, struct husk_err *e);
/* Opens an existing container ("does not exist" otherwise) and reads its record.
 * On failure c is already closed (closing it again is harmless). */
int container_open(struct container *c, const char *root, const char *id, bool lock,
                   struct husk_err *e);
/* Takes or releases the directory lock (run holds it only while changing state). */
int container_lock(struct container *c, bool lock);
int container_save(struct container *c, struct husk_err *e);
/* Fills c's record fields from state.json's text (what container_open reads;
 * the fuzz target for the state reader). Frees nothing already in c. */
int container_record_parse(struct container *c, const char *data, size_t len, struct husk_err *e);
/* Loads the config saved at create. */
int container_load_spec(struct container *c, struct oci_spec **spec, struct husk_err *e);
/* creating | created | running | paused | stopped, from the record and the
 * live process (pid + start time) and cgroup freezer. */
const char *container_status(struct container *c);
bool container_init_alive(const struct container *c);
/* A pidfd for the init, verified against pid reuse; -ESRCH when gone. */
int container_pidfd(const struct container *c);
/* Hides the directory (one rename) and removes it. */
int container_remove(struct container *c, struct husk_err *e);
/* Removes what a delete killed mid-removal left of id (hidden directories). */
int state_remove_leftovers(const char *root, const char *id, struct husk_err *e);
void container_close(struct container *c);
/* IDs of every container under root (for list). */
int state_list_ids(const char *root, char ***ids, size_t *n, struct husk_err *e);
/* Starttime (field 22 of /proc/PID/stat); 0 if the process is gone or a zombie. */
unsigned long long proc_start_time(pid_t pid);

#endif
