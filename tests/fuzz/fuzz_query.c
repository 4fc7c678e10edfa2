/* libFuzzer target: query strings, as the server reads them. libmicrohttpd splits and
 * percent-decodes the query; Clavis then checks it (clv_req_check_query in the router,
 * SPEC §5.13 of docs/API.md: invalid UTF-8 is a 400), collects it into a form
 * (clv_req_query_form: /authorize, /logout) or reads single parameters (the admin lists'
 * limit, cursor, status, since, q, …). None of that can be called without a request, so
 * this target runs the real server (src/http/server.c) on a loopback port of the fuzz app
 * and sends it each input over one kept-alive connection.
 *
 * The first byte picks the endpoint (admin ones with a platform_admin token); the rest is
 * the query, sent as it is but for the bytes a request line cannot hold (controls, space,
 * DEL), which are percent-encoded. Every request must get an answer, and no answer may be
 * a 5xx: bad input is a 4xx. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzzutil.h"
#include "http/handlers.h"
#include "http/server.h"
#include "oauth/access.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* PAIRS_MAX: libmicrohttpd keeps each parameter in the connection's 32 KiB memory pool;
 * some 480 of them fill it, and it then closes the connection without an answer. That is
 * its limit, not Clavis's, so the target stays below it. */
enum { QUERY_MAX = 6000, PAIRS_MAX = 400, RESP_MAX = 256 * 1024, TOKEN_RENEW = 1800 };

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

static struct sockaddr_in addr;
static clv_client *admin;
static char *token;
static int64_t token_at;
static int fd = -1;
static char resp[RESP_MAX + 1];

static uint16_t free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        abort();
    close(s);
    return ntohs(a.sin_port);
}

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
    if (clv_access_mint(clv_fuzz_app(NULL), admin, &o, &token, &expires_in, &err) != CLV_OK) {
        fprintf(stderr, "fuzz_query: mint: %s\n", err.detail);
        abort();
    }
    token_at = clv_now();
    return token;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char listen[32];
    clv_server *srv = NULL;
    clv_err err;

    (void)argc;
    (void)argv;
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(free_port());
    snprintf(listen, sizeof listen, "127.0.0.1:%u", ntohs(addr.sin_port));
    clv_fuzz_app(listen);
    admin = clv_fuzz_client("fuzzQueryAdmin00000001",
                            "{\"name\":\"admin\",\"type\":\"m2m\","
                            "\"scopes\":[\"admin\"],\"roles\":[\"platform_admin\"]}");
    clv_client_free(clv_fuzz_client(
        "fuzzQueryPublic0000001",
        "{\"name\":\"spa\",\"type\":\"public\",\"redirect_uris\":[\"https://app.example/cb\"],"
        "\"post_logout_redirect_uris\":[\"https://app.example/bye\"],"
        "\"scopes\":[\"openid\",\"profile\",\"email\"]}"));
    admin_token();
    signal(SIGPIPE, SIG_IGN); /* as serve does (src/cli/server_cmds.c) */
    clv_err_init(&err);
    if (!clv_h_oauth_init(clv_fuzz_app(NULL)) ||
        clv_server_start(clv_fuzz_app(NULL), &srv, &err) != CLV_OK) {
        fprintf(stderr, "fuzz_query: %s\n", err.detail);
        abort();
    }
    return 0; /* the server runs until exit */
}

static bool connected(void)
{
    struct timeval tv = {.tv_sec = 10};

    if (fd >= 0)
        return true;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        abort();
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        fd = -1;
        return false;
    }
    return true;
}

static void disconnect(void)
{
    struct linger off = {1, 0}; /* reset: no TIME_WAIT piling up over a long run */

    setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    close(fd);
    fd = -1;
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

/* The value of header name (with its ':') in head, or NULL. */
static const char *header(const char *head, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, name, n) == 0)
            return p + 2 + n;
    return NULL;
}

/* Reads one response; its status, or 0 when the connection closed first. */
static int response(void)
{
    size_t got = 0, need = 0;
    const char *cl, *conn;
    char *end = NULL;
    ssize_t r;

    while (end == NULL || got < need) {
        if (got == RESP_MAX || (r = read(fd, resp + got, RESP_MAX - got)) == 0)
            return 0;
        if (r < 0)
            abort(); /* no answer within 10 s: the server hangs */
        got += (size_t)r;
        resp[got] = '\0';
        if (end == NULL && (end = strstr(resp, "\r\n\r\n")) != NULL) {
            end[2] = '\0'; /* the head, each line ending in CRLF */
            cl = header(resp, "Content-Length:");
            need = (size_t)(end + 4 - resp) + (cl != NULL ? strtoul(cl, NULL, 10) : 0);
        }
    }
    conn = header(resp, "Connection:");
    if (conn != NULL && strncasecmp(conn + strspn(conn, " "), "close", 5) == 0)
        disconnect();
    return strncmp(resp, "HTTP/1.1 ", 9) == 0 ? (int)strtol(resp + 9, NULL, 10) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *req;
    int status = 0, pairs = 0;

    for (size_t i = 1; i < size; i++)
        pairs += data[i] == '&';
    if (size == 0 || size > QUERY_MAX || pairs > PAIRS_MAX)
        return 0;
    req = request(data, size);
    for (int tries = 0; tries < 2 && status == 0; tries++) {
        if (!connected())
            abort();
        if (send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req))
            status = response();
        if (status == 0 && fd >= 0)
            disconnect(); /* closed under us (an idle timeout, say): once more, afresh */
    }
    if (status < 200 || status >= 500) {
        fprintf(stderr, "fuzz_query: status %d for:\n%s\n", status, req);
        abort();
    }
    free(req);
    return 0;
}
