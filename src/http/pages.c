/* pages — the HTML pages of the browser flows: sign-in, errors, logout (see browser.h). They
 * are built from fixed markup and escaped values, with their own inline style and no
 * external asset, so that a CSP of default-src 'none' holds. Every HTML answer gets its
 * security headers here (clv_page_headers), and every answer its HSTS (clv_page_secure). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "base/uri.h"
#include "crypto/hash.h"
#include "http/browser.h"

enum { PAGE_INITIAL = 4096, PAGE_MAX = 256 * 1024, CSP_MAX = 1024 };

#define STYLE_OPEN "<style>"
#define STYLE_CLOSE "</style>"

static const char style[] =
    STYLE_OPEN
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}"
    "main{max-width:22rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12)}"
    "h1{font-size:1.4rem;margin:0 0 .5rem}p{line-height:1.4}"
    "label{display:block;margin:1rem 0 .25rem;font-weight:600}"
    "input{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem;border:1px solid #9aa;"
    "border-radius:4px}"
    "button{margin-top:1.5rem;width:100%;padding:.65rem;font-size:1rem;border:0;"
    "border-radius:4px;background:#1f5eff;color:#fff;cursor:pointer}"
    ".error{background:#fdecea;color:#8a1c12;padding:.6rem;border-radius:4px}" STYLE_CLOSE;

/* The CSP source that admits exactly the one style element above and no other inline style
 * (CSP3 §8.3 hash-source: "'sha256-" standard base64 of the element's text "'"), so that an
 * injected style attribute or element is refused. Made once. */
static char style_hash[64];
static pthread_once_t style_once = PTHREAD_ONCE_INIT;

static void make_style_hash(void)
{
    const char *text = style + sizeof STYLE_OPEN - 1;
    size_t n = sizeof style - 1 - (sizeof STYLE_OPEN - 1) - (sizeof STYLE_CLOSE - 1);
    unsigned char sum[32];
    char b64[48];
    size_t len;

    if (!clv_sha256(text, n, sum))
        return; /* style_hash stays "": the pages then carry no style, never an open CSP */
    len = clv_b64url_encode(sum, sizeof sum, b64);
    for (size_t i = 0; i < len; i++)
        b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
    snprintf(style_hash, sizeof style_hash, "'sha256-%.*s='", (int)len, b64);
}

/* A growing page buffer; any failure is remembered and reported once at the end. */
typedef struct {
    char *p;
    size_t len, cap;
    bool fail;
} page;

static void add_n(page *pg, const char *s, size_t n)
{
    if (pg->fail)
        return;
    if (pg->len + n + 1 > pg->cap) {
        size_t cap = pg->cap != 0 ? pg->cap : PAGE_INITIAL;
        char *q;
        while (cap < pg->len + n + 1)
            cap *= 2;
        if (cap > PAGE_MAX || (q = realloc(pg->p, cap)) == NULL) {
            pg->fail = true;
            return;
        }
        pg->p = q;
        pg->cap = cap;
    }
    memcpy(pg->p + pg->len, s, n);
    pg->len += n;
    pg->p[pg->len] = '\0';
}

static void add(page *pg, const char *s)
{
    add_n(pg, s, strlen(s));
}

/* What c becomes in HTML text and double-quoted attribute values alike: an entity, or
 * NULL for c itself. */
