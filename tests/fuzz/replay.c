/* Runs a harness over files without libFuzzer: every file named on the
 * command line (directories: every file in them), or, with no arguments, the
 * harness's corpus in the source tree (FUZZ_CORPUS). This is how seeds and
 * every past crash input run in `make check`, with gcc or any sanitizer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  if (!f) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  do {
    if (len == cap && !(buf = realloc(buf, cap = cap ? cap * 2 : 4096)))
      abort();
    n = fread(buf + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  fclose(f);
  LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
  free(buf);
  return 0;
}

static int replay_path(const char *path, int *count)
{
  struct stat st;
  DIR *d;
  struct dirent *de;
  int r = 0;
  if (stat(path, &st) < 0) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    ++*count;
    return replay_file(path);
  }
  if (!(d = opendir(path)))
    return -1;
  while ((de = readdir(d)) && r == 0) {
    char sub[4096];
    if (de->d_name[0] == '.')
      continue;
    snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
    r = replay_path(sub, count);
  }
  closedir(d);
  return r;
}

int main(int argc, char **argv)
{
  char *defaults[] = {argv[0], (char *)FUZZ_CORPUS, NULL};
  int count = 0;
  if (argc < 2) {
    argv = defaults;
    argc = 2;
  }
  for (int i = 1; i < argc; i++)
    if (replay_path(argv[i], &count) < 0)
      return 1;
  printf("1..1\nok 1 - replayed %d inputs without a crash\n", count);
  return count > 0 ? 0 : 1;
}
