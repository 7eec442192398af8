/* linux.seccomp: build the filter with libseccomp (seccomp_prepare, before
 * anything is dropped, so a bad profile fails early and nothing is resolved
 * after the filter is live) and load it (seccomp_install).
 *
 * Where it loads: with noNewPrivileges, as the very last step before execve;
 * without it the kernel wants CAP_SYS_ADMIN, so it loads before the uid switch
 * and the capability drop (runc and crun do the same).
 *
 * SCMP_ACT_NOTIFY: the listener fd must reach the agent at listenerPath
 * without the filtered init having to make a single syscall that the filter
 * could trap (write, sendmsg, close...). So the init only announces the load
 * (SYNC_SECCOMP, before loading), waits until `husk start` has connected to
 * the agent (SYNC_SECCOMP back), loads, then blocks in one recv until the
 * runtime has pulled the fd out of it with pidfd_getfd (seccomp_notify.c)
 * and sent SYNC_SECCOMP_DONE. If that recv is itself a notify target the
 * container waits for the agent, who by then holds the fd; the runtime never
 * waits on the container. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/security.h"
#include "util/log.h"
#include "util/sync.h"

#ifdef HAVE_SECCOMP
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/seccomp_names.h"

struct seccomp_filter {
  scmp_filter_ctx ctx;
  bool notify;           /* some action is SCMP_ACT_NOTIFY: hand the listener out */
  bool wait_killable;    /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, libseccomp < 2.6 */
  struct sock_fprog raw; /* the exported program when we load it ourselves */
};

static int build_cmps(const struct oci_seccomp_syscall *sc, const char *field,
                      struct scmp_arg_cmp *cmps, struct husk_err *e)
{
  for (size_t i = 0; i < sc->n_args; i++) {
    const struct oci_seccomp_arg *a = &sc->args[i];
    int op;
    if (a->index > 5)
      return herr(e, EINVAL, "%s.args[%zu].index: %u is past the sixth argument", field, i,
                  a->index);
    if (seccomp_op_parse(a->op, &op, e) < 0)
      return herr_wrap(e, "%s.args[%zu].op", field, i);
    /* MASKED_EQ: (arg & value) == valueTwo */
    cmps[i] = (struct scmp_arg_cmp){
        .arg = a->index, .op = (enum scmp_compare)op, .datum_a = a->value, .datum_b = a->value_two};
  }
  return 0;
}

/* libseccomp ANDs the comparisons of one rule but cannot AND two on the same
 * argument; runc then adds one rule per comparison (OR), and so do we. */
static bool same_index_twice(const struct oci_seccomp_syscall *sc)
{
  for (size_t i = 0; i < sc->n_args; i++)
    for (size_t j = i + 1; j < sc->n_args; j++)
      if (sc->args[i].index == sc->args[j].index)
        return true;
  return false;
}

static int add_one(scmp_filter_ctx ctx, uint32_t act, const char *name, const char *field,
                   const struct oci_seccomp_syscall *sc, struct scmp_arg_cmp *cmps,
                   struct husk_err *e)
{
  int nr = seccomp_syscall_resolve_name(name), r = 0;
  if (nr == __NR_SCMP_ERROR) {
    husk_debug("%s: syscall \"%s\" unknown here, ignored", field, name);
    return 0;
  }
  if (sc->n_args && same_index_twice(sc)) {
    for (size_t i = 0; i < sc->n_args && r == 0; i++)
      r = seccomp_rule_add_array(ctx, act, nr, 1, &cmps[i]);
  } else {
    r = seccomp_rule_add_array(ctx, act, nr, (unsigned)sc->n_args, cmps);
  }
  if (r < 0 && nr < 0) { /* a pseudo number: the syscall exists only on other arches */
    husk_debug("%s: syscall \"%s\" not on the filter's architectures, ignored", field, name);
    return 0;
  }
  if (r < 0)
    return herr(e, -r, "%s: add a rule for syscall \"%s\"", field, name);
  return 0;
}

static int add_syscalls(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t def,
                        bool *notify, struct husk_err *e)
{
  for (size_t i = 0; i < s->n_syscalls; i++) {
    const struct oci_seccomp_syscall *sc = &s->syscalls[i];
    struct scmp_arg_cmp cmps[6];
    char field[64], af[80], ef[80];
    uint32_t act;
    snprintf(field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
    snprintf(af, sizeof af, "%s.action", field);
    snprintf(ef, sizeof ef, "%s.errnoRet", field);
    if (sc->n_args > 6)
      return herr(e, EINVAL, "%s.args: more than 6 arguments", field);
    if (seccomp_action_parse(sc->action, sc->errno_ret, af, ef, &act, e) < 0 ||
        build_cmps(sc, field, cmps, e) < 0)
      return -1;
    if (act == def) /* libseccomp refuses rules that repeat the default */
      continue;
    *notify |= act == SCMP_ACT_NOTIFY;
    for (size_t j = 0; sc->names && sc->names[j]; j++)
      if (add_one(ctx, act, sc->names[j], field, sc, cmps, e) < 0)
        return -1;
  }
  return 0;
}

static int add_arches_and_flags(scmp_filter_ctx ctx, const struct oci_seccomp *s,
                                bool *wait_killable, struct husk_err *e)
{
  int r;
  for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
    uint32_t arch;
    if (seccomp_arch_parse(s->architectures[i], &arch, e) < 0)
      return -1;
    r = seccomp_arch_add(ctx, arch);
    if (r < 0 && r != -EEXIST)
      return herr(e, -r, "linux.seccomp.architectures: add %s", s->architectures[i]);
  }
  for (size_t i = 0; s->flags && s->flags[i]; i++) {
    int f = seccomp_flag_apply(ctx, s->flags[i], e);
    if (f < 0)
      return -1;
    if (f == SECCOMP_FLAG_BY_LOADER)
      *wait_killable = true;
  }
  /* noNewPrivileges is process.noNewPrivileges' business, not libseccomp's. */
  r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  return r < 0 ? herr(e, -r, "linux.seccomp: clear the no_new_privs attribute") : 0;
}

