/* Capabilities: the five sets of process.capabilities, exactly as configured.
 *
 * caps_validate() runs in the runtime at create time, so a misspelt name fails
 * before anything exists. In the container:
 *   caps_prepare()  before setresuid: PR_SET_KEEPCAPS keeps the permitted set
 *                   across the switch to a non-root uid;
 *   caps_apply()    after it: effective := permitted (so CAP_SETPCAP works),
 *                   drop every capability not in bounding, set effective/
 *                   permitted/inheritable, then raise the ambient ones.
 * An absent process.capabilities means empty sets (runc drops everything).
 * Inheritable stays empty unless asked for (CVE-2022-29162/-27650).
 * libcap when built with it (HAVE_CAP); raw capget/capset otherwise. */
#include "sandbox/caps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_CAP
#include <sys/capability.h>
#else
#include <linux/capability.h>
#endif

#include "sandbox/security.h"
#include "util/log.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

static const char *const cap_names[] = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",     "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",             "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE",  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",          "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",        "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",        "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",         "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",      "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",        "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",       "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"};
#define N_CAPS ((int)(sizeof cap_names / sizeof cap_names[0]))

int caps_from_name(const char *name)
{
  for (int i = 0; name && i < N_CAPS; i++)
    if (strcmp(name, cap_names[i]) == 0)
      return i;
  return -1;
}

const char *caps_name(int cap) { return cap >= 0 && cap < N_CAPS ? cap_names[cap] : NULL; }

static const char *label(int cap)
{
  const char *n = caps_name(cap);
  return n ? n : "(unnamed capability)";
}

int caps_last_cap(void)
{
  char buf[16] = {0};
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), last = -1;
  if (fd >= 0) {
    if (read(fd, buf, sizeof buf - 1) > 0)
      last = atoi(buf);
    close(fd);
  }
  if (last <= 0) /* no procfs: probe the bounding set (EINVAL past the last one) */
    for (last = 0; last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0; last++)
      ;
  return last < 63 ? last : 63;
}

int caps_parse_list(char *const *names, const char *field, int last_cap, uint64_t *mask,
                    uint64_t *unsupported, struct husk_err *e)
{
  *mask = 0;
  for (size_t i = 0; names && names[i]; i++) {
    int c = caps_from_name(names[i]);
    if (c < 0)
      return herr(e, EINVAL, "process.capabilities.%s: unknown capability \"%s\"", field,
                  names[i]);
    if (c > last_cap)
      *unsupported |= CAP_BIT(c);
    else
      *mask |= CAP_BIT(c);
  }
  return 0;
}

struct cap_sets {
  uint64_t bnd, eff, prm, inh, amb;
};

static int parse_sets(const struct oci_capabilities *c, int last, struct cap_sets *s,
                      uint64_t *unsupported, struct husk_err *e)
{
  memset(s, 0, sizeof *s);
  if (!c->set) /* absent: every set empty, like runc */
    return 0;
  if (caps_parse_list(c->bounding, "bounding", last, &s->bnd, unsupported, e) < 0 ||
      caps_parse_list(c->effective, "effective", last, &s->eff, unsupported, e) < 0 ||
      caps_parse_list(c->permitted, "permitted", last, &s->prm, unsupported, e) < 0 ||
      caps_parse_list(c->inheritable, "inheritable", last, &s->inh, unsupported, e) < 0 ||
      caps_parse_list(c->ambient, "ambient", last, &s->amb, unsupported, e) < 0)
    return -1;
  return 0;
}

static void warn_unsupported(uint64_t unsupported, int last)
{
  for (int c = 0; c < 64; c++)
    if (unsupported & CAP_BIT(c))
      husk_warn("process.capabilities: ignoring %s: the running kernel does not know it "
                "(cap_last_cap is %d)",
                label(c), last);
}

