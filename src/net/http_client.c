/* http_client — requests with libcurl (see http_client.h). */
#include "net/http_client.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { BODY_INITIAL = 4096 };

struct clv_net_client {
    CURL *curl;
};

typedef struct {
    clv_net_resp *resp;
    size_t cap, max;
} sink;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;

/* curl_global_init is not safe to race: once per process, never undone. */
static void init(void)
{
    init_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

clv_net_client *clv_net_client_new(void)
{
    clv_net_client *h;

    pthread_once(&init_once, init);
    if (!init_ok || (h = calloc(1, sizeof *h)) == NULL)
        return NULL;
    if ((h->curl = curl_easy_init()) == NULL) {
        free(h);
        return NULL;
    }
    return h;
}

void clv_net_client_free(clv_net_client *h)
{
    if (h == NULL)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

void clv_net_resp_cleanup(clv_net_resp *r)
{
    if (r->body != NULL) /* a response may hold a secret or a token */
        explicit_bzero(r->body, r->body_len);
    free(r->body);
    free(r->content_type);
    free(r->etag);
    free(r->cache_control);
    memset(r, 0, sizeof *r);
}

/* Makes room for want bytes, doubling; the old buffer is wiped, not left behind. */
static bool grow(sink *s, size_t want)
{
    clv_net_resp *r = s->resp;
    size_t cap = s->cap != 0 ? s->cap : BODY_INITIAL;
    char *p;

    while (cap < want)
        cap *= 2;
    if ((p = malloc(cap)) == NULL)
        return false;
    if (r->body != NULL) {
        memcpy(p, r->body, r->body_len);
        explicit_bzero(r->body, r->body_len);
    }
    free(r->body);
    r->body = p;
    s->cap = cap;
    return true;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    clv_net_resp *r = s->resp;
    size_t len = size * n;

    if (r->body_len + len > s->max) {
        r->too_big = true;
        return 0; /* aborts the transfer */
    }
    if (r->body_len + len + 1 > s->cap && !grow(s, r->body_len + len + 1))
        return 0;
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

/* Copies the value of a header line "Name: value\r\n" into *dst when the name matches. */
static void take_header(const char *line, size_t len, const char *name, char **dst)
{
    size_t nl = strlen(name);
    char *v;

    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    line += nl + 1;
    len -= nl + 1;
    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
        len--;
    if ((v = strndup(line, len)) == NULL)
        return;
    free(*dst);
    *dst = v;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t len = size * n;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new status line: start over */
        free(s->resp->content_type);
        free(s->resp->etag);
        free(s->resp->cache_control);
        s->resp->content_type = s->resp->etag = s->resp->cache_control = NULL;
    }
    take_header(data, len, "Content-Type", &s->resp->content_type);
    take_header(data, len, "ETag", &s->resp->etag);
    take_header(data, len, "Cache-Control", &s->resp->cache_control);
    return len;
}

static struct curl_slist *header_list(const char *const *headers)
{
    struct curl_slist *list = NULL, *next;

    /* No "Expect: 100-continue" round trip: bodies are small. */
    if ((list = curl_slist_append(NULL, "Expect:")) == NULL)
        return NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        if ((next = curl_slist_append(list, headers[i])) == NULL) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

static bool set_body(CURL *c, const clv_net_req *req)
{
    const char *body = req->body;

    if (body == NULL && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "DELETE") == 0))
        return true;
    if (body == NULL)
        body = "";
    return curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body)) == CURLE_OK;
}

/* libcurl asks before it opens a socket: the one place that sees the address actually
 * connected to, whatever the name resolved to (so a name that resolves to another address
 * on a second lookup gains nothing). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    const clv_net_req *req = arg;

    if (purpose != CURLSOCKTYPE_IPCXN ||
        !req->allow_peer(req->allow_ctx, &a->addr, (socklen_t)a->addrlen))
        return CURL_SOCKET_BAD;
    return socket(a->family, a->socktype, a->protocol);
}

/* The extra CA file, added to the store libcurl built from the system's CAs. */
static CURLcode add_cas(CURL *c, void *ssl_ctx, void *arg)
{
    const clv_net_req *req = arg;
    X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);

    (void)c;
    return store != NULL && X509_STORE_load_file(store, req->ca_file) == 1 ? CURLE_OK
                                                                         : CURLE_SSL_CACERT_BADFILE;
}

/* What a request may add to the defaults: a socket check, extra CAs, no proxy. */
static bool set_guards(CURL *c, const clv_net_req *req)
{
    return (req->allow_peer == NULL ||
            (curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, (void *)req) == CURLE_OK)) &&
           (req->ca_file == NULL ||
            (curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_cas) == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)req) == CURLE_OK)) &&
           (!req->no_proxy || curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK);
}

static bool set_limits(CURL *c, const clv_net_req *req)
{
    return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                            req->protocols != NULL ? req->protocols : "http,https") == CURLE_OK &&
           set_guards(c, req) &&
           curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
           /* a Content-Length over the cap fails before any of the body is read */
           curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body) == CURLE_OK;
}

static bool set_options(CURL *c, const clv_net_req *req, struct curl_slist *hdrs, sink *s,
                        char *curl_err)
{
    curl_easy_reset(c);
    return curl_easy_setopt(c, CURLOPT_URL, req->url) == CURLE_OK &&
           (strcmp(req->method, "GET") == 0 ||
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK) &&
           curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK && set_limits(c, req) &&
           (req->user_agent == NULL ||
            curl_easy_setopt(c, CURLOPT_USERAGENT, req->user_agent) == CURLE_OK) &&
           curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_WRITEDATA, s) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_HEADERDATA, s) == CURLE_OK &&
           curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err) == CURLE_OK && set_body(c, req);
}

/* The exchange itself, once the handle is set up. */
static clv_code perform(CURL *c, const clv_net_req *req, clv_net_resp *out, const char *curl_err,
                        clv_err *err)
{
    CURLcode cc = curl_easy_perform(c);

    if (out->too_big)
        return clv_fail(err, CLV_INVALID, "the response is larger than %zu bytes", req->max_body);
    if (cc != CURLE_OK)
        return clv_fail(err, CLV_INVALID, "%s",
                        req->name_peer && curl_err[0] != '\0' ? curl_err : curl_easy_strerror(cc));
    if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status) != CURLE_OK)
        return clv_fail(err, CLV_INTERNAL, "no status for an HTTP answer");
    if (out->body == NULL && (out->body = calloc(1, 1)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    return CLV_OK;
}

clv_code clv_net_send(clv_net_client *h, const clv_net_req *req, clv_net_resp *out, clv_err *err)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = header_list(req->headers);
    sink s = {out, 0, req->max_body};
    clv_code rc;

    memset(out, 0, sizeof *out);
    if (hdrs == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    if (!set_options(h->curl, req, hdrs, &s, curl_err))
        rc = clv_fail(err, CLV_INTERNAL, "cannot configure an HTTP request");
    else
        rc = perform(h->curl, req, out, curl_err, err);
    curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    if (rc != CLV_OK) {
        bool too_big = out->too_big;
        clv_net_resp_cleanup(out);
        out->too_big = too_big;
    }
    return rc;
}
