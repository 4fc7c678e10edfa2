/* h_authorize — GET and POST /authorize: the authorization code flow's browser side
 * (RFC 6749 §4.1, docs/DESIGN.md I1, R17, R19, R22). The request is checked by
 * oauth/authorize.c the same way on both methods; GET goes straight back to the client
 * when a session cookie names a usable sign-in, else shows the sign-in form; POST checks
 * the form's CSRF token and the password, starts a session and goes back with a code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "core/console_client.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "http/browser.h"
#include "http/handlers.h"
#include "oauth/authorize.h"
#include "oauth/cimd.h"
#include "oauth/consent.h"
#include "oauth/session.h"

enum { PATH_MAX_LEN = 512 };

/* issuer's path (if it has one) + suffix: cookies must reach the endpoints under it. */
static void issuer_path(const clv_app *app, const char *suffix, char *out, size_t n)
{
    const char *p = strstr(app->cfg->issuer, "://");

    p = p != NULL ? strchr(p + 3, '/') : NULL;
    snprintf(out, n, "%s%s", p != NULL ? p : "", suffix);
    if (out[0] == '\0')
        snprintf(out, n, "/");
}

static void params_from(const clv_form *f, const char *repeated, clv_authz_params *p)
{
    memset(p, 0, sizeof *p);
    p->client_id = clv_form_get(f, "client_id");
    p->redirect_uri = clv_form_get(f, "redirect_uri");
    p->response_type = clv_form_get(f, "response_type");
    p->scope = clv_form_get(f, "scope");
    p->state = clv_form_get(f, "state");
    p->nonce = clv_form_get(f, "nonce");
    p->code_challenge = clv_form_get(f, "code_challenge");
    p->code_challenge_method = clv_form_get(f, "code_challenge_method");
    p->prompt = clv_form_get(f, "prompt");
    p->max_age = clv_form_get(f, "max_age");
    p->response_mode = clv_form_get(f, "response_mode");
    p->request = clv_form_get(f, "request");
    p->request_uri = clv_form_get(f, "request_uri");
    p->resource = clv_form_get(f, "resource");
    p->repeated = repeated != NULL && repeated[0] != '\0' ? repeated : NULL;
}

static void redirect(clv_resp *resp, char *url)
{
    if (url == NULL) {
        clv_page_error(resp, 500, "Something went wrong", "internal error");
        return;
    }
    clv_resp_empty(resp, 302);
    clv_resp_header(resp, "Location", url);
    clv_resp_header(resp, "Cache-Control", "no-store");
    clv_resp_header(resp, "Referrer-Policy", "no-referrer");
    free(url);
}

/* RFC 6749 §4.1.2.1: back to a verified redirect URI with error, error_description, state
 * and iss (RFC 9207); without one, a page and never a redirect (docs/DESIGN.md R19). */
static void fail(clv_req *r, clv_resp *resp, const clv_authz *a, const clv_err *err)
{
    int status = clv_code_status(err->code);
    const char *detail = status >= 500 ? clv_resp_public_detail(err) : err->detail;
    /* docs/DESIGN.md D15: busy or throttled, shown as such (429, 503, Retry-After) */
    bool later = err->code == CLV_THROTTLED || err->code == CLV_UNAVAILABLE;
    char text[CLV_ERR_TEXT_MAX];

    if (status >= 500)
        clv_log("error", "authorize: %s: %s", clv_code_name(err->code), err->detail);
    if (a->redirect_uri == NULL) {
        snprintf(text, sizeof text, "%s%s", later ? "temporarily_unavailable: " : "", detail);
        clv_page_error(resp, later ? status : status >= 500 ? 500 : 400, "Cannot sign in", text);
        clv_resp_retry_after(resp, err);
        return;
    }
    const char *const kv[][2] = {{"error", clv_code_oauth(err->code)},
                                 {"error_description", detail},
                                 {"state", a->state},
                                 {"iss", clv_req_app(r)->cfg->issuer}};
    redirect(resp, clv_authz_redirect_url(a->redirect_uri, kv, 4));
}

/* The CSRF token of a form (purpose "authorize" or "consent"), bound to the clv_csrf
 * cookie, which is kept when the browser already has one (so that two tabs do not
 * invalidate each other's form) and set on resp. */