int caps_validate(const struct oci_capabilities *c, struct husk_err *e)
{
  struct cap_sets s;
  uint64_t unsupported = 0, lost;
  int last = caps_last_cap();
  if (parse_sets(c, last, &s, &unsupported, e) < 0)
    return -1;
  warn_unsupported(unsupported, last);
  lost = s.amb & ~(s.inh & s.prm);
  for (int i = 0; i < 64; i++)
    if (lost & CAP_BIT(i))
      husk_warn("process.capabilities.ambient: %s is not in both permitted and inheritable; "
                "it cannot be raised",
                label(i));
  return 0;
}

int caps_prepare(struct husk_err *e)
{
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return herr_sys(e, "process.capabilities: keep capabilities across the uid switch");
  return 0;
}

#ifdef HAVE_CAP
static int get_permitted(uint64_t *prm)
{
  cap_t cur = cap_get_proc();
  if (!cur)
    return -1;
  *prm = 0;
  for (int c = 0; c < 64; c++) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(cur, (cap_value_t)c, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
      *prm |= CAP_BIT(c);
  }
  cap_free(cur);
  return 0;
}

static int flag_mask(cap_t t, cap_flag_t flag, uint64_t mask)
{
  for (int c = 0; c < 64; c++) {
    cap_value_t v = (cap_value_t)c;
    if ((mask & CAP_BIT(c)) && cap_set_flag(t, flag, 1, &v, CAP_SET) < 0)
      return -1;
  }
  return 0;
}

static int set_sets(uint64_t eff, uint64_t prm, uint64_t inh)
{
  cap_t t = cap_init();
  int r = -1;
  if (t && flag_mask(t, CAP_EFFECTIVE, eff) == 0 && flag_mask(t, CAP_PERMITTED, prm) == 0 &&
      flag_mask(t, CAP_INHERITABLE, inh) == 0)
    r = cap_set_proc(t);
  if (t) {
    int saved = errno;
    cap_free(t);
    errno = saved;
  }
  return r;
}
#else
static int get_permitted(uint64_t *prm)
{
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) < 0)
    return -1;
  *prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
  return 0;
}

static int set_sets(uint64_t eff, uint64_t prm, uint64_t inh)
{
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct d[2] = {
      {(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
      {(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)}};
  return (int)syscall(SYS_capset, &h, d);
}
#endif

static int drop_bounding(uint64_t bnd, int last, struct husk_err *e)
{
  for (int c = 0; c <= last; c++) {
    if (bnd & CAP_BIT(c))
      continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return herr_sys(e, "process.capabilities.bounding: drop %s", label(c));
  }
  return 0;
}

/* The kernel refuses an ambient capability missing from permitted or
 * inheritable; runc warns and goes on, and so do we (caps_validate already
 * warned in the runtime, where the log is). */
static void raise_ambient(uint64_t amb)
{
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int c = 0; c < 64; c++)
    if ((amb & CAP_BIT(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      husk_debug("process.capabilities.ambient: cannot raise %s: %s", label(c),
                 strerror(errno));
}

int caps_apply(const struct oci_capabilities *c, struct husk_err *e)
{
  struct cap_sets s;
  uint64_t unsupported = 0, cur;
  int last = caps_last_cap();
  if (parse_sets(c, last, &s, &unsupported, e) < 0)
    return -1;
  /* setresuid to a non-root uid cleared effective; permitted survived (KEEPCAPS). */
  if (get_permitted(&cur) < 0 || set_sets(cur, cur, 0) < 0)
    return herr_sys(e, "process.capabilities: restore the effective set");
  if (drop_bounding(s.bnd, last, e) < 0)
    return -1;
  if (set_sets(s.eff, s.prm, s.inh) < 0)
    return herr_sys(e,
                    "process.capabilities: set effective %#llx, permitted %#llx, inheritable "
                    "%#llx (is a permitted capability missing from the runtime's own set?)",
                    (unsigned long long)s.eff, (unsigned long long)s.prm,
                    (unsigned long long)s.inh);
  raise_ambient(s.amb);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return herr_sys(e, "process.capabilities: clear keep-capabilities");
  return 0;
}
