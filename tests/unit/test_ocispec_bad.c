/* libocispec: malformed config.json documents fail with an exact message
 * naming the file, the JSON path and the reason. */
#include <stdlib.h>
#include <string.h>

#include "oci_spec.h"
#include "tap.h"

struct bad_case {
  const char *doc;
  const char *want;
};

#define V "\"ociVersion\":\"1.2.1\","
#define P(x) "{" V "\"process\":{\"cwd\":\"/\"," x "}}"
#define L(x) "{" V "\"linux\":{" x "}}"
#define R(x) L("\"resources\":{" x "}")
#define E(path, reason) "config.json: " path ": " reason

static const struct bad_case cases[] = {
  /* document level */
  { "", "config.json: empty document" },
  { " \n\t ", "config.json: empty document" },
  { "{", "config.json: line 1, column 2: parse error: premature EOF" },
  { "{\n \"ociVersion\": \"1.", "config.json: line 2, column 19: parse error: premature EOF" },
  { "{\"ociVersion\": \"1.0\",", "config.json: line 1, column 22: parse error: premature EOF" },
  { "{} x", "config.json: line 1, column 4: parse error: trailing garbage" },
  { "{\"a\":/*x*/1}", "config.json: line 1, column 5: lexical error: probable comment found in "
                     "input text, comments are not enabled." },
  { "[]", "config.json: expected a JSON object at the top level" },
  { "\"config\"", "config.json: expected a JSON object at the top level" },
  { "null", "config.json: expected a JSON object at the top level" },
  { "{}", E("ociVersion", "missing required field") },
  { "{\"ociVersion\":1}", E("ociVersion", "expected a string") },
  /* top level, root, mounts, hooks, annotations */
  { "{" V "\"root\":\"rootfs\"}", E("root", "expected an object") },
  { "{" V "\"root\":{\"readonly\":true}}", E("root.path", "missing required field") },
  { "{" V "\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}", E("root.readonly", "expected a boolean") },
  { "{" V "\"hostname\":[]}", E("hostname", "expected a string") },
  { "{" V "\"mounts\":{}}", E("mounts", "expected an array") },
  { "{" V "\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"source\":\"x\"}]}",
    E("mounts[2].destination", "missing required field") },
  { "{" V "\"mounts\":[\"/proc\"]}", E("mounts[0]", "expected an object") },
  { "{" V "\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",1]}]}",
    E("mounts[0].options[1]", "expected a string") },
  { "{" V "\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]}]}",
    E("mounts[0].uidMappings[0].size", "missing required field") },
  { "{" V "\"hooks\":{\"prestart\":[{\"args\":[]}]}}", E("hooks.prestart[0].path", "missing required field") },
  { "{" V "\"hooks\":{\"poststop\":{}}}", E("hooks.poststop", "expected an array") },
  { "{" V "\"hooks\":{\"createRuntime\":[{\"path\":\"/x\",\"timeout\":0}]}}",
    E("hooks.createRuntime[0].timeout", "expected a positive integer") },
  { "{" V "\"annotations\":{\"a\":\"1\",\"b\":2}}", E("annotations.b", "expected a string") },
  { "{" V "\"annotations\":[]}", E("annotations", "expected an object") },
  /* process */
  { "{" V "\"process\":{\"args\":[\"sh\"]}}", E("process.cwd", "missing required field") },
  { "{" V "\"process\":[]}", E("process", "expected an object") },
  { P("\"terminal\":\"yes\""), E("process.terminal", "expected a boolean") },
  { P("\"args\":\"sh\""), E("process.args", "expected an array of strings") },
  { P("\"args\":[\"sh\",5]"), E("process.args[1]", "expected a string") },
  { P("\"env\":{}"), E("process.env", "expected an array of strings") },
  { P("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},"
      "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":-1}]"),
    E("process.rlimits[1].hard", "expected a non-negative integer") },
  { P("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1}]"),
    E("process.rlimits[0].soft", "missing required field") },
  { P("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1.0,\"hard\":1}]"),
    E("process.rlimits[0].soft", "expected a non-negative integer") },
  { P("\"user\":{\"uid\":4294967296}"),
    E("process.user.uid", "value 4294967296 out of range (maximum 4294967295)") },
  { P("\"user\":{\"gid\":-1}"), E("process.user.gid", "expected a non-negative integer") },
  { P("\"user\":{\"additionalGids\":[1,-1]}"),
    E("process.user.additionalGids[1]", "expected a non-negative integer") },
  { P("\"user\":{\"username\":0}"), E("process.user.username", "expected a string") },
  { P("\"consoleSize\":{\"height\":1}"), E("process.consoleSize.width", "missing required field") },
  { P("\"capabilities\":{\"bounding\":\"CAP_KILL\"}"),
    E("process.capabilities.bounding", "expected an array of strings") },
  { P("\"oomScoreAdj\":1.5"), E("process.oomScoreAdj", "expected an integer") },
  { P("\"oomScoreAdj\":9223372036854775808"),
    E("process.oomScoreAdj", "value 9223372036854775808 out of range "
                             "(-9223372036854775808 to 9223372036854775807)") },
  { P("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_X\"}"),
    E("process.ioPriority.class", "invalid value \"IOPRIO_CLASS_X\" (expected one of: "
                                  "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)") },
  { P("\"scheduler\":{\"policy\":\"SCHED_RR\",\"nice\":2147483648}"),
    E("process.scheduler.nice", "value 2147483648 out of range (-2147483648 to 2147483647)") },
  { P("\"scheduler\":{\"nice\":1}"), E("process.scheduler.policy", "missing required field") },
  { P("\"execCPUAffinity\":{\"initial\":7}"),
    E("process.execCPUAffinity.initial", "expected a string") },
  /* linux */
  { "{" V "\"linux\":[]}", E("linux", "expected an object") },
  { L("\"namespaces\":[{\"type\":5}]"), E("linux.namespaces[0].type", "expected a string") },
  { L("\"namespaces\":[{\"type\":\"pid\"},{\"path\":\"/x\"}]"),
    E("linux.namespaces[1].type", "missing required field") },
  { L("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"net\"}]"),
    E("linux.namespaces[1].type", "invalid value \"net\" (expected one of: pid, network, mount, "
                                  "ipc, uts, user, cgroup, time)") },
  { L("\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":-5}]"),
    E("linux.uidMappings[0].size", "expected a non-negative integer") },
  { L("\"gidMappings\":[{\"hostID\":1,\"size\":5}]"),
    E("linux.gidMappings[0].containerID", "missing required field") },
  { L("\"timeOffsets\":{\"realtime\":{\"secs\":1}}"),
    E("linux.timeOffsets.realtime", "invalid clock \"realtime\" (expected one of: monotonic, "
                                    "boottime)") },
  { L("\"timeOffsets\":{\"monotonic\":{\"nanosecs\":4294967296}}"),
    E("linux.timeOffsets.monotonic.nanosecs", "value 4294967296 out of range "
                                              "(maximum 4294967295)") },
  { L("\"timeOffsets\":[]"), E("linux.timeOffsets", "expected an object") },
  { L("\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]"),
    E("linux.devices[0].type", "invalid value \"x\" (expected one of: c, b, u, p)") },
  { L("\"devices\":[{\"type\":\"c\"}]"), E("linux.devices[0].path", "missing required field") },
  { L("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":\"1\"}]"),
    E("linux.devices[0].major", "expected an integer") },
  { L("\"netDevices\":{\"eth0\":\"ctr0\"}"), E("linux.netDevices.eth0", "expected an object") },
  { L("\"netDevices\":{\"eth0\":{\"name\":1}}"), E("linux.netDevices.eth0.name", "expected a string") },
  { L("\"rootfsPropagation\":\"bogus\""),
    E("linux.rootfsPropagation", "invalid value \"bogus\" (expected one of: private, shared, "
                                 "slave, unbindable, rprivate, rshared, rslave, runbindable)") },
  { L("\"seccomp\":{\"architectures\":[]}"), E("linux.seccomp.defaultAction", "missing required field") },
  { L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_KILL\"}]}"),
    E("linux.seccomp.syscalls[0].names", "missing required field") },
  { L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
      "\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":1e400,\"op\":\"SCMP_CMP_EQ\"}]}]}"),
    E("linux.seccomp.syscalls[0].args[0].value", "expected a non-negative integer") },
  { L("\"sysctl\":{\"net.ipv4.ip_forward\":true}"),
    E("linux.sysctl.net.ipv4.ip_forward", "expected a string") },
  { L("\"maskedPaths\":[null]"), E("linux.maskedPaths[0]", "expected a string") },
  { L("\"intelRdt\":{\"enableMonitoring\":1}"), E("linux.intelRdt.enableMonitoring", "expected a boolean") },
  { L("\"memoryPolicy\":{\"nodes\":\"0\"}"), E("linux.memoryPolicy.mode", "missing required field") },
  /* linux.resources */
  { R("\"memory\":{\"limit\":9223372036854775808}"),
    E("linux.resources.memory.limit", "value 9223372036854775808 out of range "
                                      "(-9223372036854775808 to 9223372036854775807)") },
  { R("\"memory\":{\"limit\":-9223372036854775809}"),
    E("linux.resources.memory.limit", "value -9223372036854775809 out of range "
                                      "(-9223372036854775808 to 9223372036854775807)") },
  { R("\"memory\":{\"swappiness\":18446744073709551616}"),
    E("linux.resources.memory.swappiness", "value 18446744073709551616 out of range "
                                           "(maximum 18446744073709551615)") },
  { R("\"memory\":{\"disableOOMKiller\":0}"),
    E("linux.resources.memory.disableOOMKiller", "expected a boolean") },
  { R("\"cpu\":{\"shares\":\"1024\"}"), E("linux.resources.cpu.shares", "expected a non-negative integer") },
  { R("\"cpu\":{\"quota\":1e3}"), E("linux.resources.cpu.quota", "expected an integer") },
  { R("\"pids\":{}"), E("linux.resources.pids.limit", "missing required field") },
  { R("\"blockIO\":{\"weight\":65536}"),
    E("linux.resources.blockIO.weight", "value 65536 out of range (maximum 65535)") },
  { R("\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":-1}]}"),
    E("linux.resources.blockIO.throttleReadBpsDevice[0].rate", "expected a non-negative integer") },
  { R("\"devices\":[{\"access\":\"rwm\"}]"), E("linux.resources.devices[0].allow", "missing required field") },
  { R("\"hugepageLimits\":[{\"limit\":1}]"),
    E("linux.resources.hugepageLimits[0].pageSize", "missing required field") },
  { R("\"network\":{\"classID\":4294967296}"),
    E("linux.resources.network.classID", "value 4294967296 out of range (maximum 4294967295)") },
  { R("\"rdma\":{\"mlx5_1\":{\"hcaHandles\":-1}}"),
    E("linux.resources.rdma.mlx5_1.hcaHandles", "expected a non-negative integer") },
  { R("\"unified\":{\"memory.max\":1}"), E("linux.resources.unified.memory.max", "expected a string") },
  /* numbers in general */
  { P("\"user\":{\"uid\":18446744073709551616}"),
    E("process.user.uid", "value 18446744073709551616 out of range (maximum 4294967295)") },
  { P("\"user\":{\"uid\":1e400}"), E("process.user.uid", "expected a non-negative integer") },
  { P("\"user\":{\"uid\":1.5}"), E("process.user.uid", "expected a non-negative integer") },
  { P("\"user\":{\"uid\":-0}"), NULL }, /* -0 is zero */
  /* strings */
  { "{\"ociVersion\":\"\xff\"}", "config.json: line 1, column 16: lexical error: invalid bytes in "
                                 "UTF8 string." },
  { "{\"ociVersion\":\"\xc0\x80\"}", "config.json: line 1, column 18: invalid UTF-8 in string" },
  { "{\"ociVersion\":\"\xed\xa0\x80\"}", "config.json: line 1, column 19: invalid UTF-8 in string" },
  { "{\"ociVersion\":\"a\\u0000b\"}", "config.json: line 1, column 24: string contains a NUL "
                                     "character" },
};