static bool form_csrf(clv_req *r, clv_resp *resp, const char *purpose, char csrf[CLV_CSRF_LEN])
{
    clv_app *app = clv_req_app(r);
    char binding[CLV_COOKIE_LEN], path[PATH_MAX_LEN];
    bool have = clv_req_cookie(r, CLV_COOKIE_CSRF, binding, sizeof binding) &&
                clv_cookie_value_valid(binding);

    if ((!have && !clv_cookie_value_new(binding)) ||
        !clv_csrf_make(app, purpose, binding, clv_now() + CLV_CSRF_LIFETIME, csrf))
        return false;
    issuer_path(app, "/authorize", path, sizeof path);
    return clv_resp_cookie(resp, app, CLV_COOKIE_CSRF, binding, path, "Strict", CLV_CSRF_LIFETIME);
}

/* The consent page (docs/DESIGN.md D3) for u, its answer posted back to /authorize with a
 * CSRF token made for this user, client and scope (clv_consent_purpose). */
static void show_consent(clv_req *r, clv_resp *resp, const clv_authz *a, const clv_user *u,
                         const clv_form *params)
{
    char csrf[CLV_CSRF_LEN], *purpose = clv_consent_purpose(a, u);
    clv_consent_page pg = {a->client->name,       a->scope, csrf,
                           a->redirect_uri,       params,   clv_authz_form_params,
                           a->client->first_party, NULL};
    char host[256];

    if (clv_cimd_client_host(a->client, host, sizeof host))
        pg.client_host = host;
    if (purpose == NULL || !form_csrf(r, resp, purpose, csrf))
        clv_page_error(resp, 500, "Something went wrong", "internal error");
    else
        clv_page_consent(resp, clv_req_app(r), &pg);
    free(purpose);
}

/* Issues the code and sends the browser back with it (RFC 6749 §4.1.2, RFC 9207) — unless
 * the user must consent first (params: the request, for the consent page; NULL when the
 * user has just consented). */
static void complete(clv_req *r, clv_resp *resp, clv_authz *a, const clv_user *u, int64_t auth_time,
                     const clv_form *params)
{
    clv_app *app = clv_req_app(r);
    char code[CLV_TOKEN_LEN];
    bool ask = false;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if ((rc = clv_authz_user_scope(a, u, &err)) == CLV_OK && params != NULL)
        rc = clv_consent_needed(app, a, u, &ask, &err);
    if (rc == CLV_OK && ask && a->prompt_none) /* OIDC Core §3.1.2.6 */
        rc = clv_fail(&err, CLV_CONSENT_REQUIRED, "the user has not allowed this client");
    if (rc == CLV_OK && ask) {
        show_consent(r, resp, a, u, params);
        return;
    }
    if (rc != CLV_OK || (rc = clv_authz_issue_code(app, a, u, auth_time, code, &err)) != CLV_OK) {
        fail(r, resp, a, &err);
        return;
    }
    const char *const kv[][2] = {{"code", code}, {"state", a->state}, {"iss", app->cfg->issuer}};
    redirect(resp, clv_authz_redirect_url(a->redirect_uri, kv, 3));
    clv_wipe(code, sizeof code);
}

/* The name of the tenant whose console client c is into out (its id when the name cannot
 * be read), so that the sign-in page says whose console a link leads to (docs/DESIGN.md
 * D13); false for another client. */
static bool console_tenant(clv_app *app, const clv_client *c, char *out, size_t n)
{
    char id[CLV_CONSOLE_CLIENT_ID_MAX], init[CLV_ID_LEN];

    clv_console_client_id(c->tenant_id, id);
    clv_console_init_tenant(app, init, sizeof init);
    if (strcmp(c->client_id, id) != 0 &&
        (strcmp(c->client_id, CLV_CONSOLE_CLIENT_ID) != 0 || strcmp(c->tenant_id, init) != 0))
        return false;
    clv_console_tenant_name(app, c->tenant_id, out, n);
    if (out[0] == '\0')
        snprintf(out, n, "%s", c->tenant_id);
    return true;
}

/* The sign-in form. */
static void show_form(clv_req *r, clv_resp *resp, const clv_authz *a, const clv_form *params,
                      const char *message, const char *username)
{
    char csrf[CLV_CSRF_LEN], tenant[808]; /* a tenant name: 200 characters of UTF-8 */
    clv_signin_page pg = {a->client->name,      message, username, csrf, a->redirect_uri, params,
                          clv_authz_form_params, NULL};

    if (console_tenant(clv_req_app(r), a->client, tenant, sizeof tenant))
        pg.console_of = tenant;
    if (!form_csrf(r, resp, "authorize", csrf)) {
        clv_page_error(resp, 500, "Something went wrong", "internal error");
        return;
    }
    clv_page_signin(resp, clv_req_app(r), 200, &pg);
}

/* GET with a checked request: a usable session goes straight back (unless prompt=login or
 * max_age asks for a fresh sign-in); prompt=none without one is login_required. */
