/* The command table. */
#include "cmd/cmd.h"

const struct husk_cmd husk_commands[] = {
    {"create", "create a container and leave it blocked before exec", cmd_create},
    {"start", "run the user program of a created container", cmd_start},
    {"run", "create and start a container", cmd_run},
    {"state", "print the state of a container as JSON", cmd_state},
    {"kill", "send a signal to a container's init (or all its processes)", cmd_kill},
    {"delete", "delete a container and everything it holds", cmd_delete},
    {"list", "list containers", cmd_list},
    {"exec", "run a new process inside a container", cmd_exec},
    {"ps", "list the processes of a container", cmd_ps},
    {"pause", "freeze every process of a container", cmd_pause},
    {"resume", "thaw a paused container", cmd_resume},
    {"update", "change a container's cgroup resources", cmd_update},
    {"events", "print cgroup statistics of a container as JSON lines", cmd_events},
    {"spec", "write a default config.json", cmd_spec},
    {"cdi", "list the CDI devices this host offers (and spec file errors)", cmd_cdi},
    {"features", "print the features of this runtime as JSON", cmd_features},
    {"check", "check this machine and user for (rootless) containers", cmd_check},
    {"checkpoint", "checkpoint a container to disk with CRIU", cmd_checkpoint},
    {"restore", "restore a container from a CRIU checkpoint", cmd_restore},
    /* internal (no summary: not listed): CRIU's action script during restore */
    {"restore-hooks", NULL, cmd_restore_hooks},
    {NULL, NULL, NULL}};
