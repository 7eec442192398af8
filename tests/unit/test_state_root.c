/* The default state root follows runc's rule in every case its callers create:
 * real root (containerd, CRI-O, podman as root with an empty XDG_RUNTIME_DIR), a plain
 * user, and uid 0 inside rootless podman's user namespace (USER unset there). */
#include <stdbool.h>
#include <unistd.h>

#include "container/state.h"
#include "tap.h"

int main(void)
{
  ok(!state_root_is_users(0, false, NULL, NULL), "root, no XDG: /run/husk");
  ok(!state_root_is_users(0, false, "", NULL), "root, empty XDG (podman as root): /run/husk");
  ok(!state_root_is_users(0, false, "/run/user/1000", "alice"),
     "real root keeps /run/husk even with a user's XDG (sudo -E)");
  ok(state_root_is_users(1000, false, "/run/user/1000", "alice"), "a user: XDG");
  ok(state_root_is_users(1000, false, NULL, NULL), "a user without XDG: the user's fallback");
  ok(state_root_is_users(0, true, "/run/user/1000", NULL),
     "uid 0 in a user namespace, USER unset (rootless podman): XDG");
  ok(state_root_is_users(0, true, "/run/user/1000", "alice"), "uid 0 in a userns, USER=alice: XDG");
  ok(!state_root_is_users(0, true, "/run/user/0", "root"),
     "uid 0 in a userns, USER=root: /run/husk");
  ok(!state_root_is_users(0, true, "", NULL), "uid 0 in a userns without XDG: /run/husk");
  ok(rootless_mode("true"), "--rootless true");
  ok(!rootless_mode("false"), "--rootless false");
  ok(rootless_mode("auto") == rootless_mode(NULL), "--rootless auto is the default");
  ok(rootless_mode(NULL) == (geteuid() != 0 || running_in_userns()),
     "auto: euid, then user namespace");
  return tap_done();
}
