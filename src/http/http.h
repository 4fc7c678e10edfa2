/* http — the request and response of one HTTP exchange as the handlers see them, and the
 * helpers that turn clv_codes into responses. Only src/http includes microhttpd.h; the
 * handlers get what they need through these functions. */
#ifndef CLV_HTTP_HTTP_H
#define CLV_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "core/app.h"
#include "http/form.h"

/* The detail of the 401 for a request that carried no Bearer token at all. */
#define CLV_NO_TOKEN "a Bearer token is required"

enum { CLV_BODY_MAX = 64 * 1024, CLV_ROUTE_PARAMS = 3, CLV_RESP_HEADERS = 16, CLV_ADDR_MAX = 46 };
enum { CLV_REQUEST_ID_MAX = 128 };

typedef struct clv_req clv_req;

typedef struct {
    int status;
    const char *content_type; /* static string */
    char *body;               /* owned (malloc), may be NULL */
    size_t body_len;
    const char *header_names[CLV_RESP_HEADERS]; /* static strings */
    char *header_values[CLV_RESP_HEADERS];      /* owned */
    int header_count;
} clv_resp;

/* ---- the request (implemented in server.c) ---- */
const char *clv_req_method(const clv_req *r);
/* The path as the client sent it, after the issuer's path when it starts with it ("/token"
 * for "/auth/token" under issuer https://host/auth): still percent-encoded, without the
 * query. The router decodes it segment by segment. */
const char *clv_req_path(const clv_req *r);
/* A request header, borrowed; NULL if absent. */
const char *clv_req_header(const clv_req *r, const char *name);
/* A query parameter, borrowed; NULL if absent. */
const char *clv_req_query(const clv_req *r, const char *name);
/* The body (NUL-terminated for convenience, may contain NULs) and its length. */
const char *clv_req_body(const clv_req *r, size_t *len);
/* The i-th captured path segment of the matched route ({id}), borrowed. */
const char *clv_req_param(const clv_req *r, int i);
clv_app *clv_req_app(const clv_req *r);
/* The caller's source address as text (as inet_ntop writes it; "" if unknown), as
 * clv_forwarded_addr gives it for the connection. */
const char *clv_req_addr(const clv_req *r);

/* ---- responses (resp.c) ---- */
/* Adds a header (name static, value copied); false when full or out of memory. */
bool clv_resp_header(clv_resp *resp, const char *name, const char *value);
/* 'status' with body as compact JSON; json is stolen. */
void clv_resp_json(clv_resp *resp, int status, json_t *json);
/* The same with JSON text already written (taken: malloc'd); NULL (out of memory) is a
 * 500. */
void clv_resp_json_text(clv_resp *resp, int status, char *text);
/* Empty body. */
void clv_resp_empty(clv_resp *resp, int status);
/* RFC 9457 problem+json for an admin error: type, title, status, detail and, when the
 * error names a field, errors: [{field, message}] (docs/DESIGN.md R1). 401 adds
 * WWW-Authenticate: Bearer. */
void clv_resp_problem(clv_resp *resp, const clv_err *err);
/* RFC 6749 §5.2 JSON error for a protocol endpoint: {error, error_description}, with
 * Cache-Control: no-store; invalid_client over Basic adds WWW-Authenticate: Basic; a
 * throttled caller gets 429 temporarily_unavailable with Retry-After. */
void clv_resp_oauth_error(clv_resp *resp, const clv_err *err);
/* For CLV_THROTTLED: Retry-After with err->retry_after seconds (at least 1; RFC 6585 §4);
 * nothing for any other code. clv_resp_problem and clv_resp_oauth_error call it. */
void clv_resp_retry_after(clv_resp *resp, const clv_err *err);
/* What a caller sees of a server-side failure (5xx): that no outgoing fetch slot is free
 * (503, docs/DESIGN.md D15), that the database cannot be reached now (503,
 * docs/OPERATIONS.md "PostgreSQL"), or "internal error". */
const char *clv_resp_public_detail(const clv_err *err);
/* Frees everything owned by resp. */
void clv_resp_cleanup(clv_resp *resp);

/* ---- request helpers (req.c) ---- */
/* Parses the body as a JSON object: checks Content-Type application/json (else
 * CLV_UNSUPPORTED_MEDIA), size, JSON syntax with duplicate keys refused, and that it is
 * an object (CLV_INVALID otherwise). *out is a new reference on CLV_OK. An empty body is
 * refused unless allow_empty, in which case *out is an empty object. */
clv_code clv_req_json_body(const clv_req *r, bool allow_empty, json_t **out, clv_err *err);
/* Collects every query parameter into form (caller's storage; clv_form_cleanup after, on
 * any code), decoded; a parameter without '=' has the value "". A name given more than
 * once is kept once (its first value) and the first such name is copied into repeated
 * (else repeated is ""): the caller decides what a repeat means (RFC 6749 §3.1).
 * CLV_INVALID for invalid UTF-8 (docs/DESIGN.md R13) or more than CLV_FORM_MAX names. */
clv_code clv_req_query_form(const clv_req *r, clv_form *form, char repeated[CLV_ERR_FIELD_MAX],
                            clv_err *err);
/* Checks every query parameter is valid UTF-8 (docs/DESIGN.md R13). */
clv_code clv_req_check_query(const clv_req *r, clv_err *err);
/* Parses an integer query parameter in [min, max] (absent → def). */
clv_code clv_req_query_int(const clv_req *r, const char *name, int min, int max, int def, int *out,
                           clv_err *err);

/* The address a request comes from: peer (the connection's), or, when peer is a trusted
 * proxy (clv_config_is_proxy), the rightmost address of the X-Forwarded-For value xff
 * (NULL: none) that is not one — the one the nearest proxy appended, which the caller
 * cannot forge — written in canonical form. An entry that is not an IP address ends the
 * walk: then the peer. Into out (CLV_ADDR_MAX bytes). */
void clv_forwarded_addr(const clv_config *cfg, const char *peer, const char *xff,
                        char out[CLV_ADDR_MAX]);

/* The id of a request (docs/OPERATIONS.md "Logs"): the X-Request-Id it came with (given;
 * NULL: none) when that is 1 to CLV_REQUEST_ID_MAX characters of letters, digits and
 * "-_.:+/=", else a new one (24 hex digits, unique per process). Into out. */
void clv_request_id(const char *given, char out[CLV_REQUEST_ID_MAX + 1]);

/* true if s[0..n) is valid UTF-8 with no NUL bytes. */
bool clv_utf8_valid(const char *s, size_t n);

#endif
