/* /etc/subuid and /etc/subgid parsing and the mapping entitlement check
 * (rootless/subid.c), on crafted files in tests/unit/data/rootless. */
#include <stdlib.h>
#include <string.h>

#include "subid.h"
#include "tap.h"

#ifndef DATA
#define DATA "tests/unit/data/rootless/"
#endif

static void test_parse(void)
{
  struct subid_file f;
  size_t bad = 0;
  ok(subid_read(DATA "subuid", &f, &bad, NULL) == 0, "crafted subuid parses");
  ok(f.n == 5, "5 valid entries (got %zu)", f.n);
  ok(bad == 4, "4 malformed lines skipped (got %zu)", bad);
  ok(f.n > 0 && strcmp(f.v[0].owner, "alice") == 0 && f.v[0].start == 100000 &&
         f.v[0].count == 65536 && f.v[0].line == 2,
     "first entry with its line number");
  ok(f.n > 1 && strcmp(f.v[1].owner, "1001") == 0, "uid owner kept as written");
  ok(subid_is_users(&f.v[1], "someone", 1001), "entry matched by uid");
  ok(!subid_is_users(&f.v[1], "someone", 1002), "other uid does not match");
  ok(subid_is_users(&f.v[0], "alice", 5), "entry matched by name");
  ok(!subid_is_users(&f.v[0], "alic", 5), "prefix of a name does not match");
  ok(subid_user_total(&f, "alice", 1000) == 65536 + 100,
     "alice's total counts the overlapping entry once (got %llu)",
     (unsigned long long)subid_user_total(&f, "alice", 1000));
  ok(subid_user_total(&f, "alice", 1001) == 65536 + 100 + 10, "by name and by uid together");
  ok(subid_user_total(&f, "nobody", 4242) == 0, "no entries: 0");
  subid_file_free(&f);
  ok(subid_read(DATA "does-not-exist", &f, &bad, NULL) == 0 && f.n == 0,
     "missing file is an empty list");
  ok(subid_parse("a:1:2", &f, NULL) == 0 && f.n == 1 && f.v[0].count == 2,
     "last line without newline");
  subid_file_free(&f);
  ok(subid_parse("a:1:2:3\nb:18446744073709551615:2\n:1:2\n", &f, &bad) == 0 && f.n == 0 &&
         bad == 3,
     "extra field, overflowing range and empty owner refused");
  subid_file_free(&f);
}

static void test_covers(void)
{
  struct subid_file f;
  subid_read(DATA "subuid", &f, NULL, NULL);
  ok(subid_covers(&f, "alice", 1000, 1000, 1000, 1), "own id, size 1");
  ok(!subid_covers(&f, "alice", 1000, 1000, 1000, 2), "own id with more is not own");
  ok(subid_covers(&f, "alice", 1000, 1000, 100000, 65536), "whole range");
  ok(subid_covers(&f, "alice", 1000, 1000, 100001, 10), "inside a range");
  ok(subid_covers(&f, "alice", 1000, 1000, 100000, 65636), "two touching ranges together");
  ok(!subid_covers(&f, "alice", 1000, 1000, 100000, 65637), "one id past the end");
  ok(!subid_covers(&f, "alice", 1000, 1000, 99999, 2), "one id before the start");
  ok(!subid_covers(&f, "alice", 1000, 1000, 165536 + 100, 1), "bob's range is not alice's");
  ok(subid_covers(&f, "zed", 1001, 1001, 300000, 10), "by uid");
  ok(!subid_covers(&f, "zed", 1001, 1001, 0, 0), "empty mapping refused");
  subid_file_free(&f);
}

static void test_overlap(void)
{
  struct subid_file f;
  size_t mine = 99;
  long other;
  subid_read(DATA "subuid", &f, NULL, NULL);
  other = subid_overlap(&f, "alice", 1000, &mine);
  ok(other == 2 && mine == 3, "alice's 165536:100 overlaps bob (other %ld, mine %zu)", other, mine);
  ok(subid_overlap(&f, "zed", 1001, NULL) == -1, "uid 1001's range overlaps nobody");
  subid_file_free(&f);
  subid_read(DATA "subgid-overlap", &f, NULL, NULL);
  ok(subid_overlap(&f, "bob", 1, NULL) == 0, "bob overlaps alice in subgid");
  subid_file_free(&f);
}

static void test_check_mappings(void)
{
  struct subid_file f;
  struct oci_id_mapping items[] = {{0, 1000, 1}, {1, 100000, 65536}, {65537, 200000, 5}};
  struct oci_id_mappings m = {2, items};
  struct husk_err e = {0};
  subid_read(DATA "subuid", &f, NULL, NULL);
  ok(subid_check_mappings(&m, "linux.uidMappings", "/etc/subuid", &f, "alice", 1000, 1000, &e) == 0,
     "own id + delegated range accepted");
  m.n = 3;
  ok(subid_check_mappings(&m, "linux.uidMappings", "/etc/subuid", &f, "alice", 1000, 1000, &e) < 0,
     "range outside alice's refused");
  ok(e.msg && strstr(e.msg, "linux.uidMappings[2]") && strstr(e.msg, "200000-200004") &&
         strstr(e.msg, "alice (uid 1000)") && strstr(e.msg, "/etc/subuid gives it only") &&
         strstr(e.msg, "100000-165535"),
     "message names mapping, range, user, file and what is delegated: %s", e.msg);
  herr_clear(&e);
  m.n = 2;
  ok(subid_check_mappings(&m, "linux.gidMappings", "/etc/subgid", &f, "nobody", 4242, 4242, &e) < 0,
     "user without entries refused");
  ok(e.msg && strstr(e.msg, "linux.gidMappings[0]") && strstr(e.msg, "has no entry") &&
         strstr(e.msg, "usermod --add-subgids 1000-1000 nobody"),
     "message says the file has no entry and how to add one: %s", e.msg);
  herr_clear(&e);
  subid_file_free(&f);
}

int main(void)
{
  test_parse();
  test_covers();
  test_overlap();
  test_check_mappings();
  return tap_done();
}
