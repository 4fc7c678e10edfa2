/* test_config — what `clavis serve` checks of its settings before it starts
 * (src/core/config.c, docs/OPERATIONS.md "The issuer"): the issuer URL, its path, the
 * default issuer taken from the listen address, and CLAVIS_REUSE_PORT. Each test runs in
 * its own process (CK_FORK), so setenv in one test does not leak into another. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/err.h"
#include "testutil.h"

static void issuer_ok(const char *issuer)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_config_check_issuer(issuer, &err) == CLV_OK, "refused '%s': %s", issuer,
                  err.detail);
}

/* The issuer is refused, with a reason that contains why and names the field. */
static void issuer_bad(const char *issuer, const char *why)
{
    clv_err err;

    clv_err_init(&err);
    ck_assert_msg(clv_config_check_issuer(issuer, &err) == CLV_INVALID, "accepted '%s'",
                  issuer ? issuer : "(null)");
    ck_assert_str_eq(err.field, "issuer");
    ck_assert_msg(strstr(err.detail, why) != NULL, "'%s': detail '%s' lacks '%s'",
                  issuer ? issuer : "(null)", err.detail, why);
    ck_assert_ptr_null(strchr(err.detail, '\n')); /* one line */
}

START_TEST(issuer_accepted)
{
    issuer_ok("https://auth.example.com");
    issuer_ok("https://auth.example.com:8443");
    issuer_ok("https://example.com/auth");
    issuer_ok("https://example.com/tenants/acme-1/oauth_2.0~x");
    issuer_ok("https://example.com/a%2Fb");
    issuer_ok("https://192.0.2.1");
    issuer_ok("https://[2001:db8::1]:443/x");
    issuer_ok("http://127.0.0.1:8080");
    issuer_ok("http://127.0.0.1");
    issuer_ok("http://[::1]:8080/auth");
    issuer_ok("http://localhost:3000");
    issuer_ok("http://LOCALHOST");
}
END_TEST

START_TEST(issuer_scheme)
{
    const char *http_only = "must be an https URL";

    issuer_bad("http://auth.example.com", http_only);
    issuer_bad("http://10.0.0.1:8080", http_only);
    issuer_bad("http://0.0.0.0:8080", http_only);
    issuer_bad("http://localhost.example.com", http_only); /* not loopback by its prefix */
    issuer_bad("http://127.0.0.1.nip.io", http_only);
    issuer_bad("http://[::1]x", "host");
    issuer_bad("ftp://auth.example.com", http_only);
    issuer_bad("HTTPS://auth.example.com", http_only);
    issuer_bad("auth.example.com", http_only);
    issuer_bad("//auth.example.com", http_only);
}
END_TEST

START_TEST(issuer_shape)
{
    char longer[CLV_ISSUER_MAX + 40];

    issuer_bad(NULL, "empty");
    issuer_bad("", "empty");
    issuer_bad("https://auth.example.com/", "must not end with '/'");
    issuer_bad("https://auth.example.com/auth/", "must not end with '/'");
    issuer_bad("https://auth.example.com?x=1", "query or fragment");
    issuer_bad("https://auth.example.com/a?", "query or fragment");
    issuer_bad("https://auth.example.com#top", "query or fragment");
    issuer_bad("https://user:pw@auth.example.com", "user name");
    issuer_bad("https://", "host");
    issuer_bad("https://:443", "host");
    issuer_bad("https://auth.example.com:", "host");
    issuer_bad("https://auth.example.com:0", "host");
    issuer_bad("https://auth.example.com:65536", "host");
    issuer_bad("https://auth.exa mple.com", "host");
    issuer_bad("https://[]/x", "host");
    issuer_bad("https://example.com//auth", "segments");
    issuer_bad("https://example.com/a/./b", "segments");
    issuer_bad("https://example.com/a/..", "segments");
    issuer_bad("https://example.com/a b", "letters, digits");
    issuer_bad("https://example.com/a;Domain=evil", "letters, digits"); /* a cookie path */
    issuer_bad("https://example.com/%zz", "letters, digits");
    issuer_bad("https://example.com/caf\xc3\xa9", "letters, digits");
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "https://", 8);
    issuer_bad(longer, "longer than");
}
END_TEST

