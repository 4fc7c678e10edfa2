/* libFuzzer target: the request headers Clavis reads itself and the bodies of the protocol
 * endpoints, through the real server (src/http/server.c) of the fuzz app — the session
 * Cookie (http/cookie.c, oauth/session.c), Origin (CORS: http/cors.c, oauth/cors.c),
 * Authorization (Basic, Bearer; h_oauth.c, h_admin.c), form bodies with their CSRF
 * tokens (POST /authorize, /logout) and the JSON body of POST /register.
 *
 * The first byte picks the request; the rest is the Cookie, Origin and Authorization
 * values and the body, separated by the first three newlines (an empty value is no
 * header; a CR is dropped, so a value cannot end the head). The fuzz service has a public
 * client fuzzRequestPublic00001 (redirect URI https://app.example/cb, CORS origin
 * https://app.example) and a confidential one fuzzRequestConfid00001 with the secret
 * "fuzz-secret". Every request must get an answer, and no answer may be a 5xx. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { INPUT_MAX = 16 * 1024 };

#define FORM "application/x-www-form-urlencoded"
#define AUTHZ_QUERY                                                                                \
    "?response_type=code&client_id=fuzzRequestPublic00001&redirect_uri=https%3A%2F%2F"             \
    "app.example%2Fcb&scope=openid&state=s&code_challenge="                                        \
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"

static const struct {
    const char *method, *target, *content_type;
} requests[] = {
    {"OPTIONS", "/token", NULL},
    {"POST", "/token", FORM},
    {"POST", "/introspect", FORM},
    {"POST", "/revoke", FORM},
    {"GET", "/userinfo", NULL},
    {"POST", "/userinfo", FORM},
    {"GET", "/authorize" AUTHZ_QUERY, NULL},
    {"POST", "/authorize", FORM},
    {"GET", "/logout?client_id=fuzzRequestPublic00001", NULL},
    {"POST", "/logout", FORM},
    {"POST", "/register", "application/json"},
    {"GET", "/admin/v1/clients", NULL},
    {"POST", "/token", "application/json"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    clv_client_free(clv_fuzz_client(
        "fuzzRequestPublic00001",
        "{\"name\":\"spa\",\"type\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
        "\"allowed_cors_origins\":[\"https://app.example\"],\"scopes\":[\"openid\"]}"));
    clv_client_free(clv_fuzz_client("fuzzRequestConfid00001",
                                    "{\"name\":\"api\",\"type\":\"m2m\",\"scopes\":[\"api\"]}"));
    clv_fuzz_secret("fuzzRequestConfid00001", "fuzz-secret");
    clv_fuzz_server();
    return 0;
}

/* Appends "name: value\r\n" for value[0..n) without its CRs; nothing when n is 0. */
static size_t add_header(char *req, size_t at, const char *name, const char *value, size_t n)
{
    if (n == 0)
        return at;
    at += (size_t)snprintf(req + at, 32, "%s: ", name); /* room: see request() */
    for (size_t i = 0; i < n; i++)
        if (value[i] != '\r')
            req[at++] = value[i];
    req[at++] = '\r';
    req[at++] = '\n';
    return at;
}

/* The whole request for data (*len bytes), malloc'd. */
static char *request(const uint8_t *data, size_t size, size_t *len)
{
    int k = data[0] % (int)(sizeof requests / sizeof requests[0]);
    const char *p = (const char *)data + 1, *end = (const char *)data + size, *part[4];
    size_t n[4], at;
    char *req = malloc(size + 1024);

    if (req == NULL)
        abort();
    for (int i = 0; i < 4; i++) { /* three values up to a newline, then the body */
        const char *nl = i < 3 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        part[i] = p;
        n[i] = (size_t)((nl != NULL ? nl : end) - p);
        p = nl != NULL ? nl + 1 : end;
    }
    at = (size_t)snprintf(req, 1024, "%s %s HTTP/1.1\r\nHost: fuzz\r\n", requests[k].method,
                          requests[k].target);
    at = add_header(req, at, "Cookie", part[0], n[0]);
    at = add_header(req, at, "Origin", part[1], n[1]);
    at = add_header(req, at, "Authorization", part[2], n[2]);
    if (requests[k].content_type != NULL)
        at += (size_t)snprintf(req + at, 128, "Content-Type: %s\r\n", requests[k].content_type);
    at += (size_t)snprintf(req + at, 64, "Content-Length: %zu\r\n\r\n", n[3]);
    memcpy(req + at, part[3], n[3]);
    *len = at + n[3];
    return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len;
    char *req;
    int status;

    if (size == 0 || size > INPUT_MAX)
        return 0;
    req = request(data, size, &len);
    status = clv_fuzz_http(req, len);
    if (status < 200 || status >= 500) {
        fprintf(stderr, "fuzz_request: status %d for:\n%.*s\n", status, (int)len, req);
        abort();
    }
    free(req);
    return 0;
}
