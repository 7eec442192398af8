/* /dev inside the container: the default devices, linux.devices and the
 * standard symlinks, created under the rootfs's /dev resolved inside it. */
#ifndef HUSK_DEVICES_H
#define HUSK_DEVICES_H

#include <stdbool.h>

#include "oci_spec.h"
#include "util/error.h"

int devices_setup(int rootfd, const struct oci_spec *spec, bool in_userns, struct husk_err *e);

#endif
