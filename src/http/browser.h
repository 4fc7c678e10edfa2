/* browser — what the browser-facing endpoints (/authorize, /logout) and the CORS-enabled ones
 * (/token, /userinfo, /revoke) share: cookies, the HTML pages (pages.c) and the
 * Access-Control-* headers (cors_headers.c). */
#ifndef CLV_HTTP_BROWSER_H
#define CLV_HTTP_BROWSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/form.h"
#include "http/http.h"

/* Cookie names (FLOWS.md): the signed-in session, and the value the sign-in form's CSRF
 * token is bound to. Under an https issuer they travel as __Host-clv_session and
 * __Host-clv_csrf (cookie.c); the functions below take and add the prefix. */
#define CLV_COOKIE_SESSION "clv_session"
#define CLV_COOKIE_CSRF "clv_csrf"

/* ---- cookies (cookie.c) ---- */
/* true if the issuer is https: browsers reach Clavis over TLS (cookies, HSTS). */
bool clv_issuer_https(const clv_app *app);

/* Copies the value of cookie name (its wire name: with __Host- under an https issuer)
 * from the Cookie header into out (size n); false if it is absent, empty or longer than
 * n - 1. */
bool clv_req_cookie(const clv_req *r, const char *name, char *out, size_t n);

/* Adds Set-Cookie: name=value; Path=path; Max-Age=max_age; HttpOnly; SameSite=same_site.
 * Under an https issuer: __Host-name, Path=/ whatever path says, and Secure (RFC 6265bis
 * §4.1.3.2). value "" with max_age 0 deletes the cookie. */
bool clv_resp_cookie(clv_resp *resp, const clv_app *app, const char *name, const char *value,
                     const char *path, const char *same_site, int64_t max_age);

/* ---- pages (pages.c) ---- */
/* Every page is self-contained HTML (no external asset) sent with the headers of
 * clv_page_headers. Everything shown is HTML-escaped. */

/* The headers of every HTML answer: Cache-Control: no-store, X-Frame-Options: DENY,
 * X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and a CSP of default-src
 * 'none', inline style only, frame-ancestors 'none' and form-action limited to the server
 * itself and the origin of target (where the flow continues; NULL: none). A page built
 * outside pages.c calls it. */
void clv_page_headers(clv_resp *resp, const char *target);

/* s HTML-escaped for text and double-quoted attribute values into out (n bytes, n > 0),
 * cut short at a whole character's entity rather than overflow. */
void clv_html_escape(const char *s, char *out, size_t n);

/* Called on every answer before it is sent (server.c): an HTML answer without a CSP gets
 * clv_page_headers (so no HTML leaves without them), and under an https issuer every
 * answer gets Strict-Transport-Security: max-age=31536000 (RFC 6797). */
void clv_page_secure(clv_resp *resp, const clv_app *app);

typedef struct {
    const char *client_name;
    const char *message;      /* shown as an alert, e.g. a wrong password; NULL: none */
    const char *username;     /* prefilled; NULL: empty */
    const char *csrf;         /* the CSRF token (hidden input "csrf") */
    const char *redirect_uri; /* where a successful sign-in redirects (CSP form-action) */
    const clv_form *params;   /* the request; names[] found in it become hidden inputs */
    const char *const *names; /* NULL-terminated */
    const char *console_of;   /* a tenant's console client (docs/DESIGN.md D13): the
                               * tenant's name, shown instead of client_name; NULL: another
                               * client */
} clv_signin_page;

void clv_page_signin(clv_resp *resp, const clv_app *app, int status, const clv_signin_page *pg);

/* The consent page (docs/DESIGN.md D3): the client's name, where it sends the browser back
 * (the redirect URI's origin), the scopes it asks for, and a form back to /authorize with
 * the request's hidden inputs, csrf, and a button "consent" of value allow or deny. */
typedef struct {
    const char *client_name;
    const char *scope;        /* space-separated */
    const char *csrf;
    const char *redirect_uri; /* shown by its origin; also the CSP form-action */
    const clv_form *params;
    const char *const *names; /* NULL-terminated */
    bool first_party;         /* else the page warns that the operator did not make it */
    const char *client_host;  /* a metadata document client's URL host (docs/AGENTS.md),
                               * shown as who vouches for it; else NULL */
} clv_consent_page;

void clv_page_consent(clv_resp *resp, const clv_app *app, const clv_consent_page *pg);

/* An error page (docs/DESIGN.md R19): HTTP status with title and message. */
void clv_page_error(clv_resp *resp, int status, const char *title, const char *message);

/* The logout confirmation (RP-Initiated Logout §2): a POST form to /logout with csrf and
 * the hidden inputs kv[0..n) (NULL values left out); target (may be NULL) is where it may
 * redirect afterwards (CSP form-action). */
void clv_page_logout(clv_resp *resp, const clv_app *app, const char *csrf,
                     const char *const kv[][2], size_t n, const char *target);

/* 429 "Too many attempts" with err's detail and Retry-After (RFC 6585 §4): a throttled
 * sign-in (oauth/session.h). */
void clv_page_throttled(clv_resp *resp, const clv_err *err);

/* "You are signed out." */
void clv_page_signed_out(clv_resp *resp);

/* ---- CORS (cors_headers.c) ---- */
/* Adds Access-Control-Allow-Origin (and Vary: Origin) when the request's Origin is allowed
 * for client_id (oauth/cors_policy.h); nothing for any other origin or client. NULL client_id:
 * only Vary. */
void clv_cors_for_client(const clv_req *r, clv_resp *resp, const char *client_id);

#endif