/* WAIT_KILLABLE_RECV only means something for a listener (the kernel refuses
 * it without one); for it we export the BPF now and load it with seccomp(2). */
static int export_raw(struct seccomp_filter *f, struct husk_err *e)
{
  int mfd, r;
  off_t size;
  if (!f->wait_killable || !f->notify)
    return 0;
  if ((mfd = memfd_create("husk-seccomp", MFD_CLOEXEC)) < 0)
    return herr_sys(e, "linux.seccomp: export the filter");
  r = seccomp_export_bpf(f->ctx, mfd);
  size = lseek(mfd, 0, SEEK_END);
  if (r < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
      !(f->raw.filter = malloc((size_t)size)) ||
      pread(mfd, f->raw.filter, (size_t)size, 0) != size) {
    close(mfd);
    return herr(e, r < 0 ? -r : EIO, "linux.seccomp: export the filter");
  }
  close(mfd);
  f->raw.len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
  return 0;
}

static unsigned int raw_flags(scmp_filter_ctx ctx)
{
  static const struct {
    enum scmp_filter_attr attr;
    unsigned int flag;
  } t[] = {{SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
           {SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG},
           {SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW}};
  unsigned int flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    uint32_t v = 0;
    if (seccomp_attr_get(ctx, t[i].attr, &v) == 0 && v)
      flags |= t[i].flag;
  }
  return flags;
}

static int load(struct seccomp_filter *f)
{
  if (!f->raw.filter)
    return seccomp_load(f->ctx);
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, raw_flags(f->ctx), &f->raw) < 0 ? -errno : 0;
}

int seccomp_prepare(const struct oci_seccomp *s, struct seccomp_filter **out, struct husk_err *e)
{
  struct seccomp_filter *f;
  uint32_t def;
  *out = NULL;
  if (!s || !s->set)
    return 0;
  if (seccomp_action_parse(s->default_action, s->default_errno_ret, "linux.seccomp.defaultAction",
                           "linux.seccomp.defaultErrnoRet", &def, e) < 0)
    return -1;
  if (!(f = calloc(1, sizeof *f)) || !(f->ctx = seccomp_init(def))) {
    free(f);
    return herr(e, ENOMEM, "linux.seccomp: create the filter");
  }
  f->notify = def == SCMP_ACT_NOTIFY;
  if (add_arches_and_flags(f->ctx, s, &f->wait_killable, e) < 0 ||
      add_syscalls(f->ctx, s, def, &f->notify, e) < 0 || export_raw(f, e) < 0) {
    seccomp_filter_free(f);
    return -1;
  }
  if (f->notify && !(s->listener_path && *s->listener_path)) {
    seccomp_filter_free(f);
    return herr(e, EINVAL, "linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs a listener");
  }
  *out = f;
  return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
  if (!f)
    return;
  seccomp_release(f->ctx);
  free(f->raw.filter);
  free(f);
}

bool seccomp_filter_notifies(const struct seccomp_filter *f)
{
  return f && f->notify;
}

static int handshake(int conn, enum sync_type want, struct husk_err *e)
{
  struct sync_msg m;
  int r = sync_recv(conn, &m, -1);
  if (r < 0 || m.type != (uint32_t)want)
    return herr(e, r < 0 ? -r : EPROTO,
                "linux.seccomp.listenerPath: the runtime could not pass the listener on");
  return 0;
}

int seccomp_install(struct seccomp_filter *f, int notify_conn, struct husk_err *e)
{
  int r;
  if (!f)
    return 0;
  if (f->notify) {
    if (notify_conn < 0)
      return herr(e, EINVAL,
                  "linux.seccomp: SCMP_ACT_NOTIFY needs a runtime to hand the "
                  "listener to");
    if (sync_send(notify_conn, SYNC_SECCOMP, 0, NULL) < 0 ||
        handshake(notify_conn, SYNC_SECCOMP, e) < 0)
      return herr_wrap(e, "linux.seccomp");
  }
  r = load(f);
  if (r < 0)
    return herr(e, -r, "linux.seccomp: load the filter");
  /* From here on, no syscall but this recv (and execve) until exec. */
  if (f->notify && handshake(notify_conn, SYNC_SECCOMP_DONE, e) < 0)
    return -1;
  return 0;
}

#else /* !HAVE_SECCOMP */

int seccomp_prepare(const struct oci_seccomp *s, struct seccomp_filter **out, struct husk_err *e)
{
  *out = NULL;
  if (s && s->set)
    return herr(e, ENOTSUP, "linux.seccomp: husk was built without libseccomp");
  return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
  (void)f;
}

bool seccomp_filter_notifies(const struct seccomp_filter *f)
{
  (void)f;
  return false;
}

int seccomp_install(struct seccomp_filter *f, int notify_conn, struct husk_err *e)
{
  (void)f;
  (void)notify_conn;
  (void)e;
  return 0;
}
#endif

int seccomp_validate(const struct oci_seccomp *s, struct husk_err *e)
{
  struct seccomp_filter *f = NULL;
  if (seccomp_prepare(s, &f, e) < 0)
    return -1;
  seccomp_filter_free(f);
  return 0;
}
