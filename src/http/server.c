/* server — libmicrohttpd glue: reads each request (body capped at 64 KiB), hands it to
 * the router, and sends the clv_resp back (see server.h). */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "core/metrics.h"
#include "http/browser.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/router.h"

struct clv_server {
    struct MHD_Daemon *daemon;
    clv_app *app;
    const char *prefix; /* the issuer's path, "" when it has none (borrowed from cfg) */
    size_t prefix_len;
    bool metrics_only;          /* the --metrics-listen server: GET /metrics and nothing else */
    struct clv_server *metrics; /* the main server's --metrics-listen server, or NULL */
};

struct clv_req {
    struct MHD_Connection *conn;
    clv_app *app;
    const char *method;
    char *url;        /* the path as sent, still percent-encoded, without the query */
    const char *path; /* url without the issuer's path, if it starts with it */
    bool started;
    char *body;
    size_t len, cap;
    bool too_large;
    const char *params[CLV_ROUTE_PARAMS];
    int64_t start_us;
    unsigned endpoint;                /* of the route matched (router.h), for /metrics */
    char rid[CLV_REQUEST_ID_MAX + 1]; /* the request id (clv_request_id) */
    char addr[CLV_ADDR_MAX]; /* the caller's address (clv_req_addr) */
    char segs[CLV_PATH_MAX]; /* the router's copy of the path, split into segments */
};

char *clv_req_path_buf(clv_req *r)
{
    return r->segs;
}

void clv_req_set_endpoint(clv_req *r, unsigned endpoint)
{
    r->endpoint = endpoint;
}
const char *clv_req_method(const clv_req *r) { return r->method; }
const char *clv_req_addr(const clv_req *r) { return r->addr; }
const char *clv_req_path(const clv_req *r) { return r->path; }
clv_app *clv_req_app(const clv_req *r) { return r->app; }

const char *clv_req_header(const clv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *clv_req_query(const clv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *clv_req_body(const clv_req *r, size_t *len)
{
    *len = r->len;
    return r->body != NULL ? r->body : "";
}

const char *clv_req_param(const clv_req *r, int i)
{
    return (i >= 0 && i < CLV_ROUTE_PARAMS) ? r->params[i] : NULL;
}

void clv_req_set_param(clv_req *r, int i, const char *seg)
{
    if (i >= 0 && i < CLV_ROUTE_PARAMS)
        r->params[i] = seg;
}

static enum MHD_Result query_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    bool *ok = cls;

    (void)kind;
    if (!clv_utf8_valid(key, key_size) ||
        (value != NULL && !clv_utf8_valid(value, value_size))) {
        *ok = false;
        return MHD_NO;
    }
    return MHD_YES;
}

clv_code clv_req_check_query(const clv_req *r, clv_err *err)
{
    bool ok = true;

    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_utf8, &ok);
    if (!ok)
        return clv_fail(err, CLV_INVALID, "the query string is not valid UTF-8");
    return CLV_OK;
}

typedef struct {
    clv_form *form;
    char *repeated;
    bool ok;
} query_ctx;

/* Adds one decoded parameter; false when full or out of memory. */
static bool query_add(clv_form *form, const char *key, size_t key_size, const char *value,
                      size_t value_size)
{
    char *name, *val;

    if (form->count == CLV_FORM_MAX)
        return false;
    name = strndup(key, key_size);
    val = value != NULL ? strndup(value, value_size) : strdup("");
    if (name == NULL || val == NULL) {
        free(name);
        free(val);
        return false;
    }
    form->names[form->count] = name;
    form->values[form->count++] = val;
    return true;
}

static enum MHD_Result query_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    query_ctx *q = cls;

    (void)kind;
    if (clv_utf8_valid(key, key_size) && (value == NULL || clv_utf8_valid(value, value_size))) {
        if (clv_form_get(q->form, key) == NULL)
            q->ok = query_add(q->form, key, key_size, value, value_size);
        else if (q->repeated[0] == '\0')
            snprintf(q->repeated, CLV_ERR_FIELD_MAX, "%s", key);
    } else {
        q->ok = false;
    }
    return q->ok ? MHD_YES : MHD_NO;
}

clv_code clv_req_query_form(const clv_req *r, clv_form *form, char repeated[CLV_ERR_FIELD_MAX],
                            clv_err *err)
{
    query_ctx q = {form, repeated, true};

    memset(form, 0, sizeof *form);
    repeated[0] = '\0';
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_collect, &q);
    if (!q.ok)
        return clv_fail(err, CLV_INVALID, "the query string is malformed, too long or not UTF-8");
    return CLV_OK;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, clv_resp *resp, const char *rid)
{
    struct MHD_Response *m;
    enum MHD_Result ret;

    m = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
    if (m == NULL)
        return MHD_NO;
    resp->body = NULL; /* MHD owns it now */
    if (resp->content_type != NULL)
        MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (int i = 0; i < resp->header_count; i++)
        MHD_add_response_header(m, resp->header_names[i], resp->header_values[i]);
    MHD_add_response_header(m, "X-Request-Id", rid); /* on every answer: docs/OPERATIONS.md */
    ret = MHD_queue_response(conn, (unsigned)resp->status, m);
    MHD_destroy_response(m);
    return ret;
}