static const char *entity(char c)
{
    switch (c) {
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '&':
        return "&amp;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* Appends s HTML-escaped. */
static void esc(page *pg, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        const char *e = entity(*s);
        if (e != NULL)
            add(pg, e);
        else
            add_n(pg, s, 1);
    }
}

void clv_html_escape(const char *s, char *out, size_t n)
{
    size_t len = 0;

    for (; *s != '\0'; s++) {
        const char *e = entity(*s);
        size_t k = e != NULL ? strlen(e) : 1;
        if (len + k >= n)
            break;
        memcpy(out + len, e != NULL ? e : s, k);
        len += k;
    }
    out[len] = '\0';
}

static void hidden(page *pg, const char *name, const char *value)
{
    add(pg, "<input type=\"hidden\" name=\"");
    esc(pg, name);
    add(pg, "\" value=\"");
    esc(pg, value);
    add(pg, "\">");
}

static void begin(page *pg, const char *title)
{
    add(pg, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(pg, title);
    add(pg, " - Clavis</title>");
    add(pg, style);
    add(pg, "</head><body><main><h1>");
    esc(pg, title);
    add(pg, "</h1>");
}

/* The CSP source of where a form's flow continues: an http(s) origin, or a private-use
 * scheme ("com.example.app:"), so that browsers that apply form-action to the redirect
 * after a POST let it through (CSP3 §6.3.2). "" when there is none. */
static void csp_target(const char *uri, char *out, size_t n)
{
    size_t len;

    out[0] = '\0';
    if (uri == NULL || clv_uri_origin(uri, out, n))
        return;
    len = strspn(uri, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (len > 0 && uri[len] == ':' && len + 2 < n)
        snprintf(out, n, "%.*s:", (int)len, uri);
    out[strcspn(out, " ;,'\"")] = '\0';
}

void clv_page_headers(clv_resp *resp, const char *target)
{
    char csp[CSP_MAX], src[512];

    csp_target(target, src, sizeof src);
    pthread_once(&style_once, make_style_hash);
    snprintf(csp, sizeof csp,
             "default-src 'none'; style-src %s; "
             "form-action 'self'%s%s; frame-ancestors 'none'; base-uri 'none'",
             style_hash[0] != '\0' ? style_hash : "'none'", src[0] != '\0' ? " " : "", src);
    clv_resp_header(resp, "Cache-Control", "no-store");
    clv_resp_header(resp, "Pragma", "no-cache");
    clv_resp_header(resp, "Content-Security-Policy", csp);
    clv_resp_header(resp, "X-Frame-Options", "DENY");
    clv_resp_header(resp, "X-Content-Type-Options", "nosniff");
    clv_resp_header(resp, "Referrer-Policy", "no-referrer");
}

static bool has_header(const clv_resp *resp, const char *name)
{
    for (int i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->header_names[i], name) == 0)
            return true;
    return false;
}

void clv_page_secure(clv_resp *resp, const clv_app *app)
{
    if (resp->content_type != NULL && strncmp(resp->content_type, "text/html", 9) == 0 &&
        !has_header(resp, "Content-Security-Policy"))
        clv_page_headers(resp, NULL);
    /* RFC 6797 §7.1: one year; only an https issuer means browsers reach us over TLS */
    if (clv_issuer_https(app))
        clv_resp_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

/* Sends the page with the headers every page has. */
static void finish(clv_resp *resp, page *pg, int status, const char *target)
{
    add(pg, "</main></body></html>\n");
    if (pg->fail) {
        free(pg->p);
        pg->p = NULL;
        status = 500;
    }
    free(resp->body);
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = pg->p;
    resp->body_len = pg->p != NULL ? pg->len : 0;
    clv_page_headers(resp, target);
}

void clv_page_error(clv_resp *resp, int status, const char *title, const char *message)
{
    page pg = {0};

    begin(&pg, title);
    add(&pg, "<p class=\"error\" role=\"alert\">");
    esc(&pg, message);
    add(&pg, "</p><p>Go back to the application and try again.</p>");
    finish(resp, &pg, status, NULL);
}

static void form_open(page *pg, const clv_app *app, const char *path)
{
    add(pg, "<form method=\"post\" action=\"");
    esc(pg, app->cfg->issuer);
    esc(pg, path);
    add(pg, "\">");
}

void clv_page_signin(clv_resp *resp, const clv_app *app, int status, const clv_signin_page *in)
{
    page pg = {0};

    begin(&pg, "Sign in");
    if (in->console_of != NULL) { /* whose console, before a password is typed (D13) */
        add(&pg, "<p>to the console of <strong>&#8220;");
        esc(&pg, in->console_of);
        add(&pg, "&#8221;</strong></p>");
    } else {
        add(&pg, "<p>to continue to <strong>");
        esc(&pg, in->client_name);
        add(&pg, "</strong></p>");
    }
    if (in->message != NULL) {
        add(&pg, "<p class=\"error\" role=\"alert\">");
        esc(&pg, in->message);
        add(&pg, "</p>");
    }
    form_open(&pg, app, "/authorize");
    add(&pg, "<label for=\"username\">Username</label><input id=\"username\" name=\"username\" "
             "autocomplete=\"username\" autocapitalize=\"none\" required autofocus value=\"");
    esc(&pg, in->username);
    add(&pg, "\"><label for=\"password\">Password</label><input id=\"password\" "
             "name=\"password\" type=\"password\" autocomplete=\"current-password\" required>");
    hidden(&pg, "csrf", in->csrf);
    for (const char *const *n = in->names; *n != NULL; n++) {
        const char *v = clv_form_get(in->params, *n);
        if (v != NULL)
            hidden(&pg, *n, v);
    }
    add(&pg, "<button type=\"submit\">Sign in</button></form>");
    finish(resp, &pg, status, in->redirect_uri);
}

void clv_page_logout(clv_resp *resp, const clv_app *app, const char *csrf,
                     const char *const kv[][2], size_t n, const char *target)
{
    page pg = {0};

    begin(&pg, "Sign out");
    add(&pg, "<p>Do you want to sign out of Clavis?</p>");
    form_open(&pg, app, "/logout");
    hidden(&pg, "csrf", csrf);
    for (size_t i = 0; i < n; i++)
        if (kv[i][1] != NULL)
            hidden(&pg, kv[i][0], kv[i][1]);
    add(&pg, "<button type=\"submit\">Sign out</button></form>");
    finish(resp, &pg, 200, target);
}

void clv_page_throttled(clv_resp *resp, const clv_err *err)
{
    clv_page_error(resp, 429, "Too many attempts", err->detail);
    clv_resp_retry_after(resp, err);
}

void clv_page_signed_out(clv_resp *resp)
{
    page pg = {0};

    begin(&pg, "Signed out");
    add(&pg, "<p>You are signed out. You can close this window.</p>");
    finish(resp, &pg, 200, NULL);
}

/* The words of a scope as list items. */
static void scope_items(page *pg, const char *scope)
{
    add(pg, "<ul>");
    for (const char *p = scope; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, " ");
        if (n > 0) {
            char word[129];
            snprintf(word, sizeof word, "%.*s", (int)(n > 128 ? 128 : n), p);
            add(pg, "<li>");
            esc(pg, word);
            add(pg, "</li>");
        }
        p += n + (p[n] == ' ');
    }
    add(pg, "</ul>");
}

void clv_page_consent(clv_resp *resp, const clv_app *app, const clv_consent_page *in)
{
    char origin[512];
    page pg = {0};

    csp_target(in->redirect_uri, origin, sizeof origin);
    begin(&pg, "Allow access?");
    add(&pg, "<p><strong>");
    esc(&pg, in->client_name);
    add(&pg, "</strong> at <strong>");
    esc(&pg, origin[0] != '\0' ? origin : in->redirect_uri);
    add(&pg, "</strong> asks to use your account for:</p>");
    if (in->client_host != NULL) {
        add(&pg, "<p>It is identified by <strong>");
        esc(&pg, in->client_host);
        add(&pg, "</strong>: its name and addresses come from a document published there, "
                 "not from this server.</p>");
    }
    scope_items(&pg, in->scope[0] != '\0' ? in->scope : "(no scope: your sign-in only)");
    if (!in->first_party)
        add(&pg, "<p>It is not an application of this server's operator. Allow it only if "
                 "you trust it.</p>");
    form_open(&pg, app, "/authorize");
    hidden(&pg, "csrf", in->csrf);
    for (const char *const *n = in->names; *n != NULL; n++) {
        const char *v = clv_form_get(in->params, *n);
        if (v != NULL)
            hidden(&pg, *n, v);
    }
    add(&pg, "<button type=\"submit\" name=\"consent\" value=\"allow\">Allow</button>"
             "<button type=\"submit\" name=\"consent\" value=\"deny\">Deny</button></form>");
    finish(resp, &pg, 200, in->redirect_uri);
}
