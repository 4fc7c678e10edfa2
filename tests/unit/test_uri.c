/* Unit tests of base/uri: the RFC 3986 splitter, the host of a URI and the RFC 6454 origin. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "base/uri.h"
#include "testutil.h"

/* The text of a component into buf ("" when it is absent). */
static const char *text(clv_span s, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s", (int)s.n, s.p != NULL ? s.p : "");
    return buf;
}

static void expect_split(const char *uri, const char *scheme, const char *host, const char *port,
                         const char *path, const char *query, const char *fragment)
{
    clv_uri_parts u;
    const char *why = clv_uri_split(uri, &u);
    char b[256];

    ck_assert_msg(why == NULL, "%s: %s", uri, why != NULL ? why : "");
    ck_assert_str_eq(text(u.scheme, b, sizeof b), scheme);
    ck_assert_str_eq(text(u.host, b, sizeof b), host != NULL ? host : "");
    ck_assert_int_eq(u.has_authority, host != NULL);
    ck_assert_str_eq(text(u.port, b, sizeof b), port != NULL ? port : "");
    ck_assert_int_eq(u.has_port, port != NULL);
    ck_assert_str_eq(text(u.path, b, sizeof b), path);
    ck_assert_str_eq(text(u.query, b, sizeof b), query != NULL ? query : "");
    ck_assert_int_eq(u.has_query, query != NULL);
    ck_assert_str_eq(text(u.fragment, b, sizeof b), fragment != NULL ? fragment : "");
    ck_assert_int_eq(u.has_fragment, fragment != NULL);
}

static void expect_refused(const char *uri, const char *why)
{
    clv_uri_parts u;
    const char *got = clv_uri_split(uri, &u);

    ck_assert_msg(got != NULL, "%s was split", uri);
    ck_assert_msg(strcmp(got, why) == 0, "%s: \"%s\", not \"%s\"", uri, got, why);
}

START_TEST(test_split_components)
{
    expect_split("https://App.Example.com:8443/a/b?x=1&y#frag", "https", "App.Example.com", "8443",
                 "/a/b", "x=1&y", "frag");
    expect_split("https://a.example", "https", "a.example", NULL, "", NULL, NULL);
    expect_split("https://a.example?", "https", "a.example", NULL, "", "", NULL);
    expect_split("https://a.example#", "https", "a.example", NULL, "", NULL, "");
    expect_split("https://a.example/p#f?g", "https", "a.example", NULL, "/p", NULL, "f?g");
    expect_split("HTTPS://A.EXAMPLE/", "HTTPS", "A.EXAMPLE", NULL, "/", NULL, NULL);
    /* private-use schemes (RFC 8252 §7.1) and URIs without an authority */
    expect_split("com.example.app:/cb", "com.example.app", NULL, NULL, "/cb", NULL, NULL);
    expect_split("urn:ietf:params:oauth:x", "urn", NULL, NULL, "ietf:params:oauth:x", NULL, NULL);
    expect_split("x+y-z.w:", "x+y-z.w", NULL, NULL, "", NULL, NULL);
    expect_split("file:///etc/hosts", "file", "", NULL, "/etc/hosts", NULL, NULL);
    /* IPv6 literals keep their brackets; IPv4 and ports up to 65535 */
    expect_split("http://[::1]:8080/cb", "http", "[::1]", "8080", "/cb", NULL, NULL);
    expect_split("https://[2001:DB8::a]", "https", "[2001:DB8::a]", NULL, "", NULL, NULL);
    expect_split("https://[::ffff:1.2.3.4]/", "https", "[::ffff:1.2.3.4]", NULL, "/", NULL, NULL);
    expect_split("http://127.0.0.1:65535", "http", "127.0.0.1", "65535", "", NULL, NULL);
    expect_split("https://a.example/%41%2f", "https", "a.example", NULL, "/%41%2f", NULL, NULL);
}
END_TEST

START_TEST(test_split_user_info)
{
    clv_uri_parts u;
    char b[64];

    ck_assert_ptr_null(clv_uri_split("https://User:pw@a.example/", &u));
    ck_assert(u.has_userinfo);
    ck_assert_str_eq(text(u.userinfo, b, sizeof b), "User:pw");
    ck_assert_str_eq(text(u.host, b, sizeof b), "a.example");
    ck_assert_ptr_null(clv_uri_split("https://@a.example/", &u));
    ck_assert(u.has_userinfo);
    ck_assert_uint_eq(u.userinfo.n, 0);
    ck_assert_ptr_null(clv_uri_split("https://a.example/", &u));
    ck_assert(!u.has_userinfo);
}
END_TEST

