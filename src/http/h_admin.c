/* h_admin — the one runner of every admin route (docs/DESIGN.md I2, docs/API.md): the bearer
 * authentication they share, then what the route's row of router.c asks for — body, page,
 * If-Match, query parameters — handed to its admin operation as a clv_admin_args, and the
 * answer with its status, ETag and Cache-Control. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/principal.h"
#include "http/handlers.h"

clv_code clv_h_admin_principal(clv_req *r, clv_principal *p, clv_err *err)
{
    const char *authz = clv_req_header(r, "Authorization");

    if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
        return clv_fail(err, CLV_UNAUTHENTICATED, CLV_NO_TOKEN);
    return clv_admin_principal(clv_req_app(r), authz + 7, p, err);
}

/* Sends out (stolen) with status on CLV_OK (204 drops it), else the problem for err. */
static void admin_reply(clv_resp *resp, clv_code rc, int status, json_t *out, const clv_err *err)
{
    if (rc != CLV_OK) {
        json_decref(out);
        clv_resp_problem(resp, err);
    } else if (out == NULL || status == 204) {
        json_decref(out);
        clv_resp_empty(resp, status);
    } else {
        clv_resp_json(resp, status, out);
    }
}

/* One entity tag of If-Match as a version: "N" or N, N written as our ETags are (decimal,
 * no leading zero); false for anything else, weak tags W/"N" included (RFC 9110 §13.1.1:
 * If-Match compares strongly). */
static bool tag_version(const char *p, size_t len, int64_t *out)
{
    int64_t v = 0;

    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
        p++;
        len -= 2;
    }
    if (len == 0 || (p[0] == '0' && len > 1))
        return false;
    for (size_t i = 0; i < len; i++) {
        int d = p[i] - '0';
        if (d < 0 || d > 9 || v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

clv_code clv_h_if_match_parse(const char *header, clv_version_match *m, clv_err *err)
{
    size_t max = 1;

    *m = (clv_version_match){0};
    if (strcmp(header, "*") == 0) {
        m->any = true;
        return CLV_OK;
    }
    for (const char *c = header; (c = strchr(c, ',')) != NULL; c++)
        max++;
    if ((m->versions = calloc(max, sizeof *m->versions)) == NULL)
        return clv_fail(err, CLV_NOMEM, "out of memory");
    for (const char *p = header; *p != '\0';) {
        size_t len;
        p += strspn(p, " ,");
        len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (tag_version(p, len, &m->versions[m->n]))
            m->n++;
        p += strcspn(p, ",");
    }
    return CLV_OK;
}

void clv_h_if_match_cleanup(clv_version_match *m)
{
    free(m->versions);
    *m = (clv_version_match){0};
}

/* Reads limit (1..100, default 50) and cursor (the router has checked the query is
 * UTF-8). */
static clv_code page_params(clv_req *r, int *limit, const char **cursor, clv_err *err)
{
    *cursor = clv_req_query(r, "cursor");
    return clv_req_query_int(r, "limit", 1, 100, 50, limit, err);
}

/* What the route's row asks of the request, into args: the JSON body (*in, the caller's
 * to free), the page, If-Match (match, the caller's to clean up) and the query
 * parameters the operation reads. */
static clv_code read_args(clv_req *r, const clv_h_admin_route *route, clv_admin_args *args,
                          json_t **in, clv_version_match *match, clv_err *err)
{
    const char *if_match = clv_req_header(r, "If-Match");
    clv_code rc = CLV_OK;

    if ((route->flags & (CLV_H_BODY | CLV_H_BODY_OPTIONAL)) &&
        (rc = clv_req_json_body(r, route->flags & CLV_H_BODY_OPTIONAL, in, err)) != CLV_OK)
        return rc;
    args->body = *in;
    if ((route->flags & CLV_H_PAGE) &&
        (rc = page_params(r, &args->limit, &args->cursor, err)) != CLV_OK)
        return rc;
    if ((route->flags & CLV_H_IF_MATCH) && if_match != NULL) {
        if ((rc = clv_h_if_match_parse(if_match, match, err)) != CLV_OK)
            return rc;
        args->if_match = match;
    }
    for (size_t i = 0; i < CLV_ADMIN_QUERY_MAX && route->query[i] != NULL; i++)
        args->query[i] = (clv_admin_param){route->query[i], clv_req_query(r, route->query[i])};
    return CLV_OK;
}

/* The answer's headers: its version as its ETag; no-store when it shows a secret or a
 * token, once. */
static void admin_headers(clv_resp *resp, const clv_h_admin_route *route, const json_t *out)
{
    if ((route->flags & CLV_H_ETAG) && out != NULL) {
        char etag[32]; /* the object's version is its entity tag */
        snprintf(etag, sizeof etag, "\"%lld\"",
                 (long long)json_integer_value(json_object_get(out, "version")));
        clv_resp_header(resp, "ETag", etag);
    }
    if (route->flags & CLV_H_NO_STORE) {
        clv_resp_header(resp, "Cache-Control", "no-store");
        clv_resp_header(resp, "Pragma", "no-cache");
    }
}

void clv_h_admin_run(clv_req *r, clv_resp *resp, const clv_h_admin_route *route)
{
    clv_principal p;
    clv_admin_args args = {.p = &p,
                           .id = clv_req_param(r, 0),
                           .id2 = clv_req_param(r, 1),
                           .action = route->action};
    clv_version_match match = {0};
    json_t *in = NULL, *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_h_admin_principal(r, &p, &err)) == CLV_OK &&
        (rc = read_args(r, route, &args, &in, &match, &err)) == CLV_OK)
        rc = route->fn(clv_req_app(r), &args, &out, &err);
    json_decref(in);
    clv_h_if_match_cleanup(&match);
    if (rc == CLV_OK)
        admin_headers(resp, route, out);
    admin_reply(resp, rc, route->status, out, &err);
}
