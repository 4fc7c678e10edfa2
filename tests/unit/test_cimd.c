/* test_cimd — the pure rules of client ID metadata documents (oauth/cimd.h, docs/AGENTS.md):
 * the shape of a client ID URL, the host allow-list, a document's own rules and what it
 * maps to; and how long a fetched document is kept (core/doc_cache.h). The fetching, the
 * stored client and the protocol flows are proved end to end (tests/e2e/cimd.test.mjs). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc_cache.h"
#include "oauth/cimd.h"
#include "testutil.h"

static void url_ok(const char *url, const char *hosts)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_cimd_url_check(url, hosts, &err) == CLV_OK, "%s: %s", url, err.detail);
}

static void url_bad(const char *url, const char *hosts, const char *why)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_cimd_url_check(url, hosts, &err) == CLV_INVALID, "%s accepted", url);
    ck_assert_msg(strstr(err.detail, why) != NULL, "%s: %s", url, err.detail);
}

START_TEST(url_shapes)
{
    char longest[300];

    url_ok("https://app.example.com/client.json", NULL);
    url_ok("https://app.example.com:8443/oauth/client-metadata", NULL);
    url_ok("https://xn--bcher-kva.example/c.json", NULL); /* an IDN in its A-label form */
    url_ok("https://[2001:db8::1]/c.json", NULL);         /* shape only: the fetch checks it */
    url_ok("https://app.example.com/", NULL);
    url_bad("http://app.example.com/c.json", NULL, "https");
    url_bad("HTTPS://app.example.com/c.json", NULL, "https");
    url_bad("https://app.example.com", NULL, "path");
    url_bad("https://App.Example.com/c.json", NULL, "lower case");
    url_bad("https://user:pw@app.example.com/c.json", NULL, "user information");
    url_bad("https://app.example.com/c.json?v=2", NULL, "query");
    url_bad("https://app.example.com/c.json#x", NULL, "fragment");
    url_bad("https://app.example.com/a/../c.json", NULL, "\"..\"");
    url_bad("https://app.example.com/./c.json", NULL, "\".\"");
    url_bad("https://app.example.com/a/%2e%2E/c.json", NULL, "\"..\"");
    url_bad("https://app.example.com/a/.%2e", NULL, "\"..\"");
    url_bad("https://bücher.example/c.json", NULL, "xn--");
    url_bad("https:///c.json", NULL, "host");
    memset(longest, 'a', sizeof longest);
    memcpy(longest, "https://a.example/", 18);
    longest[256] = '\0';
    url_bad(longest, NULL, "255");
    longest[255] = '\0';
    url_ok(longest, NULL);
}
END_TEST

START_TEST(host_lists)
{
    const char *list = " *.example.com, app.example.org ,";

    ck_assert(clv_cimd_host_allowed("a.example.com", list));
    ck_assert(clv_cimd_host_allowed("b.a.example.com", list));
    ck_assert(clv_cimd_host_allowed("APP.example.org", list));
    ck_assert(!clv_cimd_host_allowed("example.com", list)); /* the pattern is for names under it */
    ck_assert(!clv_cimd_host_allowed("evilexample.com", list));
    ck_assert(!clv_cimd_host_allowed("a.example.com.evil.net", list));
    ck_assert(!clv_cimd_host_allowed("x.app.example.org", list));
    ck_assert(!clv_cimd_host_allowed("app.example.org.", list));
    ck_assert(!clv_cimd_host_allowed("anything", ""));
    ck_assert(!clv_cimd_host_allowed("anything", "*"));
    url_ok("https://a.example.com/c.json", list);
    url_bad("https://example.net/c.json", list, "host");
}
END_TEST

static const char *const URL = "https://agent.example.com/client.json";

static json_t *doc_of(const char *extra)
{
    char text[1024];

    snprintf(text, sizeof text,
             "{\"client_id\": \"https://agent.example.com/client.json\", "
             "\"redirect_uris\": [\"https://agent.example.com/cb\"]%s}",
             extra);
    return clv_test_json(text);
}

static void doc_bad(const char *extra, const char *field)
{
    json_t *doc = doc_of(extra), *md = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_cimd_document_check(URL, doc, &md, &err) == CLV_INVALID, "%s accepted", extra);
    ck_assert_msg(strcmp(err.field, field) == 0, "%s: field %s (%s)", extra, err.field, err.detail);
    ck_assert_ptr_null(md);
    json_decref(doc);
}