static void start(clv_req *r, clv_resp *resp, clv_authz *a, const clv_form *q)
{
    clv_app *app = clv_req_app(r);
    char cookie[CLV_COOKIE_LEN];
    clv_user *u = NULL;
    int64_t auth_time = 0;
    clv_err err;
    clv_code rc = CLV_NOT_FOUND;

    clv_err_init(&err);
    if (clv_req_cookie(r, CLV_COOKIE_SESSION, cookie, sizeof cookie))
        rc = clv_session_find(app, cookie, a->client->tenant_id, &u, &auth_time, &err);
    if (rc != CLV_OK && rc != CLV_NOT_FOUND) {
        fail(r, resp, a, &err);
        return;
    }
    if (rc == CLV_OK && !a->prompt_login && (a->max_age < 0 || clv_now() - auth_time <= a->max_age))
        complete(r, resp, a, u, auth_time, q);
    else if (!a->prompt_none)
        show_form(r, resp, a, q, NULL, NULL);
    else { /* OIDC Core §3.1.2.6 */
        clv_fail(&err, CLV_LOGIN_REQUIRED, "the user is not signed in");
        fail(r, resp, a, &err);
    }
    clv_user_free(u);
}

void clv_h_authorize(clv_req *r, clv_resp *resp)
{
    clv_form q = {0};
    char repeated[CLV_ERR_FIELD_MAX];
    clv_authz_params p;
    clv_authz a = {0};
    clv_err err;

    clv_err_init(&err);
    if (clv_req_query_form(r, &q, repeated, &err) != CLV_OK) {
        clv_page_error(resp, 400, "Cannot sign in", err.detail);
    } else {
        params_from(&q, repeated, &p);
        p.addr = clv_req_addr(r);
        if (clv_authz_check(clv_req_app(r), &p, &a, &err) != CLV_OK)
            fail(r, resp, &a, &err);
        else
            start(r, resp, &a, &q);
    }
    clv_authz_cleanup(&a);
    clv_form_cleanup(&q);
}

/* The POST's body: a form (anything else is a 400 page, never a redirect). */
static clv_code read_post(const clv_req *r, clv_form *form, clv_err *err)
{
    const char *ct = clv_req_header(r, "Content-Type");
    const char *want = "application/x-www-form-urlencoded";
    size_t len;
    const char *body = clv_req_body(r, &len);

    if (ct == NULL || strncasecmp(ct, want, strlen(want)) != 0 ||
        (ct[strlen(want)] != '\0' && ct[strlen(want)] != ';'))
        return clv_fail(err, CLV_INVALID, "the sign-in form must be sent as a form");
    return clv_form_parse(body, len, form, err);
}

/* Signed in: a new session (a fresh cookie value, never the one the browser brought:
 * session fixation), then back to the client, or on to the consent page. */
static void signed_in(clv_req *r, clv_resp *resp, clv_authz *a, const clv_user *u,
                      const clv_form *f)
{
    clv_app *app = clv_req_app(r);
    char old[CLV_COOKIE_LEN], cookie[CLV_COOKIE_LEN], path[PATH_MAX_LEN];
    int64_t now = clv_now();
    clv_err err;

    clv_err_init(&err);
    if (clv_req_cookie(r, CLV_COOKIE_SESSION, old, sizeof old))
        clv_session_end(app, old, NULL);
    if (clv_session_start(app, u, now, cookie, &err) != CLV_OK) {
        fail(r, resp, a, &err);
        return;
    }
    complete(r, resp, a, u, now, f);
    if (resp->status == 302 || resp->status == 200) { /* 200: the consent page */
        issuer_path(app, "", path, sizeof path);
        clv_resp_cookie(resp, app, CLV_COOKIE_SESSION, cookie, path, "Lax", CLV_SESSION_LIFETIME);
    }
    if (resp->status == 302) {
        issuer_path(app, "/authorize", path, sizeof path);
        clv_resp_cookie(resp, app, CLV_COOKIE_CSRF, "", path, "Strict", 0);
    }
    clv_wipe(cookie, sizeof cookie);
}

