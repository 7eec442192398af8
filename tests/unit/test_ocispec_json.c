/* libocispec: the generic JSON tree and the generator (oci_json.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci_json.h"
#include "oci_spec.h"
#include "tap.h"

static struct oci_json *parse(const char *doc, char **err)
{
  return oci_json_parse(doc, strlen(doc), "t.json", err);
}

static void test_numbers(void)
{
  char *err = NULL;
  struct oci_json *t = parse("[18446744073709551615,-9223372036854775808,18446744073709551616,"
                             "1.5,1e400,-0,42]", &err);
  if (!ok(t && t->type == OCI_JSON_ARRAY && t->n == 7, "number array parses"))
    return;
  struct oci_json **v = t->values;
  ok(v[0]->is_integer && !v[0]->is_negative && v[0]->u64 == UINT64_MAX, "uint64 max exact");
  ok(v[1]->is_integer && v[1]->is_negative && v[1]->i64 == INT64_MIN, "int64 min exact");
  ok(!v[2]->is_integer && !strcmp(v[2]->string, "18446744073709551616"),
     "2^64 is not an integer, literal kept");
  ok(!v[3]->is_integer && v[3]->dbl == 1.5, "1.5 is a double");
  ok(!v[4]->is_integer && !strcmp(v[4]->string, "1e400"), "1e400 keeps its literal");
  ok(v[5]->is_integer && !v[5]->is_negative && v[5]->u64 == 0, "-0 is zero");
  ok(v[6]->is_integer && v[6]->i64 == 42 && v[6]->u64 == 42, "42 in both views");
  char *s = oci_json_to_string(t, false);
  ok_str(s, "[18446744073709551615,-9223372036854775808,18446744073709551616,1.5,1e400,-0,42]",
         "numbers re-emitted verbatim");
  free(s);
  oci_json_free(t);
}

static char *nested(size_t depth)
{
  char *doc = malloc(depth * 2 + 1);
  memset(doc, '[', depth);
  memset(doc + depth, ']', depth);
  doc[depth * 2] = '\0';
  return doc;
}

static void test_depth(void)
{
  char *err = NULL, *doc = nested(OCI_JSON_MAX_DEPTH);
  struct oci_json *t = parse(doc, &err);
  ok(t != NULL && err == NULL, "nesting of exactly OCI_JSON_MAX_DEPTH parses");
  oci_json_free(t);
  free(doc);
  doc = nested(OCI_JSON_MAX_DEPTH + 1);
  t = parse(doc, &err);
  ok(!t, "nesting of OCI_JSON_MAX_DEPTH + 1 fails");
  ok_str(err, "t.json: line 1, column 257: nesting too deep (more than 256 levels)",
         "depth error message");
  free(err);
  free(doc);
  doc = malloc(100001);
  for (size_t i = 0; i < 100000; i++)
    doc[i] = "[{\"a\":"[i % 6];
  doc[100000] = '\0';
  t = parse(doc, &err);
  ok(!t && err && strstr(err, "nesting too deep"), "100000 mixed brackets fail cleanly");
  free(err);
  free(doc);
}

/* A hand-built tree far deeper than any parse: freeing must not recurse. */
static void test_free_deep_tree(void)
{
  struct oci_json *root = NULL;
  size_t depth = 1000000;
  for (size_t i = 0; i < depth; i++) {
    struct oci_json *a = calloc(1, sizeof(*a));
    a->type = OCI_JSON_ARRAY;
    if (root) {
      a->values = malloc(sizeof(*a->values));
      a->values[0] = root;
      a->n = 1;
    }
    root = a;
  }
  ok(oci_json_to_string(root, false) == NULL, "to_string refuses a tree deeper than the generator allows");
  oci_json_free(root);
  ok(1, "freeing a 1000000-deep tree returns");
}

static void test_strings(void)
{
  char *err = NULL;
  struct oci_json *t = oci_json_parse("{\"\xff\":1}", 8, "t.json", &err);
  ok(!t && err && strstr(err, "UTF8"), "invalid UTF-8 in a key fails");
  free(err);
  t = parse("{\"k\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}", &err);
  ok_str(t ? oci_json_get(t, "k")->string : NULL, "\xc3\xa9\xf0\x9f\x98\x80\n\"",
         "escapes decoded to UTF-8");
  char *s = oci_json_to_string(t, false);
  ok_str(s, "{\"k\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\"}", "strings re-escaped");
  free(s);
  oci_json_free(t);
  t = parse("{\"a\":1,\"a\":2}", &err);
  ok(t && oci_json_get(t, "a")->u64 == 2, "duplicate keys: last wins");
  ok(oci_json_get(t, "b") == NULL && oci_json_get(NULL, "a") == NULL, "get on missing/NULL");
  oci_json_free(t);
  ok(oci_json_parse(NULL, 0, "t.json", &err) == NULL, "NULL data fails");
  ok_str(err, "t.json: empty document", "NULL data is an empty document");
  free(err);
}