START_TEST(document_rules)
{
    json_t *doc = doc_of(", \"client_name\": \"Agent\", \"sector_identifier_uri\": "
                         "\"https://x.example/s\", \"subject_type\": \"pairwise\""),
           *md = NULL;
    clv_err err;

    clv_err_init(&err);
    ck_assert_int_eq(clv_cimd_document_check(URL, doc, &md, &err), CLV_OK);
    ck_assert_ptr_null(json_object_get(md, "client_id"));
    ck_assert_ptr_null(json_object_get(md, "sector_identifier_uri"));
    ck_assert_ptr_null(json_object_get(md, "subject_type"));
    ck_assert_str_eq(json_string_value(json_object_get(md, "token_endpoint_auth_method")), "none");
    ck_assert_str_eq(json_string_value(json_object_get(md, "client_name")), "Agent");
    ck_assert_str_eq(json_string_value(json_object_get(md, "scope")), "openid profile email");
    json_decref(md);
    json_decref(doc);
    /* no client_name: the host names it */
    doc = doc_of(", \"token_endpoint_auth_method\": \"private_key_jwt\", \"scope\": \"mcp\"");
    ck_assert_int_eq(clv_cimd_document_check(URL, doc, &md, &err), CLV_OK);
    ck_assert_str_eq(json_string_value(json_object_get(md, "client_name")), "agent.example.com");
    ck_assert_str_eq(json_string_value(json_object_get(md, "scope")), "mcp");
    json_decref(md);
    json_decref(doc);
    doc_bad(", \"client_secret\": \"s\"", "client_secret");
    doc_bad(", \"client_secret_expires_at\": 0", "client_secret");
    doc_bad(", \"token_endpoint_auth_method\": \"client_secret_basic\"", "token_endpoint_auth_method");
    doc_bad(", \"token_endpoint_auth_method\": \"client_secret_jwt\"", "token_endpoint_auth_method");
    doc_bad(", \"token_endpoint_auth_method\": 7", "token_endpoint_auth_method");
    doc = clv_test_json("{\"client_id\": \"https://agent.example.com/client.json/\", "
                        "\"redirect_uris\": [\"https://agent.example.com/cb\"]}");
    ck_assert_int_eq(clv_cimd_document_check(URL, doc, &md, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "client_id");
    json_decref(doc);
    doc = clv_test_json("{\"client_id\": \"https://agent.example.com/client.json\"}");
    ck_assert_int_eq(clv_cimd_document_check(URL, doc, &md, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "redirect_uris");
    json_decref(doc);
    doc = clv_test_json("[]");
    ck_assert_int_eq(clv_cimd_document_check(URL, doc, &md, &err), CLV_INVALID);
    json_decref(doc);
}
END_TEST

START_TEST(host_list_checked)
{
    clv_err err;

    ck_assert_int_eq(clv_cimd_hosts_check("*.example.com, app.example.org", NULL), CLV_OK);
    ck_assert_int_eq(clv_cimd_hosts_check("localhost", NULL), CLV_OK);
    clv_err_init(&err);
    ck_assert_int_eq(clv_cimd_hosts_check("*.example.com,*", &err), CLV_INVALID);
    ck_assert_str_eq(err.detail, "--metadata-document-hosts: '*' is not a host name or *.domain");
    ck_assert_int_eq(clv_cimd_hosts_check("a.example.com,,", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check("", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check("https://a.example.com", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check("a..example.com", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check(".example.com", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check("a.example.com:443", &err), CLV_INVALID);
    ck_assert_int_eq(clv_cimd_hosts_check("bücher.example", &err), CLV_INVALID);
}
END_TEST

START_TEST(cache_lifetimes)
{
    const clv_doc_cache_rules r = {.min_ttl = 60, .max_ttl = 86400, .default_ttl = 600};

    ck_assert_int_eq(clv_doc_cache_ttl(&r, -1), 600);   /* no Cache-Control */
    ck_assert_int_eq(clv_doc_cache_ttl(&r, 0), 60);     /* no-store: still kept a minute */
    ck_assert_int_eq(clv_doc_cache_ttl(&r, 5), 60);
    ck_assert_int_eq(clv_doc_cache_ttl(&r, 3600), 3600);
    ck_assert_int_eq(clv_doc_cache_ttl(&r, 2147483647), 86400);
}
END_TEST

START_TEST(client_ids_that_are_urls)
{
    ck_assert(clv_client_id_is_url("https://a.example/c"));
    ck_assert(!clv_client_id_is_url("http://a.example/c"));
    ck_assert(!clv_client_id_is_url("Kq3dQ0m2aY9Yc7bXo1Zr9w"));
    ck_assert(!clv_client_id_is_url(NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cimd");
    TCase *tc = tcase_create("rules");

    tcase_add_test(tc, url_shapes);
    tcase_add_test(tc, host_lists);
    tcase_add_test(tc, document_rules);
    tcase_add_test(tc, host_list_checked);
    tcase_add_test(tc, cache_lifetimes);
    tcase_add_test(tc, client_ids_that_are_urls);
    suite_add_tcase(s, tc);
    return clv_test_run(s);
}
