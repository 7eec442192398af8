/* husk's D-Bus client, the pure parts: marshalling against bytes worked
 * out from the specification, parsing (both byte orders, malformed input),
 * signatures, addresses, and the systemd manager's message bodies. The
 * transport against a scripted peer is in test_dbus_peer.c; against a real
 * dbus-daemon in tests/integration/test_systemd_dbus.py. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd_wire.h"
#include "dbus/address.h"
#include "dbus/message.h"
#include "dbus/wire.h"
#include "tap.h"

static int same_bytes(const struct dbus_wbuf *w, const void *want, size_t n)
{
  if (w->failed || w->len != n)
    return 0;
  return memcmp(w->p, want, n) == 0;
}

/* Hello as every client's first message: 109 bytes of header fields (0x6d,
 * as dbus-send's Hello shows), padded to 128. */
static const uint8_t hello_bytes[] = "l\1\0\1"
                                     "\0\0\0\0"
                                     "\1\0\0\0"
                                     "m\0\0\0"
                                     "\1\1o\0"
                                     "\25\0\0\0"
                                     "/org/freedesktop/DBus\0"
                                     "\0\0"
                                     "\2\1s\0"
                                     "\24\0\0\0"
                                     "org.freedesktop.DBus\0"
                                     "\0\0\0"
                                     "\3\1s\0"
                                     "\5\0\0\0"
                                     "Hello\0"
                                     "\0\0"
                                     "\6\1s\0"
                                     "\24\0\0\0"
                                     "org.freedesktop.DBus\0"
                                     "\0\0";

static const struct dbus_call_spec hello = {.destination = "org.freedesktop.DBus",
                                            .path = "/org/freedesktop/DBus",
                                            .interface = "org.freedesktop.DBus",
                                            .member = "Hello"};

static void test_hello_bytes(void)
{
  struct dbus_wbuf w = {0};
  struct dbus_msg m;
  const char *why = NULL;
  ok(dbus_msg_build_call(&w, 1, &hello) == 0, "Hello builds");
  ok(same_bytes(&w, hello_bytes, 128), "Hello is the 128 bytes the specification gives (len %zu)",
     w.len);
  ok(dbus_msg_total_len(w.p, &why) == 128, "total length from the fixed header");
  uint8_t *raw = malloc(w.len);
  memcpy(raw, w.p, w.len);
  ok(dbus_msg_parse(raw, w.len, &m, &why) == 0, "our Hello parses back (%s)", why ? why : "");
  ok(m.type == DBUS_METHOD_CALL && m.serial == 1, "type and serial");
  ok_str(m.path, "/org/freedesktop/DBus", "path field");
  ok_str(m.member, "Hello", "member field");
  ok_str(m.destination, "org.freedesktop.DBus", "destination field");
  ok_str(m.signature, "", "no body: empty signature");
  dbus_msg_free(&m);
  dw_free(&w);
}

static void test_alignment(void)
{
  struct dbus_wbuf w = {0};
  struct dw_array a;
  dw_u8(&w, 7);
  dw_string(&w, "ab");
  ok(same_bytes(&w, "\7\0\0\0\2\0\0\0ab\0", 11), "a string after a byte is padded to 4");
  dw_u64(&w, 0x0102030405060708ull);
  ok(w.len == 24 && w.p[16] == 8 && w.p[23] == 1, "u64 aligned to 8, little-endian");
  dw_free(&w);
  a = dw_array_open(&w, 8);
  dw_array_close(&w, a);
  ok(same_bytes(&w, "\0\0\0\0\0\0\0\0", 8), "an empty array of structs keeps its padding");
  dw_free(&w);
  dw_u8(&w, 1);
  a = dw_array_open(&w, 8);
  dw_align(&w, 8);
  dw_u32(&w, 5);
  dw_array_close(&w, a);
  ok(same_bytes(&w, "\1\0\0\0\4\0\0\0\5\0\0\0", 12),
     "array length counts the elements, not the padding before them");
  dw_free(&w);
  dw_signature(&w, "a(sv)");
  ok(same_bytes(&w, "\5a(sv)\0", 7), "signature: byte length, text, NUL");
  dw_free(&w);
}

