/* http_client — the one outgoing HTTP client of Clavis (libcurl). The server's GET of a
 * client's documents (net/fetch.h) and the admin command line (cli/cli_http.h) both send
 * through it, each with its own limits. Whoever asks: http and https only, redirects never
 * followed (a credential or a request is never resent elsewhere, and a hostile URL cannot
 * bounce the server to another host), the response body capped as it arrives, a timeout
 * on the whole exchange. */
#ifndef CLV_NET_HTTP_CLIENT_H
#define CLV_NET_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "base/err.h"

/* A libcurl handle, whose connection cache successive requests share. One thread at a
 * time. */
typedef struct clv_net_client clv_net_client;

/* A request; every pointer is borrowed for the call. */
typedef struct {
    const char *method;         /* "GET", "POST", "PATCH", "DELETE"… */
    const char *url;            /* http:// or https:// */
    const char *const *headers; /* "Name: value" lines, NULL-terminated; NULL: none */
    const char *body;           /* NUL-terminated; NULL: none (then a method other than
                                 * GET and DELETE sends an empty one, Content-Length: 0) */
    size_t max_body;            /* the most response body bytes taken; more is a failure */
    long connect_timeout;       /* seconds to connect */
    long timeout;               /* seconds for the whole exchange */
    const char *user_agent;     /* NULL: none */
    bool name_peer;             /* a failure's text may name the host and port it was for
                                 * (libcurl's own message); else only the kind of failure,
                                 * for a server that must not tell a caller about its
                                 * network */
    const char *protocols;      /* libcurl's CURLOPT_PROTOCOLS_STR; NULL: "http,https" */
    const char *ca_file;        /* PEM certificates trusted on top of the system's; NULL:
                                 * the system's alone */
    bool no_proxy;              /* never through a proxy the environment names */
    /* NULL, or asked before every connection with the address it would go to (after
     * name resolution, so what it allows is what is connected to: docs/SECURITY.md
     * "Outgoing fetches"); false refuses that connection. */
    bool (*allow_peer)(void *ctx, const struct sockaddr *sa, socklen_t len);
    void *allow_ctx;
} clv_net_req;

/* A response, all owned by it: release with clv_net_resp_cleanup. body is NUL-terminated
 * (body_len bytes; "" when there is none); content_type and etag are the final answer's
 * (NULL when it has none). */
typedef struct {
    long status;
    char *body;
    size_t body_len;
    char *content_type;
    char *etag;
    char *cache_control; /* the Cache-Control header's value */
    bool too_big; /* set on a failure: the body went over max_body */
} clv_net_resp;

/* NULL when out of memory or libcurl cannot start. clv_net_client_free(NULL) is a no-op. */
clv_net_client *clv_net_client_new(void);
void clv_net_client_free(clv_net_client *h);

/* Sends req. CLV_OK on a completed exchange, whatever its status: *out is filled. On a
 * transport failure (cannot connect, timeout, a scheme other than http(s), a body over
 * max_body) CLV_INVALID with the reason in err: "the response is larger than N bytes" and
 * out->too_big when the body grew past max_body, libcurl's reason when a Content-Length
 * announced more. CLV_NOMEM or CLV_INTERNAL when the request cannot be set up. On any
 * failure *out holds nothing but too_big. */
clv_code clv_net_send(clv_net_client *h, const clv_net_req *req, clv_net_resp *out, clv_err *err);

/* Wipes the body (it may hold a token or a secret), frees what r owns and zeroes it; safe
 * on a zeroed response. */
void clv_net_resp_cleanup(clv_net_resp *r);

#endif
