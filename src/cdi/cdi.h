/* Native CDI: the one call `create` makes. Requests come from
 *   - `--device vendor/class=name` on the command line,
 *   - annotations whose key starts with `cdi.k8s.io/` (strict names),
 *   - NVIDIA_VISIBLE_DEVICES in process.env, mapped as nvidia-container-
 *     runtime does in cdi mode (only when no annotation asked for devices):
 *     all / indexes / UUIDs / MIG names → nvidia.com/gpu=<value>, qualified
 *     names pass through, unset / empty / void → nothing, none → nothing
 *     unless a spec defines nvidia.com/gpu=none (nvidia-ctk makes one only
 *     with --device-id none: driver files, no GPU). Such a request for
 *     a kind no spec defines is ignored with a warning (a CUDA image on a
 *     host without NVIDIA's spec still runs, as with runc); set
 *     HUSK_CDI_NVIDIA_ENV=0 in husk's environment to ignore the variable.
 * Names are de-duplicated (first occurrence kept). Resolution is all or
 * nothing, and the edits change only the in-memory spec. */
#ifndef HUSK_CDI_CDI_H
#define HUSK_CDI_CDI_H

#include "oci_spec.h"
#include "util/error.h"

#define CDI_NVIDIA_ENV "NVIDIA_VISIBLE_DEVICES"
#define CDI_NVIDIA_KIND "nvidia.com/gpu"
#define CDI_NVIDIA_ENV_SWITCH "HUSK_CDI_NVIDIA_ENV"

struct cdi_opts {
  char **devices;        /* --device values, NULL-terminated (may be NULL) */
  const char *spec_dirs; /* --cdi-spec-dir value (':'-separated) or NULL */
};

/* The requested names (heap vector, maybe empty) and which came from the
 * environment (from_env[i]). Fails on an invalid name. */
int cdi_requests(const struct oci_spec *spec, const struct cdi_opts *o, char ***names,
                 bool **from_env, struct husk_err *e);
/* NVIDIA_VISIBLE_DEVICES value → names, appended to *v (unique). */
int cdi_nvidia_env_devices(const char *value, char ***v);
/* Resolves every request and applies the edits. Returns 1 when something
 * was injected, 0 when nothing was requested (no directory is read then),
 * -1 on error (the spec may be half-edited: the caller discards it). */
int cdi_inject(struct oci_spec *spec, const struct cdi_opts *o, struct husk_err *e);

#endif
