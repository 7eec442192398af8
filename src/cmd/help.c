/* `husk COMMAND --help`: the usage line, the command's summary and one line per
 * option. The option list comes from the command's own getopt table, so an option
 * can never be missing from the help; the descriptions come from the table below
 * (an option without one is shown as undocumented, which the tests refuse). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

struct opt_help {
  const char *cmd; /* "*" applies to every command */
  const char *name, *arg, *text;
};

static const struct opt_help helps[] = {
    {"*", "help", NULL, "print this help and exit"},
    /* create and run (run takes every create option) */
    {"create", "bundle", "DIR", "bundle directory with config.json and the rootfs (default: .)"},
    {"create", "config", "FILE", "config file to read instead of BUNDLE/config.json (crun)"},
    {"create", "pid-file", "FILE", "write the container's init pid here (no newline)"},
    {"create", "console-socket", "SOCK",
     "unix socket that receives the pty master (process.terminal)"},
    {"create", "pidfd-socket", "SOCK", "accepted for runc compatibility; ignored"},
    {"create", "no-pivot", NULL, "use MS_MOVE + chroot instead of pivot_root (ramfs roots)"},
    {"create", "no-new-keyring", NULL, "keep the caller's session keyring"},
    {"create", "preserve-fds", "N", "pass N more fds (from fd 3) to the container"},
    {"create", "no-subreaper", NULL, "accepted for runc compatibility; ignored"},
    {"create", "detach", NULL, "run: return once the program runs (create: always detached)"},
    {"create", "keep", NULL, "run: keep the stopped container instead of deleting it"},
    {"create", "device", "VENDOR/CLASS=NAME", "add a CDI device (repeatable; see docs/cdi.md)"},
    {"cdi", "format", "text|json", "list: output format (default: text)"},
    {"cdi", "bundle", "DIR", "inject: the bundle whose config.json to edit (default: .)"},
    {"cdi", "config", "FILE", "inject: read FILE instead of BUNDLE/config.json"},
    {"cdi", "device", "VENDOR/CLASS=NAME", "inject: a CDI device to add (repeatable)"},
    {"delete", "force", NULL, "kill a running container first; no error if it does not exist"},
    {"delete", "regex", NULL, "ID is an extended regular expression: delete every match (crun)"},
    {"kill", "all", NULL, "signal every process in the container's cgroup"},
    {"kill", "regex", NULL, "ID is an extended regular expression: signal every match (crun)"},
    {"list", "format", "table|json", "output format (default: table)"},
    {"list", "quiet", NULL, "print only the container ids"},
    {"ps", "format", "table|json", "json: the host pids; table: `ps -ef` filtered (default)"},
    {"events", "stats", NULL, "print one statistics object and exit"},
    {"events", "interval", "DURATION", "time between statistics (Go syntax: 5s, 500ms)"},
    {"spec", "bundle", "DIR", "write config.json in DIR (default: .)"},
    {"spec", "rootless", NULL, "a config for an unprivileged user (user namespace, no cgroups)"},
    {"check", "rootless", NULL, "check what rootless containers need (implied for a non-root user)"},
    {"check", "json", NULL, "print the report as one JSON object"},
    {"check", "user", "NAME", "check for this user (as root): subordinate ids, XDG_RUNTIME_DIR"},
    {"check", "systemd-cgroup", NULL, "check for the systemd cgroup driver (delegation, D-Bus)"},
    /* exec */
    {"exec", "process", "FILE", "process.json to run (the other process flags are ignored)"},
    {"exec", "tty", "BOOL", "allocate a pseudo-terminal (crun: --tty=false turns it off)"},
    {"exec", "console-socket", "SOCK", "unix socket that receives the pty master"},
    {"exec", "pidfd-socket", "SOCK", "accepted for runc compatibility; ignored"},
    {"exec", "cwd", "DIR", "working directory inside the container"},
    {"exec", "env", "KEY=VAL", "set an environment variable (repeatable)"},
    {"exec", "user", "UID[:GID]", "user (and group) to run as"},
    {"exec", "additional-gids", "GID", "supplementary group (repeatable)"},
    {"exec", "cap", "CAP", "add a capability (repeatable)"},
    {"exec", "no-new-privs", NULL, "set no_new_privs for the process"},
    {"exec", "apparmor", "PROFILE", "AppArmor profile of the process"},
    {"exec", "process-label", "LABEL", "SELinux label of the process"},
    {"exec", "detach", NULL, "return once the process runs (the pid file says so)"},
    {"exec", "pid-file", "FILE", "write the process's pid here"},
    {"exec", "preserve-fds", "N", "pass N more fds (from fd 3) to the process"},
    {"exec", "cgroup", "PATH", "join this sub-cgroup of the container (v2)"},
    {"exec", "ignore-paused", NULL, "run even if the container is paused"},
    /* update */
    {"update", "resources", "FILE|-", "LinuxResources JSON to apply (- reads stdin)"},
    {"update", "memory", "N", "memory limit in bytes"},
    {"update", "memory-swap", "N", "memory plus swap limit in bytes"},
    {"update", "memory-reservation", "N", "memory soft limit in bytes"},
    {"update", "kernel-memory", "N", "kernel memory limit (v1; deprecated)"},
    {"update", "kernel-memory-tcp", "N", "kernel TCP buffer limit (v1; deprecated)"},
    {"update", "cpu-shares", "N", "relative CPU weight"},
    {"update", "cpu-quota", "N", "CPU time in microseconds per period"},
    {"update", "cpu-period", "N", "CPU period in microseconds"},
    {"update", "cpu-rt-period", "N", "real-time period in microseconds"},
    {"update", "cpu-rt-runtime", "N", "real-time runtime in microseconds"},
    {"update", "cpuset-cpus", "LIST", "CPUs allowed (e.g. 0-2,4)"},
    {"update", "cpuset-mems", "LIST", "memory nodes allowed"},
    {"update", "pids-limit", "N", "maximum number of tasks"},
    {"update", "blkio-weight", "N", "relative block I/O weight (10-1000)"},
    {"update", "cpu-burst", "N", "CPU burst in microseconds"},
    {"update", "cpu-idle", "0|1", "SCHED_IDLE for the cgroup (v2)"},
    {"update", "l3-cache-schema", "S", "Intel RDT L3 schema (accepted; not supported)"},
    {"update", "mem-bw-schema", "S", "Intel RDT memory bandwidth schema (accepted; not supported)"},
    /* checkpoint and restore */
    {"*", "image-path", "DIR", "directory of the CRIU images"},
    {"*", "work-path", "DIR", "directory of CRIU's logs (dump.log, restore.log)"},
    {"*", "parent-path", "DIR", "images of a previous pre-dump, relative to the image path"},
    {"*", "leave-running", NULL, "keep the container running after the checkpoint"},
    {"*", "tcp-established", NULL, "allow open TCP connections"},
    {"*", "tcp-close", NULL, "close TCP connections on restore (crun)"},
    {"*", "tcp-skip-in-flight", NULL, "skip in-flight TCP connections"},
    {"*", "ext-unix-sk", NULL, "allow external unix sockets"},
    {"*", "shell-job", NULL, "allow a shell job (a controlling terminal)"},
    {"*", "file-locks", NULL, "handle file locks"},
    {"*", "lazy-pages", NULL, "use lazy page migration"},
    {"*", "status-fd", "N", "write a byte to fd N when the dump is ready for lazy pages"},
    {"*", "page-server", "ADDR:PORT", "send pages to a CRIU page server"},
    {"*", "pre-dump", NULL, "dump memory only and leave the container running"},
    {"*", "manage-cgroups-mode", "MODE", "soft, full, strict or ignore"},
    {"*", "empty-ns", "NS", "create this namespace empty on restore (network)"},
    {"*", "auto-dedup", NULL, "deduplicate the images' pages"},
    {"*", "link-remap", NULL, "allow link remapping of unlinked files"},
    {"*", "network-lock", "METHOD", "network locking method (crun)"},
    {"restore", "bundle", "DIR", "bundle of the restored container"},
    {"restore", "detach", NULL, "return once the container is restored"},
    {"restore", "pid-file", "FILE", "write the restored init's pid here"},
    {"restore", "console-socket", "SOCK", "unix socket that receives the pty master"},
    {"restore", "no-subreaper", NULL, "accepted for runc compatibility; ignored"},
    {"restore", "no-pivot", NULL, "use MS_MOVE + chroot instead of pivot_root"},
    {"restore", "no-new-keyring", NULL, "accepted (conmon sends it); ignored"},
    {"restore", "lsm-profile", "TYPE:NAME", "LSM profile of the restored process"},
    {"restore", "lsm-mount-context", "CTX", "SELinux mount context of the restored mounts"},
    {NULL, NULL, NULL, NULL}};

