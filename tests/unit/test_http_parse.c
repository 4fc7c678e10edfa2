/* test_http_parse — unit tests of the request parsers of src/http that need no server:
 * application/x-www-form-urlencoded bodies (form.c), HTTP Basic client credentials
 * (RFC 6749 §2.3.1, RFC 7617), the UTF-8 check of req.c (RFC 3629, docs/DESIGN.md R13), the
 * source address behind trusted proxies (X-Forwarded-For, req.c) and If-Match (RFC 9110
 * §13.1.1, h_admin.c) with the admin layer's version check.
 * Each test runs in its own process (CK_FORK). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "http/form.h"
#include "http/handlers.h"
#include "http/http.h"
#include "testutil.h"

/* ---- form ---- */

static clv_code parse_form(const char *body, clv_form *f, clv_err *err)
{
    clv_err_init(err);
    return clv_form_parse(body, strlen(body), f, err);
}

START_TEST(form_normal)
{
    clv_form f;
    clv_err err;

    ck_assert_int_eq(parse_form("grant_type=client_credentials&scope=read&client_id=abc", &f, &err),
                     CLV_OK);
    ck_assert_int_eq(f.count, 3);
    ck_assert_str_eq(clv_form_get(&f, "grant_type"), "client_credentials");
    ck_assert_str_eq(clv_form_get(&f, "scope"), "read");
    ck_assert_str_eq(clv_form_get(&f, "client_id"), "abc");
    ck_assert_ptr_null(clv_form_get(&f, "client_secret"));
    ck_assert_ptr_null(clv_form_get(&f, "Scope")); /* names are case-sensitive */
    clv_form_cleanup(&f);
    ck_assert_int_eq(f.count, 0);

    ck_assert_int_eq(parse_form("", &f, &err), CLV_OK);
    ck_assert_int_eq(f.count, 0);
    clv_form_cleanup(&f);

    /* empty values, a name without '=', '=' inside a value, stray '&' */
    ck_assert_int_eq(parse_form("&a=&b&c=x=y&&d=1&", &f, &err), CLV_OK);
    ck_assert_int_eq(f.count, 4);
    ck_assert_str_eq(clv_form_get(&f, "a"), "");
    ck_assert_str_eq(clv_form_get(&f, "b"), "");
    ck_assert_str_eq(clv_form_get(&f, "c"), "x=y");
    ck_assert_str_eq(clv_form_get(&f, "d"), "1");
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_respects_length)
{
    const char body[] = "a=1&b=2";
    clv_form f;

    ck_assert_int_eq(clv_form_parse(body, 3, &f, NULL), CLV_OK);
    ck_assert_int_eq(f.count, 1);
    ck_assert_str_eq(clv_form_get(&f, "a"), "1");
    ck_assert_ptr_null(clv_form_get(&f, "b"));
    clv_form_cleanup(&f);
    ck_assert_int_eq(clv_form_parse(body, 0, &f, NULL), CLV_OK);
    ck_assert_int_eq(f.count, 0);
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_decoding)
{
    clv_form f;
    clv_err err;

    ck_assert_int_eq(parse_form("scope=read+write&q=%41%62c%7e%7E&plus=%2B&sp=a%20b&"
                                "pct=100%25&url=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1&"
                                "my+name=v&%6Eame=n&e=%C3%A9&emoji=%F0%9F%98%80",
                                &f, &err),
                     CLV_OK);
    ck_assert_str_eq(clv_form_get(&f, "scope"), "read write");
    ck_assert_str_eq(clv_form_get(&f, "q"), "Abc~~");
    ck_assert_str_eq(clv_form_get(&f, "plus"), "+");
    ck_assert_str_eq(clv_form_get(&f, "sp"), "a b");
    ck_assert_str_eq(clv_form_get(&f, "pct"), "100%");
    ck_assert_str_eq(clv_form_get(&f, "url"), "https://a.example/cb?x=1");
    ck_assert_str_eq(clv_form_get(&f, "my name"), "v");
    ck_assert_str_eq(clv_form_get(&f, "name"), "n");
    ck_assert_str_eq(clv_form_get(&f, "e"), "\xC3\xA9");
    ck_assert_str_eq(clv_form_get(&f, "emoji"), "\xF0\x9F\x98\x80");
    clv_form_cleanup(&f);
}
END_TEST

static void form_bad(const char *body)
{
    clv_form f;
    clv_err err;

    ck_assert_msg(parse_form(body, &f, &err) == CLV_INVALID, "accepted form '%s'", body);
    ck_assert_int_eq(err.code, CLV_INVALID);
    ck_assert_str_ne(err.detail, "");
    clv_form_cleanup(&f);
}