static bool append_body(clv_req *r, const char *data, size_t n)
{
    size_t need = r->len + n + 1;

    if (r->too_large || need > CLV_BODY_MAX + 1) {
        r->too_large = true; /* keep reading (and dropping) so we can answer 413 */
        return true;
    }
    if (need > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        char *b;
        while (cap < need)
            cap *= 2;
        if ((b = realloc(r->body, cap)) == NULL)
            return false;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return true;
}

/* The path the router matches for url. Every endpoint lives under the issuer's path
 * (docs/OPERATIONS.md, "The issuer"); a path without it is taken as it is, for a proxy
 * that strips the prefix. */
static const char *route_path(const clv_server *srv, const char *url)
{
    static const char as_meta[] = "/.well-known/oauth-authorization-server";
    size_t n = sizeof as_meta - 1;

    if (srv->prefix_len == 0)
        return url;
    if (strncmp(url, srv->prefix, srv->prefix_len) == 0 && url[srv->prefix_len] == '/')
        return url + srv->prefix_len;
    /* RFC 8414 §3: the metadata of an issuer with a path is at the well-known path
     * followed by the issuer's path. */
    if (strncmp(url, as_meta, n) == 0 && strcmp(url + n, srv->prefix) == 0)
        return as_meta;
    return url;
}

/* MHD's URI log callback sees the request target before MHD decodes it; the router needs
 * it so that an encoded '/' (%2F) inside an id cannot reach another route. Its return
 * value becomes the request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    const clv_server *srv = cls;
    clv_req *r = malloc(sizeof *r);

    if (r == NULL)
        return NULL;
    /* all but the router's path buffer, which the router fills (2 KiB a request) */
    memset(r, 0, offsetof(clv_req, segs));
    r->segs[0] = '\0';
    r->conn = conn;
    r->url = strndup(uri, strcspn(uri, "?"));
    r->start_us = clv_now_us();
    if (r->url == NULL) {
        free(r);
        return NULL;
    }
    r->path = route_path(srv, r->url);
    return r;
}

/* The connection's peer address as text ("" if MHD cannot tell). */
static void peer_addr(struct MHD_Connection *conn, char out[CLV_ADDR_MAX])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    out[0] = '\0';
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, CLV_ADDR_MAX);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, CLV_ADDR_MAX);
}

/* The first call of the access handler for a request. */
static void req_start(clv_server *srv, clv_req *r, const char *method)
{
    const char *cl;
    char peer[CLV_ADDR_MAX];

    peer_addr(r->conn, peer);
    clv_forwarded_addr(srv->app->cfg, peer,
                       MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For"),
                       r->addr);
    r->started = true;
    r->app = srv->app;
    r->method = method;
    r->endpoint = (unsigned)clv_router_endpoint_count() - 1; /* "other" until a route matches */
    clv_request_id(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id"), r->rid);
    cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > CLV_BODY_MAX)
        r->too_large = true;
}

/* The --metrics-listen server answers GET /metrics (under the issuer's path or not) and
 * nothing else. */
static void metrics_only(clv_req *r, clv_resp *resp)
{
    clv_err err;

    if (strcmp(r->path, "/metrics") == 0 && strcmp(r->method, "GET") == 0) {
        clv_req_set_endpoint(r, (unsigned)clv_router_endpoint_of("/metrics"));
        clv_h_metrics_serve(r, resp);
        return;
    }
    clv_err_init(&err);
    clv_fail(&err, CLV_NOT_FOUND, "no such endpoint (this address serves GET /metrics only)");
    clv_resp_oauth_error(resp, &err);
}