START_TEST(issuer_path)
{
    ck_assert_str_eq(clv_config_issuer_path("https://auth.example.com"), "");
    ck_assert_str_eq(clv_config_issuer_path("https://auth.example.com:8443"), "");
    ck_assert_str_eq(clv_config_issuer_path("https://example.com/auth"), "/auth");
    ck_assert_str_eq(clv_config_issuer_path("http://127.0.0.1:9/a/b"), "/a/b");
}
END_TEST

static void server_cfg(clv_config *cfg, const char *listen, const char *issuer)
{
    unsetenv("CLAVIS_ISSUER");
    unsetenv("CLAVIS_LISTEN");
    unsetenv("CLAVIS_REUSE_PORT");
    ck_assert_int_eq(clv_config_init(cfg, false, NULL), CLV_OK);
    ck_assert(clv_config_set_str(&cfg->listen, listen));
    ck_assert(clv_config_set_str(&cfg->issuer, issuer));
}

START_TEST(server_default_issuer)
{
    clv_config cfg;
    clv_err err;

    server_cfg(&cfg, "127.0.0.1:9000", NULL);
    ck_assert_int_eq(clv_config_check_server(&cfg, NULL), CLV_OK);
    ck_assert_str_eq(cfg.issuer, "http://127.0.0.1:9000");
    clv_config_cleanup(&cfg);

    server_cfg(&cfg, "[::1]:9000", NULL);
    ck_assert_int_eq(clv_config_check_server(&cfg, NULL), CLV_OK);
    ck_assert_str_eq(cfg.issuer, "http://[::1]:9000");
    clv_config_cleanup(&cfg);

    /* Another address needs an issuer of its own: http://0.0.0.0 is nobody's URL. */
    server_cfg(&cfg, "0.0.0.0:9000", NULL);
    clv_err_init(&err);
    ck_assert_int_eq(clv_config_check_server(&cfg, &err), CLV_INVALID);
    ck_assert_msg(strstr(err.detail, "give --issuer") != NULL, "%s", err.detail);
    ck_assert_ptr_null(cfg.issuer);
    clv_config_cleanup(&cfg);

    server_cfg(&cfg, "0.0.0.0:9000", "https://auth.example.com");
    ck_assert_int_eq(clv_config_check_server(&cfg, NULL), CLV_OK);
    ck_assert_str_eq(cfg.issuer, "https://auth.example.com");
    clv_config_cleanup(&cfg);

    server_cfg(&cfg, "127.0.0.1:9000", "https://auth.example.com/");
    ck_assert_int_eq(clv_config_check_server(&cfg, NULL), CLV_INVALID); /* not trimmed */
    clv_config_cleanup(&cfg);
}
END_TEST

START_TEST(reuse_port_env)
{
    static const char *const on[] = {"1", "true", "TRUE", "yes", "on"};
    static const char *const off[] = {"0", "false", "no", "off", ""};
    clv_config cfg;
    clv_err err;

    unsetenv("CLAVIS_REUSE_PORT");
    ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
    ck_assert(!cfg.reuse_port); /* off by default */
    clv_config_cleanup(&cfg);
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        setenv("CLAVIS_REUSE_PORT", on[i], 1);
        ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
        ck_assert_msg(cfg.reuse_port, "CLAVIS_REUSE_PORT=%s", on[i]);
        clv_config_cleanup(&cfg);
        setenv("CLAVIS_REUSE_PORT", off[i], 1);
        ck_assert_int_eq(clv_config_init(&cfg, true, NULL), CLV_OK);
        ck_assert_msg(!cfg.reuse_port, "CLAVIS_REUSE_PORT=%s", off[i]);
        clv_config_cleanup(&cfg);
    }
    setenv("CLAVIS_REUSE_PORT", "maybe", 1);
    clv_err_init(&err);
    ck_assert_int_eq(clv_config_init(&cfg, true, &err), CLV_INVALID);
    ck_assert_str_eq(err.field, "CLAVIS_REUSE_PORT");
    clv_config_cleanup(&cfg);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *issuer = tcase_create("issuer");
    TCase *server = tcase_create("server");

    suite_add_tcase(s, issuer);
    suite_add_tcase(s, server);
    tcase_add_test(issuer, issuer_accepted);
    tcase_add_test(issuer, issuer_scheme);
    tcase_add_test(issuer, issuer_shape);
    tcase_add_test(issuer, issuer_path);
    tcase_add_test(server, server_default_issuer);
    tcase_add_test(server, reuse_port_env);
    return s;
}

int main(void)
{
    return clv_test_run(config_suite());
}
