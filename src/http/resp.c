/* resp — building responses: JSON, problem+json, RFC 6749 errors (HTML pages: pages.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "base/log.h"
#include "http/http.h"
#include "net/fetch.h"

bool clv_resp_header(clv_resp *resp, const char *name, const char *value)
{
    char *v;

    if (resp->header_count >= CLV_RESP_HEADERS || (v = strdup(value)) == NULL)
        return false;
    resp->header_names[resp->header_count] = name;
    resp->header_values[resp->header_count++] = v;
    return true;
}

static void set_body(clv_resp *resp, int status, const char *ctype, char *body)
{
    free(resp->body);
    resp->status = status;
    resp->content_type = ctype;
    resp->body = body;
    resp->body_len = body != NULL ? strlen(body) : 0;
}

void clv_resp_json_text(clv_resp *resp, int status, char *text)
{
    if (text == NULL)
        set_body(resp, 500, "application/json", strdup("{\"error\":\"server_error\"}"));
    else
        set_body(resp, status, "application/json", text);
}

void clv_resp_json(clv_resp *resp, int status, json_t *json)
{
    char *text = json != NULL ? clv_json_text(json, NULL) : NULL;

    json_decref(json);
    clv_resp_json_text(resp, status, text);
}

void clv_resp_empty(clv_resp *resp, int status)
{
    set_body(resp, status, NULL, NULL);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

void clv_resp_retry_after(clv_resp *resp, const clv_err *err)
{
    char secs[16];

    if (err->code != CLV_THROTTLED && err->code != CLV_UNAVAILABLE)
        return;
    snprintf(secs, sizeof secs, "%d", err->retry_after > 0 ? err->retry_after : 1);
    clv_resp_header(resp, "Retry-After", secs); /* RFC 6585 §4, RFC 9110 §10.2.3 */
}

/* A server-side failure is logged with its detail (which never holds a secret: details
 * name fields and causes, not values) and shown to the caller only as "internal error". */
static void log_failure(int status, const clv_err *err)
{
    if (status >= 500)
        clv_log("error", "%s: %s", clv_code_name(err->code), err->detail);
}

const char *clv_resp_public_detail(const clv_err *err)
{
    if (err->code == CLV_UNAVAILABLE && strstr(err->detail, clv_fetch_busy) != NULL)
        return clv_fetch_busy; /* docs/DESIGN.md D15: no fetch slot free */
    return err->code == CLV_UNAVAILABLE ? "the database is unavailable; try again shortly"
                                        : "internal error";
}

void clv_resp_problem(clv_resp *resp, const clv_err *err)
{
    int status = clv_code_status(err->code);
    /* Never show a storage or crypto detail to a caller: it is logged instead. */
    bool hide = status >= 500;
    char detail[CLV_ERR_TEXT_MAX];
    json_t *p;
    char *text;

    log_failure(status, err);
    clv_err_text(err, detail, sizeof detail); /* names the field (docs/API.md) */
    p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", status_title(status),
                  "status", status, "detail", hide ? clv_resp_public_detail(err) : detail);

    if (p != NULL && err->field[0] != '\0')
        json_object_set_new(p, "errors",
                            json_pack("[{s:s, s:s}]", "field", err->field, "message",
                                      hide ? "internal error" : err->detail));
    text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    set_body(resp, status, "application/problem+json", text);
    /* RFC 6750 §3: no error code when no token came; else say what was wrong with it. */
    if (status == 401)
        clv_resp_header(resp, "WWW-Authenticate",
                        err->code == CLV_UNAUTHENTICATED && strcmp(err->detail, CLV_NO_TOKEN) == 0
                            ? "Bearer realm=\"clavis\""
                            : "Bearer realm=\"clavis\", error=\"invalid_token\"");
    else if (status == 403)
        clv_resp_header(resp, "WWW-Authenticate",
                        "Bearer realm=\"clavis\", error=\"insufficient_scope\"");
    clv_resp_retry_after(resp, err);
}

void clv_resp_oauth_error(clv_resp *resp, const clv_err *err)
{
    int status = clv_code_status(err->code);
    const char *detail = status >= 500 ? clv_resp_public_detail(err) : err->detail;
    json_t *e =
        json_pack("{s:s, s:s}", "error", clv_code_oauth(err->code), "error_description", detail);

    log_failure(status, err);

    clv_resp_json(resp, status, e);
    clv_resp_header(resp, "Cache-Control", "no-store");
    clv_resp_header(resp, "Pragma", "no-cache");
    if (err->code == CLV_INVALID_CLIENT)
        clv_resp_header(resp, "WWW-Authenticate", "Basic realm=\"clavis\"");
    clv_resp_retry_after(resp, err);
}

void clv_resp_cleanup(clv_resp *resp)
{
    free(resp->body);
    for (int i = 0; i < resp->header_count; i++)
        free(resp->header_values[i]);
    memset(resp, 0, sizeof *resp);
}
