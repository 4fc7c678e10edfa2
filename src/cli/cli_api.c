/* cli_api — calls to the admin API from the command line: paths, the bearer token with
 * one retry after a 401, the server's reasons for a refusal, and lists followed page by
 * page (see admin_commands.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_text.h"
#include "cli/admin_commands.h"
#include "crypto/hash.h"

enum { MAX_PAGES = 10000 };

/* ---- paths ---- */

static void path_put(clv_cli_path *p, const char *s, size_t n)
{
    if (p->overflow || p->len + n >= sizeof p->buf) {
        p->overflow = true;
        return;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

void clv_cli_path_add(clv_cli_path *p, const char *literal)
{
    path_put(p, literal, strlen(literal));
}

/* RFC 3986 §2.3: unreserved characters stay, every other byte is percent-encoded, so an
 * id can never add a path segment or a query. */
void clv_cli_path_id(clv_cli_path *p, const char *id)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *s = (const unsigned char *)id; *s != '\0'; s++) {
        char esc[3] = {'%', hex[*s >> 4], hex[*s & 15]};
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '.' || *s == '_' || *s == '~')
            path_put(p, (const char *)s, 1);
        else
            path_put(p, esc, 3);
    }
}

void clv_cli_path_query(clv_cli_path *p, const char *key, const char *value)
{
    if (value == NULL)
        return;
    clv_cli_path_add(p, memchr(p->buf, '?', p->len) ? "&" : "?");
    clv_cli_path_add(p, key);
    clv_cli_path_add(p, "=");
    clv_cli_path_id(p, value);
}

/* ---- refusals ---- */

/* Prints s with control characters as '?': a server's text never drives the terminal. */
static void put_clean(FILE *f, const char *s, size_t max)
{
    for (size_t i = 0; s[i] != '\0' && i < max; i++)
        fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], f);
}

static void print_error(const json_t *e)
{
    const char *field = json_string_value(json_object_get(e, "field"));
    const char *msg = json_string_value(json_object_get(e, "message"));

    fputs("  ", stderr);
    put_clean(stderr, field ? field : "?", 200);
    fputs(": ", stderr);
    put_clean(stderr, msg ? msg : "", 1000);
    fputc('\n', stderr);
}

/* The reason of an answer without a field list: problem+json's detail (RFC 9457), else
 * RFC 6749 §5.2's error and description, else the body itself. */
static void print_reason(const json_t *j, const char *body)
{
    const char *detail = json_string_value(json_object_get(j, "detail"));
    const char *error = json_string_value(json_object_get(j, "error"));
    const char *desc = json_string_value(json_object_get(j, "error_description"));

    if (detail != NULL) {
        put_clean(stderr, detail, 1000);
    } else if (error != NULL) {
        put_clean(stderr, error, 100);
        if (desc != NULL) {
            fputs(": ", stderr);
            put_clean(stderr, desc, 1000);
        }
    } else {
        put_clean(stderr, body[0] ? body : "(no reason given)", 200);
    }
}

void clv_cli_print_refusal(const char *what, const clv_net_resp *r)
{
    json_t *j = json_loads(r->body, 0, NULL), *e;
    json_t *errors = json_object_get(j, "errors"), *first = json_array_get(errors, 0);
    const char *detail = json_string_value(json_object_get(j, "detail"));
    const char *field = json_string_value(json_object_get(first, "field"));
    /* The detail names the first error as "field: message" (docs/API.md): say it once. */
    bool named = detail != NULL && field != NULL && strncmp(detail, field, strlen(field)) == 0 &&
                 detail[strlen(field)] == ':';
    bool same =
        named || (detail != NULL && field != NULL &&
                  json_equal(json_object_get(first, "message"), json_object_get(j, "detail")));
    size_t i;

    fprintf(stderr, "clavis: %s%s%ld ", what ? what : "", what ? ": " : "", r->status);
    if (same && !named) { /* a server that does not name the field in detail */
        put_clean(stderr, field, 200);
        fputs(": ", stderr);
    }
    print_reason(j, r->body);
    fputc('\n', stderr);
    json_array_foreach(errors, i, e) {
        if (i > 0 || !same)
            print_error(e);
    }
    json_decref(j);
}

/* ---- calls ---- */

/* One request with the current token into *r; returns -1 when it completed (any status),
 * else an exit code. */