/* After the answer: counted for /metrics, and logged when asked to (--log-requests). */
static void finish(const clv_server *srv, const clv_req *r, int status)
{
    int64_t us = clv_now_us() - r->start_us;

    clv_metrics_request(r->endpoint, status, us);
    if (srv->app->cfg->log_requests)
        clv_log_request(r->method, r->url, status, us);
    else
        clv_log_end();
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    clv_server *srv = cls;
    clv_req *r = *con_cls;
    clv_resp resp = {0};
    clv_err err;
    enum MHD_Result ret;

    (void)version;
    (void)url; /* decoded by MHD: the router works on r->url, the raw path */
    if (r == NULL)
        return MHD_NO; /* on_uri could not allocate */
    if (!r->started) {
        req_start(srv, r, method);
        if (!r->too_large)
            return MHD_YES; /* wait for the body */
    } else if (*upload_data_size > 0) {
        if (!append_body(r, upload_data, *upload_data_size))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    clv_log_begin(r->rid);
    if (r->too_large) {
        clv_err_init(&err);
        clv_fail(&err, CLV_TOO_LARGE, "the request body is larger than 64 KiB");
        if (strncmp(r->path, "/admin/", 7) == 0)
            clv_resp_problem(&resp, &err);
        else
            clv_resp_oauth_error(&resp, &err);
    } else if (srv->metrics_only) {
        metrics_only(r, &resp);
    } else {
        clv_router_dispatch(r, &resp);
    }
    clv_page_secure(&resp, srv->app);
    ret = send_resp(conn, &resp, r->rid);
    finish(srv, r, resp.status);
    clv_resp_cleanup(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    clv_req *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (r == NULL)
        return;
    free(r->url);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

/* Splits "HOST:PORT" / "[V6]:PORT" into a sockaddr ("localhost" is 127.0.0.1). */
static clv_code parse_listen(const char *listen, struct sockaddr_storage *ss, clv_err *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    size_t hlen;
    unsigned long port;
    char *end = NULL;

    memset(ss, 0, sizeof *ss);
    if (colon == NULL || (hlen = (size_t)(colon - listen)) == 0 || hlen >= sizeof host)
        goto bad;
    port = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || colon[1] == '\0' || port > 65535)
        goto bad;
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    if (host[0] == '[' && host[hlen - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        host[hlen - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            goto bad;
        return CLV_OK;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        goto bad;
    return CLV_OK;
bad:
    return clv_fail_field(err, CLV_INVALID, "listen",
                          "--listen must be HOST:PORT or [IPV6]:PORT, not '%s'", listen);
}

/* A listening socket for ss (the address `listen` names), bound here rather than by
 * libmicrohttpd so that an address in use is told apart from other failures.
 * SO_REUSEADDR lets a restart bind while old connections are in TIME_WAIT; SO_REUSEPORT,
 * only with reuse_port, lets a second server bind the same address while the first runs
 * (the kernel then splits connections between them), which is right only for a
 * zero-downtime restart (docs/OPERATIONS.md). */
static clv_code listen_socket(const struct sockaddr_storage *ss, const char *listen_at,
                              bool reuse_port, int *out, clv_err *err)
{
    int fd, one = 1, e;
    socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);

    fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return clv_fail(err, CLV_INTERNAL, "cannot listen on %s: %s", listen_at, strerror(errno));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        (ss->ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return clv_fail(err, CLV_CONFLICT,
                            "cannot listen on %s: the address is in use (another server?); "
                            "--reuse-port on every server shares it on purpose",
                            listen_at);
        return clv_fail(err, CLV_INTERNAL, "cannot listen on %s: %s", listen_at, strerror(e));
    }
    *out = fd;
    return CLV_OK;
}

/* A server for app on listen_at with `threads` workers (metrics_only: the --metrics-listen
 * one). */
static clv_code start_one(clv_app *app, const char *listen_at, unsigned threads, bool metrics_only,
                          clv_server **out, clv_err *err)
{
    struct sockaddr_storage ss;
    clv_server *srv;
    clv_code rc;
    int fd = -1;
    /* TURBO: no per-response TCP_NODELAY/CORK toggling and no shutdown() before close —
     * syscalls that cost more than the rest of a small answer. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO;

    if ((rc = parse_listen(listen_at, &ss, err)) != CLV_OK && metrics_only)
        return clv_fail_field(err, rc, "metrics_listen",
                              "--metrics-listen must be HOST:PORT or [IPV6]:PORT, not '%s'",
                              listen_at);
    if (rc != CLV_OK ||
        (rc = listen_socket(&ss, listen_at, app->cfg->reuse_port, &fd, err)) != CLV_OK)
        return rc;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if ((srv = calloc(1, sizeof *srv)) == NULL) {
        close(fd);
        return clv_fail(err, CLV_NOMEM, "out of memory");
    }
    srv->app = app;
    srv->metrics_only = metrics_only;
    srv->prefix = clv_config_issuer_path(app->cfg->issuer);
    srv->prefix_len = strlen(srv->prefix);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        /* libmicrohttpd closes fd on most of its failure paths but not all: leave it (the
         * caller exits) rather than risk closing a descriptor twice. */
        free(srv);
        return clv_fail(err, CLV_INTERNAL, "cannot listen on %s", listen_at);
    }
    *out = srv; /* the daemon owns fd and closes it in MHD_stop_daemon */
    return CLV_OK;
}

clv_code clv_server_start(clv_app *app, clv_server **out, clv_err *err)
{
    const clv_config *cfg = app->cfg;
    clv_server *srv = NULL;
    clv_code rc;

    clv_router_init();
    rc = start_one(app, cfg->listen, (unsigned)(cfg->threads > 0 ? cfg->threads : 1), false, &srv,
                   err);
    if (rc == CLV_OK && cfg->metrics_listen != NULL &&
        (rc = start_one(app, cfg->metrics_listen, 1, true, &srv->metrics, err)) != CLV_OK) {
        clv_server_stop(srv);
        return rc;
    }
    if (rc == CLV_OK)
        *out = srv;
    return rc;
}

void clv_server_stop(clv_server *srv)
{
    if (srv == NULL)
        return;
    clv_server_stop(srv->metrics);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