START_TEST(form_bad_escapes)
{
    form_bad("a=%4");
    form_bad("a=%zz");
    form_bad("a=%");
    form_bad("a=%%41");
    form_bad("a=%4g");
    form_bad("a=%g4");
    form_bad("a=x%4");
    form_bad("%4=1");
    form_bad("a=1&b=%2");
    form_bad("a=%+1");
}
END_TEST

START_TEST(form_repeated)
{
    clv_form f;
    clv_err err;

    ck_assert_int_eq(parse_form("scope=a&client_id=x&scope=b", &f, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "scope");
    ck_assert_ptr_nonnull(strstr(err.detail, "scope"));
    clv_form_cleanup(&f);
    /* the same name however it is spelled */
    ck_assert_int_eq(parse_form("code=1&%63ode=2", &f, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "code");
    clv_form_cleanup(&f);
    /* an empty value counts as present */
    ck_assert_int_eq(parse_form("state=&state=x", &f, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "state");
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_empty_name)
{
    form_bad("=value");
    form_bad("a=1&=2");
    form_bad("=");
}
END_TEST

START_TEST(form_too_many)
{
    char body[1024];
    size_t o = 0;
    clv_form f;
    clv_err err;

    for (int i = 0; i < CLV_FORM_MAX; i++)
        o += (size_t)snprintf(body + o, sizeof body - o, "%sp%d=%d", i > 0 ? "&" : "", i, i);
    ck_assert_int_eq(parse_form(body, &f, &err), CLV_OK);
    ck_assert_int_eq(f.count, CLV_FORM_MAX);
    ck_assert_str_eq(clv_form_get(&f, "p31"), "31");
    clv_form_cleanup(&f);
    snprintf(body + o, sizeof body - o, "&extra=1");
    ck_assert_int_eq(parse_form(body, &f, &err), CLV_INVALID);
    ck_assert_int_eq(err.code, CLV_INVALID);
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_invalid_utf8)
{
    clv_form f;
    clv_err err;
    const char raw[] = "a=\xC3\x28";

    form_bad("a=%C3%28");
    form_bad("a=%C0%AF");       /* overlong '/' */
    form_bad("a=%ED%A0%80");    /* surrogate */
    form_bad("a=%F4%90%80%80"); /* past U+10FFFF */
    form_bad("a=%E2%82");       /* truncated */
    form_bad("%FF=1");          /* in a name */
    form_bad("a=%80");
    ck_assert_int_eq(clv_form_parse(raw, sizeof raw - 1, &f, &err), CLV_INVALID);
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_nul)
{
    clv_form f;
    clv_err err;
    const char raw[] = "a=x\0y&b=1";

    form_bad("a=%00");
    form_bad("a=x%00y");
    form_bad("a%00b=1");
    ck_assert_int_eq(clv_form_parse(raw, sizeof raw - 1, &f, &err), CLV_INVALID);
    clv_form_cleanup(&f);
}
END_TEST

START_TEST(form_decode_direct)
{
    char *s;

    s = clv_form_decode("a+b%21", 6);
    ck_assert_str_eq(s, "a b!");
    free(s);
    s = clv_form_decode("abc%41", 4); /* length, not the NUL, ends the input */
    ck_assert_ptr_null(s);
    s = clv_form_decode("", 0);
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_ptr_null(clv_form_decode("%C3%28", 6));
    ck_assert_ptr_null(clv_form_decode("%00", 3));
}
END_TEST

/* ---- Basic ---- */

static clv_code basic(const char *header, char **id, char **secret, clv_err *err)
{
    *id = *secret = NULL;
    clv_err_init(err);
    return clv_basic_parse(header, id, secret, err);
}

START_TEST(basic_ok)
{
    char *id, *secret;
    clv_err err;

    ck_assert_int_eq(basic("Basic dXNlcjpwYXNz", &id, &secret, &err), CLV_OK); /* user:pass */
    ck_assert_str_eq(id, "user");
    ck_assert_str_eq(secret, "pass");
    free(id);
    clv_free_secret(secret);

    /* RFC 6749 §2.3.1: both halves are form-urlencoded ("a%3Ab:c%20d") */
    ck_assert_int_eq(basic("Basic YSUzQWI6YyUyMGQ=", &id, &secret, &err), CLV_OK);
    ck_assert_str_eq(id, "a:b");
    ck_assert_str_eq(secret, "c d");
    free(id);
    clv_free_secret(secret);

    /* "my+id:s%2Bc" */
    ck_assert_int_eq(basic("Basic bXkraWQ6cyUyQmM=", &id, &secret, &err), CLV_OK);
    ck_assert_str_eq(id, "my id");
    ck_assert_str_eq(secret, "s+c");
    free(id);
    clv_free_secret(secret);

    /* RFC 7617 §2: the user-id ends at the first colon; the password may hold more */
    ck_assert_int_eq(basic("Basic dXNlcjpwYTpzcw==", &id, &secret, &err), CLV_OK);
    ck_assert_str_eq(id, "user");
    ck_assert_str_eq(secret, "pa:ss");
    free(id);
    clv_free_secret(secret);
}
END_TEST

START_TEST(basic_scheme_case)
{
    static const char *const ok[] = {"basic dXNlcjpwYXNz", "BASIC dXNlcjpwYXNz",
                                     "bAsIc dXNlcjpwYXNz", "Basic  dXNlcjpwYXNz"};
    char *id, *secret;
    clv_err err;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(basic(ok[i], &id, &secret, &err) == CLV_OK, "refused '%s': %s", ok[i],
                      err.detail);
        ck_assert_str_eq(id, "user");
        ck_assert_str_eq(secret, "pass");
        free(id);
        clv_free_secret(secret);
    }
}
END_TEST

static void basic_bad(const char *header)
{
    char *id, *secret;
    clv_err err;

    ck_assert_msg(basic(header, &id, &secret, &err) == CLV_INVALID_CLIENT,
                  "accepted Basic header '%s'", header != NULL ? header : "(null)");
    ck_assert_int_eq(err.code, CLV_INVALID_CLIENT);
    ck_assert_ptr_null(id);
    ck_assert_ptr_null(secret);
}

START_TEST(basic_malformed)
{
    basic_bad("Basic dXNlcnBhc3M=");  /* "userpass": no colon */
    basic_bad("Basic OnBhc3M=");      /* ":pass": empty id */
    basic_bad("Basic !!!!");          /* not base64 */
    basic_bad("Basic dXNlcjpwYXN");   /* not a whole group */
    basic_bad("Basic dXNlcjpwYXNz="); /* padding where none belongs */
    basic_bad("Basic dXNl cjpwYXNz"); /* space inside */
    basic_bad("Basic dXNlcjpw-XNz");  /* base64url alphabet */
    basic_bad("Basic ");
    basic_bad("Basic");
    basic_bad("Bearer dXNlcjpwYXNz");
    basic_bad("Digest dXNlcjpwYXNz");
    basic_bad("Basicx dXNlcjpwYXNz");
    basic_bad("dXNlcjpwYXNz");
    basic_bad("");
    basic_bad(NULL);
    basic_bad("Basic dXNlcjolQzMlMjg="); /* "user:%C3%28": invalid UTF-8 once decoded */
    basic_bad("Basic dXNlcjpwJTAwdw=="); /* "user:p%00w": NUL once decoded */
    basic_bad("Basic dcM6cA==");         /* raw invalid UTF-8 in the id */
}
END_TEST

/* ---- UTF-8 ---- */

static void utf8_ok(const char *s, size_t n)
{
    ck_assert_msg(clv_utf8_valid(s, n), "refused valid UTF-8 (%zu bytes, first 0x%02x)", n,
                  n > 0 ? (unsigned char)s[0] : 0);
}

static void utf8_bad(const char *s, size_t n)
{
    ck_assert_msg(!clv_utf8_valid(s, n), "accepted invalid UTF-8 (%zu bytes, first 0x%02x)", n,
                  n > 0 ? (unsigned char)s[0] : 0);
}

#define OK(lit) utf8_ok(lit, sizeof(lit) - 1)
#define BAD(lit) utf8_bad(lit, sizeof(lit) - 1)

START_TEST(utf8_valid_sequences)
{
    OK("");
    OK("plain ASCII ~!@#$%^&*()_+{}|:\"<>?");
    OK("\x7F");
    OK("\xC2\x80");         /* U+0080, smallest 2-byte */
    OK("\xC3\xA9");         /* é */
    OK("\xDF\xBF");         /* U+07FF */
    OK("\xE0\xA0\x80");     /* U+0800, smallest 3-byte */
    OK("\xE2\x82\xAC");     /* € */
    OK("\xED\x9F\xBF");     /* U+D7FF, just below the surrogates */
    OK("\xEE\x80\x80");     /* U+E000, just above them */
    OK("\xEF\xBF\xBF");     /* U+FFFF */
    OK("\xF0\x90\x80\x80"); /* U+10000, smallest 4-byte */
    OK("\xF0\x9F\x98\x80"); /* 😀 */
    OK("\xF4\x8F\xBF\xBF"); /* U+10FFFF, the last code point */
    OK("a\xC3\xA9"
       "b\xE2\x82\xAC"
       "c\xF0\x9F\x98\x80"
       "d");
}
END_TEST

START_TEST(utf8_overlong)
{
    BAD("\xC0\xAF"); /* '/' in 2 bytes */
    BAD("\xC0\x80"); /* NUL in 2 bytes (modified UTF-8) */
    BAD("\xC1\xBF");
    BAD("\xE0\x80\xAF");     /* '/' in 3 bytes */
    BAD("\xE0\x9F\xBF");     /* U+07FF in 3 bytes */
    BAD("\xF0\x80\x80\xAF"); /* '/' in 4 bytes */
    BAD("\xF0\x8F\xBF\xBF"); /* U+FFFF in 4 bytes */
}
END_TEST

START_TEST(utf8_surrogates_and_range)
{
    BAD("\xED\xA0\x80");             /* U+D800 */
    BAD("\xED\xAD\xBF");             /* U+DB7F */
    BAD("\xED\xB0\x80");             /* U+DC00 */
    BAD("\xED\xBF\xBF");             /* U+DFFF */
    BAD("\xED\xA0\xBD\xED\xB8\x80"); /* a CESU-8 pair */
    BAD("\xF4\x90\x80\x80");         /* U+110000 */
    BAD("\xF5\x80\x80\x80");
    BAD("\xF7\xBF\xBF\xBF");
    BAD("\xF8\x88\x80\x80\x80"); /* 5-byte form */
    BAD("\xFC\x84\x80\x80\x80\x80");
    BAD("\xFE");
    BAD("\xFF");
}
END_TEST

START_TEST(utf8_truncated_and_stray)
{
    BAD("\xC3");
    BAD("\xE2\x82");
    BAD("\xF0\x9F\x98");
    BAD("abc\xF0\x9F");
    BAD("\x80"); /* a lone continuation byte */
    BAD("a\xBF"
        "b");
    BAD("\xC3\x28"); /* continuation expected */
    BAD("\xE2\x28\xA1");
    BAD("\xE2\x82\x28");
    BAD("\xF0\x28\x8C\xBC");
    /* the length is what counts: a valid sequence cut by n */
    utf8_bad("\xC3\xA9", 1);
    utf8_bad("\xF0\x9F\x98\x80", 3);
    utf8_ok("\xC3\xA9\xC3", 2);
}
END_TEST

START_TEST(utf8_nul)
{
    utf8_bad("\0", 1);
    utf8_bad("a\0b", 3);
    utf8_bad("abc\0", 4);
    utf8_ok("abc\0", 3);
}
END_TEST

/* ---- source address ---- */

static void expect_addr(const clv_config *cfg, const char *peer, const char *xff, const char *want)
{
    char out[CLV_ADDR_MAX];

    clv_forwarded_addr(cfg, peer, xff, out);
    ck_assert_msg(strcmp(out, want) == 0, "peer %s, X-Forwarded-For '%s': got %s, want %s", peer,
                  xff != NULL ? xff : "(none)", out, want);
}

START_TEST(forwarded_only_from_trusted_proxies)
{
    clv_config cfg = {0};
    char list[] = ",127.0.0.1,10.0.0.2,::1,";

    expect_addr(&cfg, "127.0.0.1", "203.0.113.9", "127.0.0.1"); /* no proxy is trusted */
    cfg.trusted_proxies = list;
    expect_addr(&cfg, "192.0.2.1", "203.0.113.9", "192.0.2.1"); /* not from a proxy */
    expect_addr(&cfg, "127.0.0.1", NULL, "127.0.0.1");
    expect_addr(&cfg, "127.0.0.1", "203.0.113.9", "203.0.113.9");
    /* the rightmost entry that is not a proxy: what the caller wrote to the left is not
     * believed */
    expect_addr(&cfg, "127.0.0.1", "1.1.1.1, 203.0.113.9", "203.0.113.9");
    expect_addr(&cfg, "127.0.0.1", "1.1.1.1,203.0.113.9 , 10.0.0.2", "203.0.113.9");
    expect_addr(&cfg, "::1", "2001:DB8::0:1", "2001:db8::1");
    expect_addr(&cfg, "127.0.0.1", "10.0.0.2", "10.0.0.2"); /* only proxies: the first */
    /* anything that is not an address ends the walk at the peer */
    expect_addr(&cfg, "127.0.0.1", "203.0.113.9:4711", "127.0.0.1");
    expect_addr(&cfg, "127.0.0.1", "unknown", "127.0.0.1");
    expect_addr(&cfg, "127.0.0.1", "1.1.1.1, garbage, 10.0.0.2", "127.0.0.1");
    expect_addr(&cfg, "127.0.0.1", "", "127.0.0.1");
    expect_addr(&cfg, "127.0.0.1", "1.1.1.1,", "127.0.0.1");
}
END_TEST

/* ---- If-Match ---- */

/* Parses header and expects the versions want (n of them; any for "*"). */
static void if_match(const char *header, bool any, size_t n, const int64_t *want)
{
    clv_version_match m;

    ck_assert_int_eq(clv_h_if_match_parse(header, &m, NULL), CLV_OK);
    ck_assert_msg(m.any == any, "'%s': any %d", header, m.any);
    ck_assert_msg(m.n == n, "'%s': %zu versions, want %zu", header, m.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(m.versions[i], want[i]);
    clv_h_if_match_cleanup(&m);
    ck_assert_ptr_null(m.versions);
}

START_TEST(if_match_tags)
{
    if_match("*", true, 0, NULL);
    if_match("\"7\"", false, 1, (int64_t[]){7});
    if_match("7", false, 1, (int64_t[]){7}); /* bare, as the CLI accepts it */
    if_match("\"7\", \"2\"", false, 2, (int64_t[]){7, 2});
    if_match(" \"12\" ,,3 , \"x\"", false, 2, (int64_t[]){12, 3});
    if_match("\"9223372036854775807\"", false, 1, (int64_t[]){INT64_MAX});
    /* tags that are no version of ours never match: weak ones (strong comparison), other
     * spellings of a number, overflow, half-quoted, empty, and "*" inside a list */
    if_match("W/\"7\"", false, 0, NULL);
    if_match("\"07\"", false, 0, NULL);
    if_match("\"+7\"", false, 0, NULL);
    if_match("\"9223372036854775808\"", false, 0, NULL);
    if_match("\"7", false, 0, NULL);
    if_match("\"\"", false, 0, NULL);
    if_match("", false, 0, NULL);
    if_match("\"1\", *", false, 1, (int64_t[]){1});
}
END_TEST

START_TEST(version_matches)
{
    int64_t v[] = {3, 5};
    clv_version_match none = {0}, any = {.any = true}, list = {.n = 2, .versions = v};

    ck_assert(clv_version_matches(NULL, 4)); /* no If-Match: no precondition */
    ck_assert(clv_version_matches(&any, 4));
    ck_assert(!clv_version_matches(&none, 4));
    ck_assert(clv_version_matches(&list, 5));
    ck_assert(!clv_version_matches(&list, 4));
}
END_TEST

static Suite *http_parse_suite(void)
{
    Suite *s = suite_create("http_parse");
    TCase *form = tcase_create("form");
    TCase *basic_tc = tcase_create("basic");
    TCase *utf8 = tcase_create("utf8");
    TCase *addr = tcase_create("addr");
    TCase *etag = tcase_create("if_match");
    TCase *all[] = {form, basic_tc, utf8, addr, etag};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        tcase_set_timeout(all[i], 30);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(form, form_normal);
    tcase_add_test(form, form_respects_length);
    tcase_add_test(form, form_decoding);
    tcase_add_test(form, form_bad_escapes);
    tcase_add_test(form, form_repeated);
    tcase_add_test(form, form_empty_name);
    tcase_add_test(form, form_too_many);
    tcase_add_test(form, form_invalid_utf8);
    tcase_add_test(form, form_nul);
    tcase_add_test(form, form_decode_direct);
    tcase_add_test(basic_tc, basic_ok);
    tcase_add_test(basic_tc, basic_scheme_case);
    tcase_add_test(basic_tc, basic_malformed);
    tcase_add_test(utf8, utf8_valid_sequences);
    tcase_add_test(utf8, utf8_overlong);
    tcase_add_test(utf8, utf8_surrogates_and_range);
    tcase_add_test(utf8, utf8_truncated_and_stray);
    tcase_add_test(utf8, utf8_nul);
    tcase_add_test(addr, forwarded_only_from_trusted_proxies);
    tcase_add_test(etag, if_match_tags);
    tcase_add_test(etag, version_matches);
    return s;
}

int main(void)
{
    return clv_test_run(http_parse_suite());
}