static void test_cases(void)
{
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct oci_spec *s = NULL;
    char *err = NULL;
    int rc = oci_spec_parse(cases[i].doc, strlen(cases[i].doc), "config.json", &s, &err);
    char name[128];
    snprintf(name, sizeof(name), "case %zu: %.60s", i, cases[i].want ? cases[i].want : "accepted");
    if (cases[i].want)
      ok(rc == -1 && s == NULL, "case %zu fails", i);
    else
      ok(rc == 0 && s != NULL, "case %zu parses", i);
    ok_str(err, cases[i].want, name);
    oci_spec_free(s);
    free(err);
  }
}

/* Only the error text matters here; a 10-digit prefix keeps messages short. */
static void test_huge_number_literal(void)
{
  size_t n = 5000;
  char *doc = malloc(n + 100);
  int len = sprintf(doc, P("\"oomScoreAdj\":"));
  len -= 2; /* drop the closing "}}" and splice the digits in */
  memset(doc + len, '9', n);
  strcpy(doc + len + n, "}}");
  struct oci_spec *s = NULL;
  char *err = NULL;
  ok(oci_spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0, "5000-digit integer fails");
  ok_str(err, E("process.oomScoreAdj", "value 9999999999999999999999999999999999999999 out of "
                "range (-9223372036854775808 to 9223372036854775807)"),
         "5000-digit integer message is truncated");
  free(err);
  free(doc);
}

static void test_deep_nesting(void)
{
  size_t n = 100000;
  char *doc = malloc(n + 1);
  memset(doc, '[', n);
  doc[n] = '\0';
  struct oci_spec *s = NULL;
  char *err = NULL;
  ok(oci_spec_parse(doc, n, "config.json", &s, &err) < 0, "nesting 100000 deep fails");
  ok_str(err, "config.json: line 1, column 257: nesting too deep (more than 256 levels)",
         "nesting message");
  free(err);
  free(doc);
}

static void test_other_parsers(void)
{
  struct oci_process *p = NULL;
  struct oci_resources *r = NULL;
  char *err = NULL;
  ok(oci_process_parse("[1]", 3, "process.json", &p, &err) < 0 && !p, "process.json array fails");
  ok_str(err, "process.json: expected a JSON object at the top level", "process.json message");
  free(err);
  ok(oci_resources_parse("{\"cpu\":", 7, "resources.json", &r, &err) < 0 && !r,
     "truncated resources fails");
  ok_str(err, "resources.json: line 1, column 8: parse error: premature EOF",
         "truncated resources message");
  free(err);
}

int main(void)
{
  test_cases();
  test_huge_number_literal();
  test_deep_nesting();
  test_other_parsers();
  return tap_done();
}