/* StartTransientUnit("a.scope", "fail", [Delegate=true, PIDs=[42]], []). */
static const uint8_t start_bytes[] = "\7\0\0\0a.scope\0"
                                     "\4\0\0\0fail\0"
                                     "\0\0\0"
                                     "\60\0\0\0"
                                     "\0\0\0\0"
                                     "\10\0\0\0Delegate\0"
                                     "\1b\0"
                                     "\1\0\0\0"
                                     "\0\0\0\0"
                                     "\4\0\0\0PIDs\0"
                                     "\2au\0"
                                     "\0\0\0"
                                     "\4\0\0\0"
                                     "\52\0\0\0"
                                     "\0\0\0\0"
                                     "\0\0\0\0";

static void test_start_transient_body(void)
{
  struct dbus_wbuf w = {0};
  struct sd_props p = {0};
  struct dbus_rbuf r;
  const char *sig = "ssa(sv)a(sa(sv))";
  sd_props_add_bool(&p, "Delegate", true);
  sd_wire_start_transient(&w, "a.scope", &p, 42);
  ok(same_bytes(&w, start_bytes, 88), "StartTransientUnit body, byte for byte (len %zu)", w.len);
  r = (struct dbus_rbuf){.p = w.p, .len = w.len};
  for (int i = 0; i < 4; i++)
    dr_skip(&r, &sig);
  ok(!r.failed && r.pos == r.len && !*sig, "and it reads back as ssa(sv)a(sa(sv))");
  sd_props_free(&p);
  dw_free(&w);
}

/* Every property type systemd_props.c makes reads back with its value. */
static void test_every_property_type(void)
{
  struct dbus_wbuf w = {0};
  struct sd_props p = {0};
  struct sd_prop *x;
  struct dbus_rbuf r;
  const char *sig = "sba(sv)";
  uint8_t cpus[] = {0x05, 0x01};
  sd_props_add_u64(&p, "MemoryMax", 1ull << 40);
  sd_props_add_str(&p, "Slice", "system.slice");
  x = sd_props_add_pairs(&p, "DeviceAllow");
  x->pairs = calloc(2, sizeof *x->pairs);
  x->pairs[0] = strdup("/dev/null"), x->pairs[1] = strdup("rwm"), x->n_pairs = 1;
  sd_props_add_bool(&p, "Delegate", false);
  x = &p.items[p.n - 1]; /* reuse the slot API: make a 'y' one by hand */
  sd_props_add_u64(&p, "AllowedCPUs", 0);
  x = &p.items[p.n - 1];
  x->type = 'y', x->bytes = malloc(2), x->n_bytes = 2;
  memcpy(x->bytes, cpus, 2);
  sd_props_add_u64(&p, "CPUWeight", 0);
  p.items[p.n - 1].type = 'x', p.items[p.n - 1].i = -5;
  sd_props_add_u64(&p, "U32", 0);
  p.items[p.n - 1].type = 'u', p.items[p.n - 1].u = 7;
  sd_props_add_u64(&p, "I32", 0);
  p.items[p.n - 1].type = 'i', p.items[p.n - 1].i = -7;
  sd_wire_set_properties(&w, "u.scope", &p);
  r = (struct dbus_rbuf){.p = w.p, .len = w.len};
  ok_str(dr_string(&r), "u.scope", "SetUnitProperties: unit");
  ok(dr_bool(&r), "runtime flag is true");
  uint32_t alen = dr_u32(&r);
  dr_align(&r, 8);
  size_t end = r.pos + alen;
  struct {
    const char *name, *sig;
  } want[] = {{"MemoryMax", "t"}, {"Slice", "s"},        {"DeviceAllow", "a(ss)"},
              {"Delegate", "b"},  {"AllowedCPUs", "ay"}, {"CPUWeight", "x"},
              {"U32", "u"},       {"I32", "i"}};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    dr_align(&r, 8);
    ok_str(dr_string(&r), want[i].name, "property name");
    const char *vs = dr_signature(&r);
    ok_str(vs, want[i].sig, "variant signature");
    if (i == 0)
      ok(dr_u64(&r) == 1ull << 40, "t value");
    else if (i == 1)
      ok_str(dr_string(&r), "system.slice", "s value");
    else if (i == 2) {
      ok(dr_u32(&r) > 0, "a(ss) length");
      dr_align(&r, 8);
      ok_str(dr_string(&r), "/dev/null", "pair path");
      ok_str(dr_string(&r), "rwm", "pair permissions");
    } else if (i == 3)
      ok(!dr_bool(&r) && !r.failed, "b value");
    else if (i == 4) {
      ok(dr_u32(&r) == 2 && dr_u8(&r) == 5 && dr_u8(&r) == 1, "ay bytes");
    } else if (i == 5)
      ok((int64_t)dr_u64(&r) == -5, "x value");
    else if (i == 6)
      ok(dr_u32(&r) == 7, "u value");
    else
      ok((int32_t)dr_u32(&r) == -7, "i value");
  }
  ok(!r.failed && r.pos == end && end == w.len, "nothing left over");
  r = (struct dbus_rbuf){.p = w.p, .len = w.len};
  for (int i = 0; i < 3; i++)
    dr_skip(&r, &sig);
  ok(!r.failed && r.pos == w.len, "the whole body skips as sba(sv)");
  sd_props_free(&p);
  dw_free(&w);
}

