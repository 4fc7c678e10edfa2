/* libFuzzer target: query strings, as the server reads them. libmicrohttpd splits and
 * percent-decodes the query; Clavis then checks it (clv_req_check_query in the router:
 * invalid UTF-8 is a 400, docs/SECURITY.md "Input handling"), collects it into a form
 * (clv_req_query_form: /authorize, /logout) or reads single parameters (the admin lists'
 * limit, cursor, status, since, q, …). None of that can be called without a request, so
 * this target runs the real server (src/http/server.c) on a loopback port of the fuzz app
 * and sends it each input over one kept-alive connection.
 *
 * The first byte picks the endpoint (admin ones with a platform_admin token); the rest is
 * the query, sent as it is but for the bytes a request line cannot hold (controls, space,
 * DEL), which are percent-encoded. Every request must get an answer, and no answer may be
 * a 5xx: bad input is a 4xx. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access_token.h"
#include "fuzzutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* PAIRS_MAX: libmicrohttpd keeps each parameter in the connection's 32 KiB memory pool;
 * some 480 of them fill it, and it then closes the connection without an answer. That is
 * its limit, not Clavis's, so the target stays below it. */
enum { QUERY_MAX = 6000, PAIRS_MAX = 400, TOKEN_RENEW = 1800 };

static const struct {
    const char *path;
    bool admin;
} endpoints[] = {
    {"/authorize", false},
    {"/logout", false},
    {"/admin/v1/clients", true},
    {"/admin/v1/audit", true},
    {"/admin/v1/services", true},
    {"/admin/v1/tenants", true},
    {"/admin/v1/users", true},
    {"/admin/v1/clients/fuzzQueryPublic0000001/secrets", true},
    {"/.well-known/openid-configuration", false},
    {"/userinfo", false},
    {"/register/fuzzQueryPublic0000001", false},
    {"/nowhere", false},
};

static clv_client *admin;
static char *token;
static int64_t token_at;

/* A platform_admin token for the admin endpoints, minted again every half hour. */
static const char *admin_token(void)
{
    clv_mint_opts o = {.scope = "admin"};
    int64_t expires_in;
    clv_err err;

    if (token != NULL && clv_now() - token_at < TOKEN_RENEW)
        return token;
    free(token);
    token = NULL;
    clv_err_init(&err);
    if (clv_access_mint(clv_fuzz_app(), admin, &o, &token, &expires_in, &err) != CLV_OK) {
        fprintf(stderr, "fuzz_query: mint: %s\n", err.detail);
        abort();
    }
    token_at = clv_now();
    return token;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    admin = clv_fuzz_client("fuzzQueryAdmin00000001",
                            "{\"name\":\"admin\",\"type\":\"m2m\","
                            "\"scopes\":[\"admin\"],\"roles\":[\"platform_admin\"]}");
    clv_client_free(clv_fuzz_client(
        "fuzzQueryPublic0000001",
        "{\"name\":\"spa\",\"type\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
        "\"post_logout_redirect_uris\":[\"https://app.example/bye\"],"
        "\"scopes\":[\"openid\",\"profile\",\"email\"]}"));
    admin_token();
    clv_fuzz_server();
    return 0;
}

/* The request line and headers for data, malloc'd. */
static char *request(const uint8_t *data, size_t size)
{
    size_t n = 0, cap = 3 * size + 4096;
    char *req = malloc(cap);
    int e = data[0] % (int)(sizeof endpoints / sizeof endpoints[0]);

    if (req == NULL)
        abort();
    n += (size_t)snprintf(req, cap, "GET %s?", endpoints[e].path);
    for (size_t i = 1; i < size; i++) {
        if (data[i] <= 0x20 || data[i] == 0x7F)
            n += (size_t)snprintf(req + n, cap - n, "%%%02X", data[i]);
        else
            req[n++] = (char)data[i];
    }
    n += (size_t)snprintf(req + n, cap - n, " HTTP/1.1\r\nHost: fuzz\r\n");
    if (endpoints[e].admin)
        n += (size_t)snprintf(req + n, cap - n, "Authorization: Bearer %s\r\n", admin_token());
    snprintf(req + n, cap - n, "\r\n");
    return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *req;
    int status, pairs = 0;

    for (size_t i = 1; i < size; i++)
        pairs += data[i] == '&';
    if (size == 0 || size > QUERY_MAX || pairs > PAIRS_MAX)
        return 0;
    req = request(data, size);
    status = clv_fuzz_http(req, strlen(req));
    if (status < 200 || status >= 500) {
        fprintf(stderr, "fuzz_query: status %d for:\n%s\n", status, req);
        abort();
    }
    free(req);
    return 0;
}
