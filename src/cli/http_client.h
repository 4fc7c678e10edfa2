/* http_client — the HTTP client of the admin command line (libcurl). Only src/cli uses it:
 * the server never makes requests through it. */
#ifndef CLV_CLI_HTTP_CLIENT_H
#define CLV_CLI_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* One connection cache for the process (an opaque libcurl handle). */
typedef struct clv_http clv_http;

/* A response. body is NUL-terminated (length body_len; "" when there is none);
 * content_type and etag are NULL when the server sent none. All owned by the response:
 * release with clv_http_resp_cleanup. */
typedef struct {
    long status;
    char *body;
    size_t body_len;
    char *content_type;
    char *etag;
} clv_http_resp;

/* Responses larger than this are refused (a growing buffer always has a maximum). */
enum { CLV_HTTP_MAX_BODY = 16 * 1024 * 1024 };

/* Initialises libcurl and a handle; NULL when out of memory or libcurl fails.
 * clv_http_free(NULL) is a no-op. */
clv_http *clv_http_new(void);
void clv_http_free(clv_http *h);

/* Sends method url with the given header lines ("Name: value", NULL-terminated; may be
 * NULL) and body (NULL for none). On a completed exchange (any status) fills *out and
 * returns true; on a transport failure (cannot connect, timeout, oversized body) writes
 * a reason into errbuf and returns false, *out left empty. */
bool clv_http_send(clv_http *h, const char *method, const char *url, const char *const *headers,
                   const char *body, clv_http_resp *out, char *errbuf, size_t errcap);

/* Frees what a response owns and zeroes it; safe on a zeroed response. */
void clv_http_resp_cleanup(clv_http_resp *r);

#endif