/* A method return written by a big-endian peer, by hand. */
static const uint8_t be_return[] = "B\2\0\1"
                                   "\0\0\0\10"
                                   "\0\0\0\5"
                                   "\0\0\0\17"
                                   "\5\1u\0"
                                   "\0\0\0\1"
                                   "\10\1g\0"
                                   "\1s\0"
                                   "\0"
                                   "\0\0\0\3abc\0";

static void test_big_endian(void)
{
  struct dbus_msg m;
  const char *why = NULL;
  uint8_t *raw = malloc(40);
  memcpy(raw, be_return, 40);
  ok(dbus_msg_parse(raw, 40, &m, &why) == 0, "a big-endian return parses (%s)", why ? why : "");
  ok(m.type == DBUS_METHOD_RETURN && m.serial == 5 && m.reply_serial == 1,
     "serial and reply serial in big-endian");
  ok_str(sd_wire_reply_string(&m, "s"), "abc", "the body string");
  dbus_msg_free(&m);
}

/* Parses a copy of bytes; returns the parse result. */
static int parse_copy(const void *bytes, size_t n, const char **why)
{
  struct dbus_msg m;
  uint8_t *raw = malloc(n ? n : 1);
  memcpy(raw, bytes, n);
  int r = dbus_msg_parse(raw, n, &m, why);
  dbus_msg_free(&m);
  return r;
}

static void bad(const void *bytes, size_t n, const char *name)
{
  const char *why = NULL;
  int r = parse_copy(bytes, n, &why);
  ok(r < 0 && why, "%s is refused: %s", name, why ? why : "(no reason)");
}

/* Hello with one byte changed: each must be refused. */
static const struct {
  size_t at;
  uint8_t value;
  const char *name;
} corruptions[] = {
    {0, 'x', "bad byte order mark"},
    {3, 2, "protocol version 2"},
    {46, 1, "non-zero padding between fields"},
    {127, 1, "non-zero padding before the body"},
    {20, 200, "a string longer than the fields"},
    {8, 0, "serial 0"},
    {45, 'x', "a string without its NUL"},
    {18, 's', "path field typed s instead of o"},
    {1, DBUS_METHOD_RETURN, "a return without reply serial"},
};

static void test_malformed(void)
{
  uint8_t b[sizeof hello_bytes];
  const char *why = NULL;
  bad(hello_bytes, 127, "truncated");
  for (size_t i = 0; i < sizeof corruptions / sizeof *corruptions; i++) {
    memcpy(b, hello_bytes, 128);
    b[corruptions[i].at] = corruptions[i].value;
    bad(b, 128, corruptions[i].name);
  }
  memcpy(b, hello_bytes, 128);
  b[12] = 0xff, b[13] = 0xff, b[14] = 0xff, b[15] = 0x7f;
  bad(b, 128, "a fields array over the limit");
  memcpy(b, hello_bytes, 128);
  b[1] = 9;
  ok(parse_copy(b, 128, &why) == 0, "an unknown message type is accepted (to be ignored)");
  b[4] = 4;
  bad(b, 128, "a body length that does not match");
}

static void test_unknown_field_and_body_rules(void)
{
  struct dbus_wbuf w = {0}, body = {0};
  struct dbus_call_spec s = hello;
  const char *why = NULL;
  /* the first field rewritten as code 0x20 with a variant of "t" */
  ok(dbus_msg_build_call(&w, 3, &hello) == 0, "build");
  uint8_t raw[128];
  memcpy(raw, w.p, 128);
  raw[16] = 0x20, raw[18] = 't';
  bad(raw, 128, "an unknown field whose value does not fit its type (t, misaligned)");
  dw_free(&w);
  dw_u32(&body, 1);
  s.signature = "u";
  s.body = &body;
  ok(dbus_msg_build_call(&w, 4, &s) == 0 && parse_copy(w.p, w.len, &why) == 0,
     "a call with a body and its signature");
  memcpy(raw, w.p, 16);
  dw_free(&w);
  s.signature = NULL;
  ok(dbus_msg_build_call(&w, 5, &s) == 0, "build without signature");
  bad(w.p, w.len, "a body without a signature");
  dw_free(&w);
  dw_free(&body);
}

