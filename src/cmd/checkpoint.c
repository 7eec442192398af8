/* checkpoint / restore: runc's option tables, so `checkpoint --help` and
 * `restore --lsm-mount-context` (no value) answer the probes Podman and CRI-O
 * make; actually running them reports that CRIU support is missing. */
#include <errno.h>

#include "cmd/cmd.h"

#define CKPT_USAGE                                                                             \
  "checkpoint [--image-path DIR] [--work-path DIR] [--parent-path DIR] [--leave-running] "      \
  "[--tcp-established] [--ext-unix-sk] [--shell-job] [--lazy-pages] [--status-fd N] "          \
  "[--page-server ADDR:PORT] [--file-locks] [--pre-dump] [--manage-cgroups-mode MODE] "        \
  "[--empty-ns NS] [--auto-dedup] ID"
#define RESTORE_USAGE                                                                          \
  "restore [--image-path DIR] [--work-path DIR] [--tcp-established] [--ext-unix-sk] "          \
  "[--shell-job] [--file-locks] [--manage-cgroups-mode MODE] [--bundle DIR] [--detach] "       \
  "[--pid-file FILE] [--console-socket SOCK] [--no-subreaper] [--no-pivot] "                   \
  "[--empty-ns NS] [--auto-dedup] [--lazy-pages] [--lsm-profile TYPE:NAME] "                   \
  "[--lsm-mount-context CTX] ID"

#define COMMON_OPTS                                                                            \
  {"image-path", required_argument, NULL, 'i'}, {"work-path", required_argument, NULL, 'w'},   \
      {"tcp-established", no_argument, NULL, 0}, {"tcp-close", no_argument, NULL, 0},          \
      {"ext-unix-sk", no_argument, NULL, 0}, {"shell-job", no_argument, NULL, 0},              \
      {"file-locks", no_argument, NULL, 0}, {"lazy-pages", no_argument, NULL, 0},              \
      {"manage-cgroups-mode", required_argument, NULL, 0},                                     \
      {"empty-ns", required_argument, NULL, 0}, {"auto-dedup", no_argument, NULL, 0},          \
      {"network-lock", no_argument, NULL, 0}, HELP_OPTION

static const struct option ckpt_opts[] = {COMMON_OPTS,
                                          {"parent-path", required_argument, NULL, 0},
                                          {"leave-running", no_argument, NULL, 0},
                                          {"status-fd", required_argument, NULL, 0},
                                          {"page-server", required_argument, NULL, 0},
                                          {"pre-dump", no_argument, NULL, 0},
                                          {"tcp-skip-in-flight", no_argument, NULL, 0},
                                          {"link-remap", no_argument, NULL, 0},
                                          {NULL, 0, NULL, 0}};

static const struct option restore_opts[] = {COMMON_OPTS,
                                             {"bundle", required_argument, NULL, 'b'},
                                             {"detach", no_argument, NULL, 'd'},
                                             {"pid-file", required_argument, NULL, 0},
                                             {"console-socket", required_argument, NULL, 0},
                                             {"no-subreaper", no_argument, NULL, 0},
                                             {"no-pivot", no_argument, NULL, 0},
                                             {"no-new-keyring", no_argument, NULL, 0},
                                             {"lsm-profile", required_argument, NULL, 0},
                                             {"lsm-mount-context", required_argument, NULL, 0},
                                             {"parent-path", required_argument, NULL, 0},
                                             {NULL, 0, NULL, 0}};

static int no_opt(int c, const char *arg, void *ctx)
{
  (void)c;
  (void)arg;
  (void)ctx;
  return 0;
}

static int not_implemented(int argc, char **argv, const char *usage, const struct option *o,
                           const char *shortopts)
{
  struct husk_err e = {0};
  int first = cmd_parse(argc, argv, usage, o, shortopts, false, no_opt, NULL);
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (cmd_need_args(argc, first, 1, false, usage, &e) < 0)
    return cmd_fail(&e);
  herr(&e, ENOTSUP, "checkpoint/restore: CRIU support is not implemented yet");
  return cmd_fail(&e);
}

int cmd_checkpoint(struct husk_globals *g, int argc, char **argv)
{
  (void)g;
  return not_implemented(argc, argv, CKPT_USAGE, ckpt_opts, "i:w:");
}

int cmd_restore(struct husk_globals *g, int argc, char **argv)
{
  (void)g;
  return not_implemented(argc, argv, RESTORE_USAGE, restore_opts, "i:w:b:d");
}
