/* Where CDI requests come from: --device, `cdi.k8s.io/` annotations and
 * NVIDIA_VISIBLE_DEVICES (see cdi.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi.h"
#include "cdi/names.h"
#include "cdi/strv.h"

static const char *env_value(char *const *env, const char *key)
{
  size_t klen = strlen(key);
  const char *v = NULL;
  for (size_t i = 0; env && env[i]; i++) /* the last one wins, as in a Go map */
    if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=')
      v = env[i] + klen + 1;
  return v;
}

static int push_unique(char ***v, const char *s)
{
  return cdi_strv_contains(*v, s) ? 0 : cdi_strv_push(v, s);
}

static char *trim(char *s)
{
  char *end;
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
    *--end = '\0';
  return s;
}

int cdi_nvidia_env_devices(const char *value, char ***v)
{
  char *copy, *tok, *save = NULL;
  int r = 0;
  if (!value)
    return 0;
  if (!(copy = strdup(value)))
    return -1;
  tok = trim(copy);
  if (*tok == '\0' || strcmp(tok, "void") == 0) {
    free(copy);
    return 0;
  }
  for (tok = strtok_r(copy, ",", &save); r == 0 && tok; tok = strtok_r(NULL, ",", &save)) {
    char *id = trim(tok), *name = NULL;
    if (!*id)
      continue;
    if (cdi_is_qualified(id))
      r = push_unique(v, id);
    else if (asprintf(&name, "%s=%s", CDI_NVIDIA_KIND, id) < 0)
      r = -1;
    else
      r = push_unique(v, name);
    free(name);
  }
  free(copy);
  return r;
}

static bool nvidia_env_enabled(void)
{
  const char *s = getenv(CDI_NVIDIA_ENV_SWITCH);
  return !s || !(strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "off") == 0);
}

static int cli_devices(char *const *devices, char ***names, struct husk_err *e)
{
  for (size_t i = 0; devices && devices[i]; i++) {
    char *why = NULL;
    struct cdi_name n;
    if (cdi_parse_qualified(devices[i], &n, &why) < 0) {
      herr(e, EINVAL, "--device: %s", why ? why : "invalid CDI device name");
      free(why);
      return -1;
    }
    cdi_name_clear(&n);
    if (push_unique(names, devices[i]) < 0)
      return herr(e, ENOMEM, "cdi requests");
  }
  return 0;
}

int cdi_requests(const struct oci_spec *spec, const struct cdi_opts *o, char ***names,
                 bool **from_env, struct husk_err *e)
{
  char **ann = NULL, **env = NULL, *why = NULL;
  size_t n_ann = 0, first_env;
  int r = -1;
  *names = calloc(1, sizeof(**names));
  *from_env = NULL;
  if (!*names)
    return herr(e, ENOMEM, "cdi requests");
  if (cli_devices(o ? o->devices : NULL, names, e) < 0)
    goto out;
  if (cdi_annotation_devices(&spec->annotations, &ann, &n_ann, &why) < 0) {
    herr(e, EINVAL, "%s", why ? why : "cdi annotations: out of memory");
    goto out;
  }
  for (size_t i = 0; i < n_ann; i++)
    if (push_unique(names, ann[i]) < 0)
      goto oom;
  first_env = cdi_strv_len(*names);
  /* nvidia-container-runtime: the environment only when no annotation asked */
  if (n_ann == 0 && nvidia_env_enabled() &&
      cdi_nvidia_env_devices(env_value(spec->process.env, CDI_NVIDIA_ENV), &env) < 0)
    goto oom;
  for (size_t i = 0; env && env[i]; i++)
    if (push_unique(names, env[i]) < 0)
      goto oom;
  if (!(*from_env = calloc(cdi_strv_len(*names) + 1, sizeof(**from_env))))
    goto oom;
  for (size_t i = first_env; (*names)[i]; i++)
    (*from_env)[i] = true;
  r = 0;
  goto out;
oom:
  herr(e, ENOMEM, "cdi requests");
out:
  free(why);
  cdi_strv_free(ann);
  cdi_strv_free(env);
  if (r < 0) {
    cdi_strv_free(*names);
    *names = NULL;
  }
  return r;
}
