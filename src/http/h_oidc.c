/* h_oidc — GET|POST /userinfo (OIDC Core §5.3, RFC 6750) and GET|POST /logout
 * (RP-Initiated Logout 1.0, docs/DESIGN.md R18). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "http/browser.h"
#include "http/handlers.h"
#include "oauth/logout.h"
#include "oauth/oidc.h"
#include "oauth/session.h"

/* ---- userinfo ---- */

static bool is_form(const clv_req *r)
{
    const char *ct = clv_req_header(r, "Content-Type");
    const char *want = "application/x-www-form-urlencoded";

    return ct != NULL && strncasecmp(ct, want, strlen(want)) == 0 &&
           (ct[strlen(want)] == '\0' || ct[strlen(want)] == ';');
}

/* RFC 6750 §2.1 (header) and §2.2 (form body, POST only); one method per request. */
static clv_code bearer(const clv_req *r, clv_form *form, const char **token, clv_err *err)
{
    const char *authz = clv_req_header(r, "Authorization");
    size_t len;
    const char *body = clv_req_body(r, &len);
    clv_code rc;

    *token = NULL;
    if (strcmp(clv_req_method(r), "POST") == 0 && len > 0) {
        if (!is_form(r))
            return clv_fail(err, CLV_INVALID, "the body must be application/x-www-form-urlencoded");
        if ((rc = clv_form_parse(body, len, form, err)) != CLV_OK)
            return rc;
        *token = clv_form_get(form, "access_token");
    }
    if (authz != NULL) {
        if (*token != NULL)
            return clv_fail(err, CLV_INVALID, "use one way of sending the token, not two");
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return clv_fail(err, CLV_UNAUTHENTICATED, "a Bearer token is required");
        *token = authz + 7;
    }
    if (*token == NULL)
        return clv_fail(err, CLV_UNAUTHENTICATED, "a Bearer token is required");
    return CLV_OK;
}

/* RFC 6750 §3: WWW-Authenticate with the error (none when no token came at all). */
static void bearer_error(clv_resp *resp, const clv_err *err, bool had_token)
{
    char hdr[CLV_ERR_DETAIL_MAX + 96], desc[CLV_ERR_DETAIL_MAX];
    int status = clv_code_status(err->code);

    clv_resp_oauth_error(resp, err);
    snprintf(desc, sizeof desc, "%s", status >= 500 ? "internal error" : err->detail);
    for (char *p = desc; *p != '\0'; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
    if (!had_token)
        snprintf(hdr, sizeof hdr, "Bearer realm=\"clavis\"");
    else
        snprintf(hdr, sizeof hdr, "Bearer realm=\"clavis\", error=\"%s\", error_description=\"%s\"",
                 clv_code_oauth(err->code), desc);
    if (status == 401 || status == 403 || status == 400)
        clv_resp_header(resp, "WWW-Authenticate", hdr);
}

void clv_h_userinfo(clv_req *r, clv_resp *resp)
{
    clv_form form = {0};
    const char *token = NULL;
    char *client_id = NULL;
    json_t *out = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = bearer(r, &form, &token, &err)) == CLV_OK)
        rc = clv_oidc_userinfo(clv_req_app(r), token, &out, &client_id, &err);
    if (rc == CLV_OK) {
        clv_resp_json(resp, 200, out);
        clv_resp_header(resp, "Cache-Control", "no-store");
        clv_resp_header(resp, "Pragma", "no-cache");
    } else {
        bearer_error(resp, &err, token != NULL);
    }
    clv_cors_for_client(r, resp, client_id);
    free(client_id);
    clv_form_cleanup(&form);
}

/* ---- logout ---- */

static void cookie_path(const clv_app *app, char *out, size_t n)
{
    const char *p = strstr(app->cfg->issuer, "://");

    p = p != NULL ? strchr(p + 3, '/') : NULL;
    snprintf(out, n, "%s", p != NULL ? p : "/");
}

/* Ends the browser's session and tells it to drop the cookie. */
static void sign_out(clv_req *r, clv_resp *resp)
{
    clv_app *app = clv_req_app(r);
    char cookie[CLV_COOKIE_LEN], path[512];

    if (clv_req_cookie(r, CLV_COOKIE_SESSION, cookie, sizeof cookie))
        clv_session_end(app, cookie, NULL);
    cookie_path(app, path, sizeof path);
    clv_resp_cookie(resp, app, CLV_COOKIE_SESSION, "", path, "Lax", 0);
}

static void go(clv_req *r, clv_resp *resp, const char *url)
{
    clv_resp_empty(resp, 302);
    clv_resp_header(resp, "Location", url);
    clv_resp_header(resp, "Cache-Control", "no-store");
    sign_out(r, resp);
}

/* The session's CSRF binding for the logout form: the session cookie itself ("-" when the
 * browser has none, and then there is nothing to sign out of). */