static const struct opt_help *find_help(const char *cmd, const char *name)
{
  /* run shares create's table; exact entries first, then "*" */
  const char *alias = strcmp(cmd, "run") == 0 ? "create" : cmd;
  for (int pass = 0; pass < 2; pass++)
    for (const struct opt_help *h = helps; h->cmd; h++)
      if (strcmp(h->name, name) == 0 &&
          (pass == 0 ? strcmp(h->cmd, alias) == 0 : strcmp(h->cmd, "*") == 0))
        return h;
  return NULL;
}

static const char *summary_of(const char *cmd)
{
  for (const struct husk_cmd *c = husk_commands; c->name; c++)
    if (strcmp(c->name, cmd) == 0)
      return c->summary;
  return NULL;
}

void cmd_help(const char *cmd, const char *usage, const struct option *longopts,
              const char *shortopts)
{
  const char *summary = summary_of(cmd);
  printf("usage: husk %s\n", usage);
  if (summary)
    printf("\n%s\n", summary);
  printf("\nOptions:\n");
  for (const struct option *o = longopts; o->name; o++) {
    const struct opt_help *h = find_help(cmd, o->name);
    char flag[64], shortname[8] = "";
    const char *arg = h && h->arg ? h->arg : o->has_arg ? "VALUE" : NULL;
    if (o->val > 0 && o->val < 128 && strchr(shortopts, o->val))
      snprintf(shortname, sizeof shortname, "-%c, ", o->val);
    snprintf(flag, sizeof flag, "%s--%s%s%s", shortname, o->name,
             arg ? (o->has_arg == optional_argument ? "[=" : " ") : "", arg ? arg : "");
    if (arg && o->has_arg == optional_argument)
      strncat(flag, "]", sizeof flag - strlen(flag) - 1);
    printf("  %-30s %s\n", flag, h ? h->text : "(undocumented)");
  }
  printf("\nGlobal options (before COMMAND) are listed by `husk --help`.\n");
}
