/* fuzzutil — the shared fuzz app (see fuzzutil.h). */
#define _XOPEN_SOURCE 700
#include "fuzzutil.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/config.h"
#include "core/client_json.h"
#include "core/client_write.h"
#include "core/ids.h"
#include "core/secret.h"
#include "http/handlers.h"
#include "http/server.h"

enum { RESP_MAX = 256 * 1024 };

static char dir[64];
static clv_config cfg;
static clv_app *app;
static char service_id[CLV_ID_LEN];
static struct sockaddr_in server_addr;
static int fd = -1; /* the kept-alive connection to the server */
static char resp[RESP_MAX + 1];

static void die(const char *what, const clv_err *err)
{
    fprintf(stderr, "fuzzutil: %s: %s\n", what, err != NULL ? err->detail : "failed");
    abort();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    clv_app_free(app);
    app = NULL;
    clv_config_cleanup(&cfg);
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A loopback port nothing listens on now (the server binds it soon after). */
static uint16_t free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);

    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        die("free port", NULL);
    close(s);
    return ntohs(a.sin_port);
}

static void make_service(void)
{
    char tenant_id[CLV_ID_LEN];
    clv_tenant t = {
        .id = tenant_id, .name = "fuzz", .status = CLV_STATUS_ACTIVE, .created_at = clv_now()};
    clv_service s = {0};
    clv_err err;

    clv_err_init(&err);
    if (!clv_id_new("ten", tenant_id) || !clv_id_new("svc", service_id))
        die("ids", NULL);
    s.id = service_id;
    s.tenant_id = tenant_id;
    s.name = "fuzz";
    s.status = CLV_STATUS_ACTIVE;
    s.approval = CLV_APPROVAL_LIVE;
    s.created_at = s.updated_at = clv_now();
    s.version = 1;
    if (clv_store_tenant_insert(app->store, &t, &err) != CLV_OK ||
        clv_store_service_insert(app->store, &s, &err) != CLV_OK)
        die("tenant and service", &err);
}

clv_app *clv_fuzz_app(void)
{
    char db[128], where[32];
    clv_err err;

    if (app != NULL)
        return app;
    clv_err_init(&err);
    snprintf(dir, sizeof dir, "%s/clv_fuzz_XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(db, sizeof db, "%s/fuzz.db", dir);
    server_addr.sin_family = AF_INET;
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    server_addr.sin_port = htons(free_port());
    snprintf(where, sizeof where, "127.0.0.1:%u", ntohs(server_addr.sin_port));
    if (clv_config_init(&cfg, false, &err) != CLV_OK || !clv_config_set_str(&cfg.db, db) ||
        !clv_config_set_str(&cfg.issuer, CLV_FUZZ_ISSUER) ||
        !clv_config_set_str(&cfg.listen, where))
        die("config", &err);
    cfg.threads = 1;
    cfg.log_requests = false;
    if (clv_app_open(&cfg, &app, &err) != CLV_OK)
        die("clv_app_open", &err);
    atexit(teardown);
    make_service();
    return app;
}

const char *clv_fuzz_service_id(void)
{
    clv_fuzz_app();
    return service_id;
}

clv_client *clv_fuzz_client(const char *client_id, const char *json)
{
    json_t *body = json_loads(json, JSON_REJECT_DUPLICATES, NULL), *secret = NULL;
    clv_service *svc = NULL;
    clv_client *c = NULL;
    clv_err err;

    clv_err_init(&err);
    clv_fuzz_app();
    if (body == NULL || json_object_set_new(body, "service_id", json_string(service_id)) != 0)
        die("client JSON", NULL);
    if (clv_store_service_get(app->store, service_id, &svc, &err) != CLV_OK ||
        clv_client_from_json(body, app->cfg, &c, &err) != CLV_OK ||
        clv_client_place(c, svc, &err) != CLV_OK)
        die("client", &err);
    free(c->client_id);
    if ((c->client_id = strdup(client_id)) == NULL ||
        clv_client_insert(app, NULL, c, 0, &secret, &err) != CLV_OK)
        die("client insert", &err);
    json_decref(secret);
    json_decref(body);
    clv_service_free(svc);
    return c;
}

void clv_fuzz_secret(const char *client_id, const char *plaintext)
{
    char id[CLV_ID_LEN];
    clv_secret sec = {id, (char *)client_id, NULL, {0}, clv_now(), 0, 0};
    clv_err err;

    clv_err_init(&err);
    if (!clv_id_new("sec", id) || !clv_secret_hash(clv_fuzz_app(), plaintext, sec.hash) ||
        clv_store_secret_insert(app->store, &sec, &err) != CLV_OK)
        die("secret", &err);
}

char *clv_fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* ---- the server and a client of it ---- */

void clv_fuzz_server(void)
{
    static clv_server *srv;
    clv_err err;

    if (srv != NULL)
        return;
    clv_fuzz_app();
    signal(SIGPIPE, SIG_IGN); /* as serve does (src/cli/server_cmds.c) */
    clv_err_init(&err);
    if (!clv_h_oauth_init(app) || clv_server_start(app, &srv, &err) != CLV_OK)
        die("server", &err);
    /* it runs until exit: stopping it in teardown would race the store's closing */
}

static bool connected(void)
{
    struct timeval tv = {.tv_sec = 10};

    if (fd >= 0)
        return true;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        die("socket", NULL);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) != 0) {
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
            die("no answer within 10 s: the server hangs", NULL);
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

int clv_fuzz_http(const char *req, size_t len)
{
    int status = 0;

    clv_fuzz_server();
    for (int tries = 0; tries < 2 && status == 0; tries++) {
        if (!connected())
            die("connect", NULL);
        if (send(fd, req, len, MSG_NOSIGNAL) == (ssize_t)len)
            status = response();
        if (status == 0 && fd >= 0)
            disconnect(); /* closed under us (an idle timeout, say): once more, afresh */
    }
    return status;
}