static void test_reader_limits(void)
{
  uint8_t bad_bool[4] = {2, 0, 0, 0}, arr[8] = {0xff, 0xff, 0, 0, 1, 0, 0, 0};
  struct dbus_rbuf r = {.p = bad_bool, .len = 4};
  const char *sig;
  dr_bool(&r);
  ok(r.failed, "a boolean of 2 is malformed");
  r = (struct dbus_rbuf){.p = arr, .len = 8};
  sig = "ay";
  dr_skip(&r, &sig);
  ok(r.failed, "an array longer than the message is malformed");
  /* 70 nested variants, each "v" → next: deeper than the protocol allows */
  uint8_t deep[300];
  size_t n = 0;
  for (int i = 0; i < 70; i++)
    deep[n++] = 1, deep[n++] = 'v', deep[n++] = 0;
  deep[n++] = 1, deep[n++] = 'y', deep[n++] = 0, deep[n++] = 9;
  r = (struct dbus_rbuf){.p = deep, .len = n};
  sig = "v";
  dr_skip(&r, &sig);
  ok(r.failed, "70 nested variants are refused (no unbounded recursion)");
  r = (struct dbus_rbuf){.p = deep + 3 * 66, .len = n - 3 * 66};
  sig = "v";
  dr_skip(&r, &sig);
  ok(!r.failed && r.pos == r.len, "4 nested variants read");
  uint8_t dict[] = {16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'k', 0, 1, 'y', 0, 7, 0, 0, 0, 0, 0, 0};
  r = (struct dbus_rbuf){.p = dict, .len = 18};
  sig = "a{sv}";
  dr_skip(&r, &sig);
  ok(r.failed, "a dict whose length overruns its entries is malformed");
  dict[0] = 10;
  r = (struct dbus_rbuf){.p = dict, .len = 18};
  sig = "a{sv}";
  dr_skip(&r, &sig);
  ok(!r.failed && r.pos == 18 && !*sig, "a{sv} with one entry reads");
}

static void test_signatures(void)
{
  ok(dbus_signature_valid("ssa(sv)a(sa(sv))"), "StartTransientUnit's signature");
  ok(dbus_signature_valid("a{sv}") && dbus_signature_valid(""), "dict; empty");
  ok(!dbus_signature_valid("a{vs}"), "dict key must be basic");
  ok(!dbus_signature_valid("()") && !dbus_signature_valid("(") && !dbus_signature_valid("a"),
     "empty struct, open struct, bare array");
  ok(!dbus_signature_valid("{sv}"), "dict entry outside an array");
  ok(!dbus_signature_valid("z"), "unknown type code");
  char deep[80];
  memset(deep, 'a', 70), deep[70] = 'y', deep[71] = 0;
  ok(!dbus_signature_valid(deep), "70 nested arrays");
  ok(dbus_complete_type_len("a(ss)u") == 5, "complete type length stops at the first type");
}

