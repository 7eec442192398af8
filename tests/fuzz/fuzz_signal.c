/* kill's SIGNAL argument: "9", "KILL", "SIGKILL", "sigkill", RTMIN+n, RTMAX-n. */
#include <signal.h>

#include "fuzz.h"
#include "util/signals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = fuzz_strndup(data, size);
  int sig = signal_parse(s);
  fuzz_check(sig == -1 || (sig >= 1 && sig <= SIGRTMAX));
  free(s);
  return 0;
}
