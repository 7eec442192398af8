/* Pure logic behind the robustness work: the state.json reader's checks
 * (what the state fuzzer asserts) and the HUSK_FAULT spec parser. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/spec.h"
#include "container/state.h"
#include "oci_json.h"
#include "tap.h"
#include "util/fault.h"

static int parse(const char *json)
{
  struct container c = {.dirfd = -1};
  struct husk_err e = {0};
  int r = container_record_parse(&c, json, strlen(json), &e);
  herr_clear(&e);
  container_close(&c);
  return r;
}

static void test_record(void)
{
  struct container c = {.dirfd = -1};
  struct husk_err e = {0};
  const char *good = "{\"id\":\"a\",\"status\":\"created\",\"pid\":42,\"pidStart\":7,"
                     "\"cgroupManager\":\"cgroupfs\",\"cgroupLayout\":2,\"cgroupPath\":\"/husk/a\"}";
  ok(container_record_parse(&c, good, strlen(good), &e) == 0, "a real record parses");
  ok(c.pid == 42 && c.pid_start == 7 && c.cgroup.layout == CG_LAYOUT_HYBRID, "its fields");
  ok_str(c.cgroup.path, "/husk/a", "cgroup path");
  container_close(&c);
  ok(parse("{}") == 0, "an empty record (a creator that died early) parses");
  ok(parse("{\"pid\":-1}") < 0, "negative pid refused");
  ok(parse("{\"pid\":4294967301}") < 0, "pid past INT_MAX refused (would truncate to 5)");
  ok(parse("{\"pid\":18446744073709551615}") < 0, "pid past INT64_MAX refused");
  ok(parse("{\"pid\":1.5}") < 0, "fractional pid refused");
  ok(parse("{\"pid\":\"12\"}") < 0, "string pid refused");
  for (int l = CG_LAYOUT_NONE; l <= CG_LAYOUT_LAST; l++) {
    char doc[64];
    snprintf(doc, sizeof doc, "{\"cgroupLayout\":%d}", l);
    ok(parse(doc) == 0, "layout %d (one husk writes) is read back", l);
  }
  ok(parse("{\"cgroupLayout\":99}") < 0, "unknown cgroup layout refused");
  ok(parse("{\"cgroupLayout\":-1}") < 0, "negative cgroup layout refused");
  ok(parse("{\"cgroupPath\":\"husk/a\"}") < 0, "relative cgroup path refused");
  ok(parse("{\"cgroupPath\":\"/husk/../../system.slice\"}") < 0, "cgroup path with .. refused");
  ok(parse("[1]") < 0 && parse("") < 0 && parse("{\"a\":") < 0, "not a record: refused");
}

static int fault_fails(const char *spec, const char *point)
{
  struct husk_err e = {0};
  int r;
  setenv("HUSK_FAULT", spec, 1);
  r = fault_point(point, &e);
  if (r < 0 && (!e.msg || !strstr(e.msg, point)))
    r = -2; /* the message must name the point */
  herr_clear(&e);
  unsetenv("HUSK_FAULT");
  return r;
}

static void test_fault_spec(void)
{
  struct husk_err e = {0};
  ok(fault_point("create:hooks", &e) == 0, "no HUSK_FAULT: no fault");
  ok(fault_fails("create:hooks", "create:hooks") == -1, "bare point fails");
  ok(fault_fails("create:hooks=fail", "create:hooks") == -1, "=fail fails");
  ok(fault_fails("a,create:hooks=fail,b", "create:hooks") == -1, "found among several");
  ok(fault_fails("create:hook", "create:hooks") == 0, "a prefix is not the point");
  ok(fault_fails("create:hooks2", "create:hooks") == 0, "a longer name is not the point");
  ok(fault_fails("x=create:hooks", "create:hooks") == 0, "an action is not a point");
  ok(fault_fails("", "create:hooks") == 0, "empty spec");
}

/* Found by fuzz_cdi_yaml on a seed: YAML number literals (hex, octal, 1_000,
 * +5) were copied into JSON output verbatim, making invalid JSON. */
static void test_yaml_numbers_as_json(void)
{
#ifdef HAVE_YAML
  static const char doc[] = "a: 0x1f\nb: 1_000\nc: +5\nd: 0o17\ne: 0666\nf: -0x10\ng: 2.50\n";
  char *err = NULL, *json;
  struct oci_json *t = cdi_yaml_parse(doc, sizeof doc - 1, &err), *again;
  ok(t != NULL, "YAML with YAML-only number forms parses");
  json = t ? oci_json_to_string(t, false) : NULL;
  ok_str(json, "{\"a\":31,\"b\":1000,\"c\":5,\"d\":15,\"e\":438,\"f\":-16,\"g\":2.50}",
         "written as JSON numbers");
  again = json ? oci_json_parse(json, strlen(json), "again", &err) : NULL;
  ok(again != NULL, "and that JSON parses");
  oci_json_free(again);
  oci_json_free(t);
  free(json);
  t = cdi_yaml_parse("x: .inf\n", 8, &err);
  json = t ? oci_json_to_string(t, false) : NULL;
  ok(t && !json, "a non-finite number has no JSON form: NULL");
  oci_json_free(t);
  free(json);
  free(err);
#else
  ok(1, "# SKIP built without libyaml");
#endif
}

int main(void)
{
  test_record();
  test_fault_spec();
  test_yaml_numbers_as_json();
  return tap_done();
}