static void logout_binding(const clv_req *r, char out[CLV_COOKIE_LEN])
{
    if (!clv_req_cookie(r, CLV_COOKIE_SESSION, out, CLV_COOKIE_LEN))
        snprintf(out, CLV_COOKIE_LEN, "-");
}

/* true when the hint names the user signed in here (or nobody is): RP-Initiated Logout §2
 * lets the OP ask when they differ. */
static bool hint_matches_session(clv_req *r, const clv_logout *lo)
{
    clv_app *app = clv_req_app(r);
    char cookie[CLV_COOKIE_LEN], sub[CLV_SUB_LEN];
    clv_user *u = NULL;
    int64_t at;
    bool same;

    if (!clv_req_cookie(r, CLV_COOKIE_SESSION, cookie, sizeof cookie) ||
        clv_session_find(app, cookie, NULL, &u, &at, NULL) != CLV_OK)
        return true;
    same = strcmp(u->tenant_id, lo->client->tenant_id) == 0 &&
           clv_oidc_subject(app, lo->client, u->id, sub) && strcmp(sub, lo->hint_sub) == 0;
    clv_user_free(u);
    return same;
}

static void confirm(clv_req *r, clv_resp *resp, const clv_logout *lo, const clv_form *q)
{
    clv_app *app = clv_req_app(r);
    char binding[CLV_COOKIE_LEN], csrf[CLV_CSRF_LEN];
    const char *uri = lo->redirect != NULL ? clv_form_get(q, "post_logout_redirect_uri") : NULL;
    const char *const kv[][2] = {{"client_id", lo->client != NULL ? lo->client->client_id : NULL},
                                 {"post_logout_redirect_uri", uri},
                                 {"state", uri != NULL ? clv_form_get(q, "state") : NULL}};

    logout_binding(r, binding);
    if (!clv_csrf_make(app, "logout", binding, clv_now() + CLV_CSRF_LIFETIME, csrf)) {
        clv_page_error(resp, 500, "Something went wrong", "internal error");
        return;
    }
    clv_page_logout(resp, app, csrf, kv, 3, lo->redirect);
}

static clv_code check(clv_req *r, const clv_form *f, bool hint, clv_logout *lo, clv_err *err)
{
    clv_logout_params p = {hint ? clv_form_get(f, "id_token_hint") : NULL,
                           clv_form_get(f, "client_id"),
                           clv_form_get(f, "post_logout_redirect_uri"), clv_form_get(f, "state")};

    return clv_logout_check(clv_req_app(r), &p, lo, err);
}

void clv_h_logout(clv_req *r, clv_resp *resp)
{
    clv_form q = {0};
    char repeated[CLV_ERR_FIELD_MAX];
    clv_logout lo = {0};
    clv_err err;

    clv_err_init(&err);
    if (clv_req_query_form(r, &q, repeated, &err) != CLV_OK || repeated[0] != '\0') {
        clv_page_error(resp, 400, "Cannot sign out",
                       repeated[0] != '\0' ? "a parameter is given more than once" : err.detail);
    } else if (check(r, &q, true, &lo, &err) != CLV_OK) {
        clv_log("error", "logout: %s: %s", clv_code_name(err.code), err.detail);
        clv_page_error(resp, 500, "Something went wrong", "internal error");
    } else if (lo.hint_valid && lo.redirect != NULL && hint_matches_session(r, &lo)) {
        go(r, resp, lo.redirect); /* docs/DESIGN.md R18: no confirmation needed */
    } else {
        confirm(r, resp, &lo, &q);
    }
    clv_logout_cleanup(&lo);
    clv_form_cleanup(&q);
}

void clv_h_logout_post(clv_req *r, clv_resp *resp)
{
    clv_form f = {0};
    clv_logout lo = {0};
    char binding[CLV_COOKIE_LEN];
    size_t len;
    const char *body = clv_req_body(r, &len);
    clv_err err;

    clv_err_init(&err);
    logout_binding(r, binding);
    if (!is_form(r) || clv_form_parse(body, len, &f, &err) != CLV_OK ||
        !clv_csrf_check(clv_req_app(r), "logout", binding, clv_form_get(&f, "csrf"), clv_now())) {
        clv_page_error(resp, 400, "Cannot sign out",
                       "The sign-out form has expired or is not valid (CSRF check failed).");
    } else if (check(r, &f, false, &lo, &err) != CLV_OK) {
        clv_log("error", "logout: %s: %s", clv_code_name(err.code), err.detail);
        clv_page_error(resp, 500, "Something went wrong", "internal error");
    } else if (lo.redirect != NULL) {
        go(r, resp, lo.redirect); /* registered for the client: allowed after confirmation */
    } else {
        clv_page_signed_out(resp);
        sign_out(r, resp);
    }
    clv_logout_cleanup(&lo);
    clv_form_cleanup(&f);
}