static void test_big_string(void)
{
  size_t n = 10 * 1024 * 1024;
  const char *head = "{\"ociVersion\":\"1.0.0\",\"annotations\":{\"big\":\"";
  size_t hl = strlen(head);
  char *doc = malloc(hl + n + 4);
  memcpy(doc, head, hl);
  memset(doc + hl, 'x', n);
  memcpy(doc + hl + n, "\"}}", 4);
  struct oci_spec *s = NULL, *s2 = NULL;
  char *err = NULL;
  ok(oci_spec_parse(doc, strlen(doc), "config.json", &s, &err) == 0, "10 MB string parses");
  const char *big = s ? oci_map_get(&s->annotations, "big") : NULL;
  ok(big && strlen(big) == n, "10 MB string intact");
  char *json = s ? oci_spec_to_json(s) : NULL;
  ok(json && oci_spec_parse(json, strlen(json), "rt.json", &s2, &err) == 0 &&
         strlen(oci_map_get(&s2->annotations, "big")) == n,
     "10 MB string round-trips");
  free(json);
  oci_spec_free(s);
  oci_spec_free(s2);
  free(doc);
}

static void test_gen(void)
{
  struct oci_json_gen *g = oci_json_gen_new(true);
  oci_json_map_open(g);
  oci_json_kv_string(g, "s", "a\tb");
  oci_json_kv_int(g, "i", INT64_MIN);
  oci_json_key(g, "u");
  oci_json_uint(g, UINT64_MAX);
  oci_json_kv_bool(g, "b", false);
  oci_json_kv_string(g, "n", NULL);
  oci_json_strv(g, "e", (char *[]){ NULL });
  oci_json_strv(g, "z", NULL);
  oci_json_key(g, "m");
  oci_json_map_open(g);
  oci_json_map_close(g);
  oci_json_kv_string(g, "bad", "x\xffy");
  oci_json_map_close(g);
  char *s = oci_json_gen_finish(g);
  ok_str(s, "{\n  \"s\": \"a\\tb\",\n  \"i\": -9223372036854775808,\n"
            "  \"u\": 18446744073709551615,\n  \"b\": false,\n  \"n\": null,\n  \"e\": [],\n"
            "  \"z\": null,\n  \"m\": {},\n  \"bad\": \"x\xef\xbf\xbdy\"\n}",
         "generator: pretty output, empty containers folded, bad UTF-8 replaced");
  free(s);
  oci_json_gen_free(g);

  g = oci_json_gen_new(false);
  oci_json_array_open(g);
  oci_json_int(g, 1);
  ok(oci_json_gen_finish(g) == NULL, "unclosed document: finish returns NULL");
  oci_json_gen_free(g);

  g = oci_json_gen_new(false);
  oci_json_map_open(g);
  oci_json_int(g, 1); /* a value where a key is due */
  oci_json_map_close(g);
  ok(oci_json_gen_finish(g) == NULL, "invalid call sequence: finish returns NULL");
  oci_json_gen_free(g);
  oci_json_gen_free(NULL);
  ok(oci_json_gen_finish(NULL) == NULL, "NULL generator is inert");
}

static void test_tree_round_trip(void)
{
  const char *doc = "{\"a\":[1,true,null,\"x\",{\"b\":[]}],\"c\":{}}";
  char *err = NULL;
  struct oci_json *t = parse(doc, &err);
  char *s = oci_json_to_string(t, false);
  ok_str(s, doc, "tree to_string compact equals input");
  free(s);
  s = oci_json_to_string(t, true);
  ok_str(s, "{\n  \"a\": [\n    1,\n    true,\n    null,\n    \"x\",\n    {\n      \"b\": []\n"
            "    }\n  ],\n  \"c\": {}\n}",
         "tree to_string pretty");
  free(s);
  oci_json_free(t);
  oci_json_free(NULL);
}

int main(void)
{
  test_numbers();
  test_depth();
  test_free_deep_tree();
  test_strings();
  test_big_string();
  test_gen();
  test_tree_round_trip();
  return tap_done();
}
