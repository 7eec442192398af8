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
    {NULL, NULL, NULL}};
