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

/* clv_uri_origin on a list of inputs, against what the origin scan it replaced (an
 * authority scan of its own in oauth/cors.c, before base/uri.c) gave. `old` is that
 * function's answer where it differs (NULL: false); every difference is an input the
 * splitter refuses — a malformed port, host or character — or a port written with leading
 * zeros, which RFC 6454 §6.2 serialises in decimal. Browsers send none of them in Origin,
 * and allowed_cors_origins and redirect URIs pass the splitter when they are stored. */
typedef struct {
    const char *in;
    size_t n;        /* the size of out; 0: 64 */
    const char *out; /* NULL: false */
    const char *old; /* the old answer where it differs, else SAME */
} origin_case;

static const char SAME[] = "same";

static const origin_case origin_cases[] = {
    /* http and https, lower-cased, default ports left out */
    {"https://App.Example.com/cb?x#y", 0, "https://app.example.com", SAME},
    {"http://127.0.0.1:8080/cb", 0, "http://127.0.0.1:8080", SAME},
    {"http://localhost:80", 0, "http://localhost", SAME},
    {"https://a.example", 0, "https://a.example", SAME},
    {"HTTPS://A.EXAMPLE", 0, "https://a.example", SAME},
    {"HtTp://A.Example:80/x", 0, "http://a.example", SAME},
    {"HTTP://LOCALHOST:8080", 0, "http://localhost:8080", SAME},
    {"https://a.example:443", 0, "https://a.example", SAME},
    {"https://a.example:443/", 0, "https://a.example", SAME},
    {"https://a.example:80", 0, "https://a.example:80", SAME},
    {"http://a.example:443", 0, "http://a.example:443", SAME},
    {"http://a.example:8080", 0, "http://a.example:8080", SAME},
    {"https://a.example:65535", 0, "https://a.example:65535", SAME},
    {"https://a.example:0", 0, "https://a.example:0", SAME},
    {"http://0:0", 0, "http://0:0", SAME},
    {"https://1.2.3.4:99", 0, "https://1.2.3.4:99", SAME},
    {"https://a-b.example", 0, "https://a-b.example", SAME},
    {"https://a.example.", 0, "https://a.example.", SAME},
    /* query, fragment and path are no part of an origin */
    {"https://a.example:8443/p?q#f", 0, "https://a.example:8443", SAME},
    {"https://a.example?x", 0, "https://a.example", SAME},
    {"https://a.example#f", 0, "https://a.example", SAME},
    {"https://a.example/", 0, "https://a.example", SAME},
    {"https://a.example/%41", 0, "https://a.example", SAME},
    /* IPv6 literals */
    {"https://[::1]", 0, "https://[::1]", SAME},
    {"https://[::1]:443", 0, "https://[::1]", SAME},
    {"http://[::1]:8080/cb", 0, "http://[::1]:8080", SAME},
    {"https://[2001:DB8::A]:8443", 0, "https://[2001:db8::a]:8443", SAME},
    {"https://[::ffff:1.2.3.4]", 0, "https://[::ffff:1.2.3.4]", SAME},
    /* other schemes, no authority, user info */
    {"com.x.app:/cb", 0, NULL, SAME},
    {"ftp://a.example", 0, NULL, SAME},
    {"urn:example:a", 0, NULL, SAME},
    {"null", 0, NULL, SAME},
    {"https:a.example", 0, NULL, SAME},
    {"https:/a.example", 0, NULL, SAME},
    {"https:///path", 0, NULL, SAME},
    {"https://", 0, NULL, SAME},
    {"http://", 0, NULL, SAME},
    {"https://user@evil.example/", 0, NULL, SAME},
    {"https://u:p@a.example", 0, NULL, SAME},
    {"https://@a.example", 0, NULL, SAME},
    {"https://a.example\\@evil.example", 0, NULL, SAME},
    /* hosts that are no CSP host source */
    {"https://a_b.example", 0, NULL, SAME},
    {"https://a~b.example", 0, NULL, SAME},
    {"https://a%41.example", 0, NULL, SAME},
    {"https://a!.example", 0, NULL, SAME},
    {"https://caf\xc3\xa9.example", 0, NULL, SAME},
    /* the size of out: the NUL must fit too */
    {"https://a.example", 17, NULL, SAME},
    {"https://a.example", 18, "https://a.example", SAME},
    {"https://a.example:8443", 22, NULL, SAME},
    {"https://a.example:8443", 23, "https://a.example:8443", SAME},
    {"https://a.example:443", 18, "https://a.example", SAME},
    /* where the old scan differed: malformed URIs it let through */
    {"https://:443", 0, NULL, "https://:443"},
    {"https://:8080", 0, NULL, "https://:8080"},
    {"https://a.example:", 0, NULL, "https://a.example:"},
    {"https://a.example:abc", 0, NULL, "https://a.example:abc"},
    {"https://a.example:65536", 0, NULL, "https://a.example:65536"},
    {"https://a::b", 0, NULL, "https://a::b"},
    {"https://[::1", 0, NULL, "https://[::1"},
    {"https://a]b", 0, NULL, "https://a]b"},
    {"https://[zz]", 0, NULL, "https://[zz]"},
    {"https://[v1.x]", 0, NULL, "https://[v1.x]"},
    {"https://a.example:443:443", 0, NULL, "https://a.example:443"},
    {"https://a.example/ path", 0, NULL, "https://a.example"},
    {"https://a.example/\\path", 0, NULL, "https://a.example"},
    {"https://a.example#x#y", 0, NULL, "https://a.example"},
    {"https://a.example/[x]", 0, NULL, "https://a.example"},
    {"https://a.example/%zz", 0, NULL, "https://a.example"},
    /* ... and ports with leading zeros, now in decimal */
    {"https://a.example:0443", 0, "https://a.example", "https://a.example:0443"},
    {"http://a.example:00080", 0, "http://a.example", "http://a.example:00080"},
};

START_TEST(test_origin_cases)
{
    const origin_case *c = &origin_cases[_i];
    char out[64];
    size_t n = c->n != 0 ? c->n : sizeof out;

    memset(out, 'x', sizeof out);
    out[sizeof out - 1] = '\0';
    if (c->out == NULL) {
        ck_assert_msg(!clv_uri_origin(c->in, out, n), "%s gave %s", c->in, out);
        ck_assert_msg(out[0] == 'x', "%s: out written though refused", c->in);
    } else {
        ck_assert_msg(clv_uri_origin(c->in, out, n), "%s refused", c->in);
        ck_assert_str_eq(out, c->out);
    }
    /* the list marks a difference only where there is one */
    ck_assert_msg(c->old == SAME || c->out == NULL || c->old == NULL || strcmp(c->out, c->old) != 0,
                  "%s: listed as a difference, but the old answer was the same", c->in);
}
END_TEST

START_TEST(test_origin_null)
{
    char out[64];

    ck_assert(!clv_uri_origin(NULL, out, sizeof out));
    ck_assert(!clv_uri_origin("https://a.example", NULL, 64));
    ck_assert(!clv_uri_origin("https://a.example", out, 0));
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
    tcase_add_loop_test(tc, test_origin_cases, 0,
                        (int)(sizeof origin_cases / sizeof origin_cases[0]));
    tcase_add_test(tc, test_origin_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return clv_test_run(uri_suite());
}