/* The form was checked as a request; now its CSRF token, then the password. */
static void post_checked(clv_req *r, clv_resp *resp, clv_authz *a, const clv_form *f)
{
    clv_app *app = clv_req_app(r);
    char binding[CLV_COOKIE_LEN];
    clv_user *u = NULL;
    clv_err err;
    clv_code rc;

    clv_err_init(&err);
    if (!clv_req_cookie(r, CLV_COOKIE_CSRF, binding, sizeof binding) ||
        !clv_csrf_check(app, "authorize", binding, clv_form_get(f, "csrf"), clv_now())) {
        clv_page_error(resp, 400, "Cannot sign in",
                       "The sign-in form has expired or is not valid (CSRF check failed).");
        return;
    }
    rc = clv_signin(app, a->client->tenant_id, clv_form_get(f, "username"),
                    clv_form_get(f, "password"), clv_req_addr(r), &u, &err);
    if (rc == CLV_ACCESS_DENIED)
        show_form(r, resp, a, f, "Wrong username or password.", clv_form_get(f, "username"));
    else if (rc == CLV_THROTTLED) /* 429 + Retry-After (RFC 6585 §4), a page, no redirect */
        clv_page_throttled(resp, &err);
    else if (rc != CLV_OK)
        fail(r, resp, a, &err);
    else
        signed_in(r, resp, a, u, f);
    clv_user_free(u);
}

/* true if the form's CSRF token was made for this browser, user, client and scope. */
static bool consent_csrf_ok(clv_req *r, const clv_authz *a, const clv_user *u, const clv_form *f)
{
    char binding[CLV_COOKIE_LEN], *purpose = clv_consent_purpose(a, u);
    bool ok = purpose != NULL && clv_req_cookie(r, CLV_COOKIE_CSRF, binding, sizeof binding) &&
              clv_csrf_check(clv_req_app(r), purpose, binding, clv_form_get(f, "csrf"), clv_now());

    free(purpose);
    return ok;
}

/* The consent page's answer: the session that was shown the page, the scope fitted to its
 * user as it was for the page, then the CSRF token made for both; allow remembers the
 * consent and issues the code, deny goes back with access_denied. */
static void consent_posted(clv_req *r, clv_resp *resp, clv_authz *a, const clv_form *f)
{
    clv_app *app = clv_req_app(r);
    const char *answer = clv_form_get(f, "consent");
    char cookie[CLV_COOKIE_LEN], path[PATH_MAX_LEN];
    clv_user *u = NULL;
    int64_t auth_time = 0;
    clv_err err;
    clv_code rc = CLV_NOT_FOUND;

    clv_err_init(&err);
    if (!clv_req_cookie(r, CLV_COOKIE_CSRF, cookie, sizeof cookie)) { /* no form of ours */
        clv_page_error(resp, 400, "Cannot sign in",
                       "The consent form has expired or is not valid (CSRF check failed).");
        return;
    }
    if (clv_req_cookie(r, CLV_COOKIE_SESSION, cookie, sizeof cookie))
        rc = clv_session_find(app, cookie, a->client->tenant_id, &u, &auth_time, &err);
    if (rc == CLV_OK)
        rc = clv_authz_user_scope(a, u, &err);
    if (rc == CLV_NOT_FOUND)
        show_form(r, resp, a, f, "Your session has ended: sign in again.", NULL);
    else if (rc != CLV_OK)
        fail(r, resp, a, &err);
    else if (!consent_csrf_ok(r, a, u, f))
        clv_page_error(resp, 400, "Cannot sign in",
                       "The consent form has expired or is not valid (CSRF check failed).");
    else if (strcmp(answer, "allow") != 0) {
        clv_fail(&err, CLV_ACCESS_DENIED, "the user did not allow this client");
        fail(r, resp, a, &err);
    } else if ((rc = clv_consent_grant(app, a, u, &err)) != CLV_OK)
        fail(r, resp, a, &err);
    else
        complete(r, resp, a, u, auth_time, NULL);
    if (resp->status == 302) {
        issuer_path(app, "/authorize", path, sizeof path);
        clv_resp_cookie(resp, app, CLV_COOKIE_CSRF, "", path, "Strict", 0);
    }
    clv_user_free(u);
}

void clv_h_authorize_post(clv_req *r, clv_resp *resp)
{
    clv_form f = {0};
    clv_authz_params p;
    clv_authz a = {0};
    clv_err err;

    clv_err_init(&err);
    if (read_post(r, &f, &err) != CLV_OK) {
        clv_page_error(resp, 400, "Cannot sign in", err.detail);
    } else {
        params_from(&f, NULL, &p);
        p.addr = clv_req_addr(r);
        if (clv_authz_check(clv_req_app(r), &p, &a, &err) != CLV_OK)
            fail(r, resp, &a, &err);
        else if (clv_form_get(&f, "consent") != NULL)
            consent_posted(r, resp, &a, &f);
        else
            post_checked(r, resp, &a, &f);
    }
    clv_authz_cleanup(&a);
    clv_form_cleanup(&f);
}