static int send_once(clv_cli_ctx *ctx, const char *method, const char *url, const char *body,
                     const char *if_match, clv_net_resp *r)
{
    char auth[4200], match[300], errbuf[256];
    const char *hdrs[5] = {auth, "Accept: application/json", NULL, NULL, NULL};
    int n = 2;
    bool ok;

    if (snprintf(auth, sizeof auth, "Authorization: Bearer %s", ctx->token) >= (int)sizeof auth) {
        fputs("clavis: the admin token is too long\n", stderr);
        return CLV_EXIT_REFUSED;
    }
    if (body != NULL)
        hdrs[n++] = "Content-Type: application/json";
    if (if_match != NULL) {
        snprintf(match, sizeof match, "If-Match: %s", if_match);
        hdrs[n++] = match;
    }
    ok = clv_cli_http_send(ctx->http, method, url, hdrs, body, r, errbuf, sizeof errbuf);
    clv_wipe(auth, sizeof auth);
    if (!ok) {
        fprintf(stderr, "clavis: cannot reach %s: %s\n", ctx->url, errbuf);
        return CLV_EXIT_REFUSED;
    }
    return -1;
}

/* Keeps the body and ETag of a successful response in ctx and parses the body. */
static int accept_response(clv_cli_ctx *ctx, clv_net_resp *r, json_t **out)
{
    json_error_t jerr;

    clv_free_secret(ctx->raw);
    free(ctx->etag);
    ctx->raw = r->body;
    ctx->etag = r->etag;
    r->body = r->etag = NULL;
    r->body_len = 0;
    if (ctx->raw[0] == '\0')
        return CLV_EXIT_OK;
    if ((*out = json_loads(ctx->raw, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
        fprintf(stderr, "clavis: the server's answer is not JSON: %s\n",
                clv_json_error_words(&jerr));
        return CLV_EXIT_REFUSED;
    }
    return CLV_EXIT_OK;
}

int clv_cli_api(clv_cli_ctx *ctx, const char *method, const clv_cli_path *path, const json_t *body,
                const char *if_match, json_t **out)
{
    char url[4200];
    char *text = NULL;
    clv_net_resp r = {0};
    int rc;

    *out = NULL;
    if ((rc = clv_cli_token(ctx, false)) >= 0)
        return rc;
    if (path->overflow ||
        snprintf(url, sizeof url, "%s%s", ctx->url, path->buf) >= (int)sizeof url) {
        fputs("clavis: the request's URL is too long\n", stderr);
        return CLV_EXIT_USAGE;
    }
    if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL)
        return CLV_EXIT_REFUSED;
    rc = send_once(ctx, method, url, text, if_match, &r);
    if (rc < 0 && r.status == 401 && !ctx->token_fresh) {
        /* The cached token expired early or was revoked: fetch a new one, once. */
        clv_net_resp_cleanup(&r);
        if ((rc = clv_cli_token(ctx, true)) < 0)
            rc = send_once(ctx, method, url, text, if_match, &r);
    }
    if (rc < 0 && r.status >= 200 && r.status < 300)
        rc = accept_response(ctx, &r, out);
    else if (rc < 0) {
        clv_cli_print_refusal(NULL, &r);
        rc = CLV_EXIT_REFUSED;
    }
    clv_net_resp_cleanup(&r);
    clv_free_secret(text);
    return rc;
}

/* Appends the items of page to all; false when out of memory or the page is no list. */
static bool take_items(json_t *all, const json_t *page)
{
    json_t *items = json_object_get(page, "items");

    return json_is_array(items) && json_array_extend(json_object_get(all, "items"), items) == 0;
}

int clv_cli_list(clv_cli_ctx *ctx, const clv_cli_path *path, bool all, json_t **out)
{
    json_t *page = NULL, *merged = NULL;
    const char *cursor;
    clv_cli_path p = *path;
    int rc = clv_cli_api(ctx, "GET", &p, NULL, NULL, &page);

    *out = NULL;
    if (rc != CLV_EXIT_OK || !all) {
        *out = page;
        return rc;
    }
    merged = json_pack("{s:[], s:n}", "items", "next_cursor");
    for (int n = 0; rc == CLV_EXIT_OK && n < MAX_PAGES; n++) {
        if (merged == NULL || !take_items(merged, page)) {
            fputs("clavis: the server's answer is not a list\n", stderr);
            rc = CLV_EXIT_REFUSED;
            break;
        }
        if ((cursor = json_string_value(json_object_get(page, "next_cursor"))) == NULL)
            break;
        p = *path;
        clv_cli_path_query(&p, "cursor", cursor);
        json_decref(page);
        page = NULL;
        rc = clv_cli_api(ctx, "GET", &p, NULL, NULL, &page);
    }
    json_decref(page);
    if (rc == CLV_EXIT_OK) {
        clv_free_secret(ctx->raw); /* the output is the merged list, not the last page */
        ctx->raw = NULL;
        *out = merged;
    } else {
        json_decref(merged);
    }
    return rc;
}
