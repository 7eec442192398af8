/* A D-Bus message as the bus or systemd might send it: the fixed header's
 * length, the header fields, and the body read by its own signature and by
 * the systemd readers (src/dbus/message.c, wire.c, cgroups/systemd_wire.c). */
#include <string.h>

#include "cgroups/systemd_wire.h"
#include "dbus/message.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct dbus_msg m;
  const char *why = NULL, *job, *result;
  uint8_t *raw = malloc(size ? size : 1);
  if (!raw)
    return 0;
  memcpy(raw, data, size);
  if (size >= DBUS_FIXED_HEADER)
    (void)dbus_msg_total_len(raw, &why);
  if (dbus_msg_parse(raw, size, &m, &why) == 0) {
    struct dbus_msg copy = m;
    const char *sig = m.signature;
    fuzz_check(m.serial != 0 && m.body.pos <= m.len);
    while (*sig && !copy.body.failed)
      dr_skip(&copy.body, &sig);
    fuzz_check(copy.body.failed || copy.body.pos <= m.len);
    copy = m;
    (void)sd_wire_job_removed(&copy, &job, &result);
    copy = m;
    (void)sd_wire_reply_variant_string(&copy);
    copy = m;
    (void)sd_wire_reply_string(&copy, "o");
    copy = m;
    (void)sd_wire_error_text(&copy);
  } else
    fuzz_check(why != NULL);
  dbus_msg_free(&m);
  return 0;
}