START_TEST(test_split_refuses)
{
    const char *absolute = "must be an absolute URI (scheme:...)";
    const char *bad_char = "contains a character not allowed in a URI";

    expect_refused("", absolute);
    expect_refused("/relative", absolute);
    expect_refused("a.example/cb", absolute);
    expect_refused("1http://a.example", absolute);
    expect_refused("ht_tp://a.example", absolute);
    expect_refused("https://caf\xc3\xa9.example",
                   "must be ASCII (percent-encode other characters)");
    expect_refused("https://a.example/c b", "must not contain whitespace or control characters");
    expect_refused("https://a.example/\n", "must not contain whitespace or control characters");
    expect_refused("https://a.example\\@evil.example", bad_char);
    expect_refused("https://a.example/{x}", bad_char);
    expect_refused("https://a.example/%zz", "contains an invalid percent-encoding");
    expect_refused("https://a.example/%4", "contains an invalid percent-encoding");
    expect_refused("https://a@b@c.example", "has an invalid authority (several '@')");
    expect_refused("https://[::1/cb", "has an unterminated IPv6 host");
    expect_refused("https://[::1]x/", "has an invalid authority");
    expect_refused("https://[v1.x]/", "has an invalid IPv6 host");
    expect_refused("https://[fe80::1%25eth0]/", "has an invalid IPv6 host"); /* zone id */
    expect_refused("https://[]/", "has an invalid IPv6 host");
    expect_refused("https://[1.2.3.4]/", "has an invalid IPv6 host");
    expect_refused("https://*.example/",
                   "must not contain a wildcard (*) in its host: matching is exact");
    expect_refused("https://a!.example/", "has an invalid character in its host");
    expect_refused("https://a%41.example/", "has an invalid character in its host");
    expect_refused("https://a.example:/", "has an invalid port");
    expect_refused("https://a.example:65536/", "has an invalid port");
    expect_refused("https://a.example:123456/", "has an invalid port");
    expect_refused("https://a.example:8o/", "has an invalid port");
    expect_refused("https://a::b/", "has an invalid port");
    expect_refused("https://a.example/[x]", bad_char);
    expect_refused("https://a.example/?[x]", bad_char);
    expect_refused("https://a]b.example/", "has an invalid character in its host");
    expect_refused("https://a.example/#x#y", bad_char);
    expect_refused("https://u[1]@a.example/", bad_char);
}
END_TEST

START_TEST(test_span_eq_ci)
{
    ck_assert(clv_span_eq_ci((clv_span){"HTTPS", 5}, "https"));
    ck_assert(clv_span_eq_ci((clv_span){"httpsX", 5}, "https"));
    ck_assert(!clv_span_eq_ci((clv_span){"http", 4}, "https"));
    ck_assert(clv_span_eq_ci((clv_span){"", 0}, ""));
}
END_TEST

START_TEST(test_uri_host)
{
    char host[64];

    ck_assert(clv_uri_host("https://User:pw@App.Example.COM:8443/p?q#f", host, sizeof host));
    ck_assert_str_eq(host, "app.example.com");
    ck_assert(clv_uri_host("http://[::1]:8080/cb", host, sizeof host));
    ck_assert_str_eq(host, "[::1]");
    ck_assert(clv_uri_host("https://127.0.0.1", host, sizeof host));
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert(!clv_uri_host("com.example.app:/cb", host, sizeof host));
    ck_assert(!clv_uri_host("urn:example:a", host, sizeof host));
    ck_assert(!clv_uri_host("https://app.example.com/cb", host, 8));
    ck_assert(!clv_uri_host("not a uri", host, sizeof host));
    ck_assert(!clv_uri_host(NULL, host, sizeof host));
    ck_assert(!clv_uri_host("file:///etc/hosts", host, sizeof host)); /* empty host */
    ck_assert(clv_uri_host("https://abcdefg", host, 8)); /* 7 characters and the NUL fit */
    ck_assert_str_eq(host, "abcdefg");
}
END_TEST

static Suite *uri_suite(void)
{
    Suite *s = suite_create("uri");
    TCase *tc = tcase_create("uri");

    tcase_add_test(tc, test_split_components);
    tcase_add_test(tc, test_split_user_info);
    tcase_add_test(tc, test_split_refuses);
    tcase_add_test(tc, test_span_eq_ci);
    tcase_add_test(tc, test_uri_host);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(uri_suite());
}