static void test_addresses(void)
{
  struct dbus_endpoint ep[4];
  const char *why;
  ok(dbus_address_parse("unix:path=/run/dbus/system_bus_socket", ep, 4, &why) == 1, "plain path");
  ok_str(ep[0].sa.sun_path, "/run/dbus/system_bus_socket", "the path");
  ok(dbus_address_parse("tcp:host=x,port=1;unix:abstract=/tmp/dbus-x,guid=00ff;unix:path=/a%2cb",
                        ep, 4, &why) == 2,
     "tcp skipped, abstract and an escaped path kept");
  ok(ep[0].sa.sun_path[0] == 0 && strcmp(ep[0].sa.sun_path + 1, "/tmp/dbus-x") == 0 &&
         ep[0].len == __builtin_offsetof(struct sockaddr_un, sun_path) + 1 + 11,
     "abstract: leading NUL, exact length");
  ok_str(ep[0].shown, "@/tmp/dbus-x", "abstract shown with @");
  ok_str(ep[1].sa.sun_path, "/a,b", "%2c unescaped");
  {
    int r_ = dbus_address_parse("tcp:host=x", ep, 4, &why);
    ok(r_ < 0 && why, "no unix entry: %s", why ? why : "?");
  }
  {
    int r_ = dbus_address_parse("unix:path=/a%2", ep, 4, &why);
    ok(r_ < 0 && why, "a cut escape: %s", why ? why : "?");
  }
  {
    int r_ = dbus_address_parse("unix:path=/a%00b", ep, 4, &why);
    ok(r_ < 0 && why, "an escaped NUL: %s", why ? why : "?");
  }
  {
    int r_ = dbus_address_parse("unix:path=/a,abstract=b", ep, 4, &why);
    ok(r_ < 0 && why, "path and abstract: %s", why ? why : "?");
  }
  {
    int r_ = dbus_address_parse("nocolon", ep, 4, &why);
    ok(r_ < 0 && why, "no transport: %s", why ? why : "?");
  }
  char longp[200] = "unix:path=/";
  memset(longp + 11, 'x', 150);
  {
    int r_ = dbus_address_parse(longp, ep, 4, &why);
    ok(r_ < 0 && why, "a path longer than sun_path: %s", why ? why : "?");
  }
  ok(dbus_address_parse("unix:tmpdir=/tmp;unix:path=/b", ep, 4, &why) == 1 &&
         strcmp(ep[0].sa.sun_path, "/b") == 0,
     "a listen-only entry (tmpdir=) is skipped");
}

static void test_job_removed_and_replies(void)
{
  struct dbus_wbuf body = {0}, w = {0};
  struct dbus_call_spec s = {.path = SD_PATH,
                             .interface = SD_MANAGER,
                             .member = "JobRemoved",
                             .signature = "uoss",
                             .body = &body};
  struct dbus_msg m;
  const char *why, *job = NULL, *result = NULL;
  dw_u32(&body, 9);
  dw_string(&body, "/org/freedesktop/systemd1/job/9");
  dw_string(&body, "a.scope");
  dw_string(&body, "done");
  dbus_msg_build(&w, DBUS_SIGNAL, 7, &s);
  uint8_t *raw = malloc(w.len);
  memcpy(raw, w.p, w.len);
  ok(dbus_msg_parse(raw, w.len, &m, &why) == 0, "JobRemoved signal parses");
  ok(sd_wire_job_removed(&m, &job, &result) == 1, "recognised as JobRemoved");
  ok_str(job, "/org/freedesktop/systemd1/job/9", "job path");
  ok_str(result, "done", "result");
  dbus_msg_free(&m);
  dw_free(&w);
  s.member = "UnitNew";
  dbus_msg_build(&w, DBUS_SIGNAL, 8, &s);
  raw = malloc(w.len);
  memcpy(raw, w.p, w.len);
  ok(dbus_msg_parse(raw, w.len, &m, &why) == 0 && sd_wire_job_removed(&m, &job, &result) == 0,
     "another signal is not JobRemoved");
  dbus_msg_free(&m);
  dw_free(&w);
  dw_free(&body);
  /* Properties.Get reply: v holding s */
  dw_signature(&body, "s");
  dw_string(&body, "/system.slice/a.scope");
  s = (struct dbus_call_spec){.signature = "v", .body = &body, .reply_serial = 3};
  dbus_msg_build(&w, DBUS_METHOD_RETURN, 9, &s);
  raw = malloc(w.len);
  memcpy(raw, w.p, w.len);
  ok(dbus_msg_parse(raw, w.len, &m, &why) == 0, "a Get reply parses");
  ok_str(sd_wire_reply_variant_string(&m), "/system.slice/a.scope", "v(s) value");
  dbus_msg_free(&m);
  dw_free(&w);
  dw_free(&body);
  dw_signature(&body, "t");
  dw_u64(&body, 1);
  dbus_msg_build(&w, DBUS_METHOD_RETURN, 10, &s);
  raw = malloc(w.len);
  memcpy(raw, w.p, w.len);
  ok(dbus_msg_parse(raw, w.len, &m, &why) == 0 && !sd_wire_reply_variant_string(&m),
     "a v(t) is not taken for a string");
  dbus_msg_free(&m);
  dw_free(&w);
  dw_free(&body);
}

int main(void)
{
  test_hello_bytes();
  test_alignment();
  test_start_transient_body();
  test_every_property_type();
  test_big_endian();
  test_malformed();
  test_unknown_field_and_body_rules();
  test_reader_limits();
  test_signatures();
  test_addresses();
  test_job_removed_and_replies();
  return tap_done();
}
