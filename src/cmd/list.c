#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container/lifecycle.h"
#include "oci_json.h"
#include "oci_state.h"

#define USAGE "list [--format table|json] [--quiet]"

static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                     {"quiet", no_argument, NULL, 'q'}, HELP_OPTION,
                                     {NULL, 0, NULL, 0}};

struct list_cli {
  bool json, quiet;
};

static int on_opt(int c, const char *arg, void *ctx)
{
  struct list_cli *l = ctx;
  if (c == 'q')
    l->quiet = true;
  else if (c == 'f' && strcmp(arg, "json") == 0)
    l->json = true;
  else if (c == 'f' && strcmp(arg, "table") != 0) {
    fprintf(stderr, "husk list: --format: expected table or json\n");
    return -1;
  }
  return 0;
}

static void print_row(struct container *c)
{
  struct oci_state st = {0};
  char *json = lifecycle_state_json(c, false, true), *msg = NULL;
  if (json && oci_state_parse(json, strlen(json), "state", &st, &msg) == 0)
    printf("%-12s %-8d %-10s %-40s %-31s %s\n", st.id, st.pid, st.status, st.bundle,
           st.created ? st.created : "", st.owner ? st.owner : "");
  oci_state_clear(&st);
  free(msg);
  free(json);
}

int cmd_list(struct husk_globals *g, int argc, char **argv)
{
  struct list_cli l = {0};
  struct husk_err e = {0};
  char **ids;
  size_t n;
  int first = cmd_parse(argc, argv, USAGE, opts, "f:q", false, on_opt, &l);
  bool any = false;
  if (first < 0)
    return first == -2 ? 0 : 1;
  if (state_list_ids(g->root, &ids, &n, &e) < 0)
    return cmd_fail(&e);
  if (l.json)
    fputs("[", stdout);
  else if (!l.quiet)
    printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
           "OWNER");
  for (size_t i = 0; i < n; i++) {
    struct container c;
    if (container_open(&c, g->root, ids[i], false, &e) == 0) {
      if (l.quiet && !l.json)
        printf("%s\n", c.id);
      else if (l.json) {
        char *json = lifecycle_state_json(&c, false, true);
        printf("%s%s", any ? "," : "", json ? json : "null");
        free(json);
      } else
        print_row(&c);
      any = true;
    }
    herr_clear(&e);
    container_close(&c);
    free(ids[i]);
  }
  free(ids);
  if (l.json)
    puts("]");
  return 0;
}
