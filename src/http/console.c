/* console — GET /console and everything under it (docs/API.md "The web console"): the
 * single-page app's files compiled into the binary (console_assets.h). Its assets live under
 * /console/assets/VERSION/, VERSION a hash of every asset, and are cached for good; every
 * other path is a route of the app and gets its index page, never cached, with the CSP of
 * docs/DESIGN.md D13 (no inline script or style; only this origin). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/config.h"
#include "core/console_client.h"
#include "http/browser.h"
#include "http/console_assets.h"
#include "http/handlers.h"

#define ASSETS "/console/assets/"

static const char console_csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const clv_console_asset *asset_named(const char *path)
{
    for (size_t i = 0; i < clv_console_asset_count; i++)
        if (strcmp(clv_console_assets[i].path, path) == 0)
            return &clv_console_assets[i];
    return NULL;
}

static void security_headers(clv_resp *resp)
{
    clv_resp_header(resp, "X-Content-Type-Options", "nosniff");
    clv_resp_header(resp, "Referrer-Policy", "no-referrer");
}

static void not_found(clv_resp *resp)
{
    free(resp->body);
    resp->status = 404;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = strdup("not found\n");
    resp->body_len = resp->body != NULL ? strlen(resp->body) : 0;
    security_headers(resp);
}

/* The placeholders of index.html and what replaces them. */
typedef struct {
    const char *name; /* "{{…}}" */
    const char *value;
} placeholder;

enum { PLACEHOLDERS = 5 };

/* The length of tmpl with every placeholder of ph replaced by its value, written into out
 * when out is not NULL. */
static size_t expand(const char *tmpl, const placeholder ph[PLACEHOLDERS], char *out)
{
    size_t n = 0;

    while (*tmpl != '\0') {
        const char *put = tmpl;
        size_t len = 1, skip = 1;
        for (int i = 0; i < PLACEHOLDERS; i++) {
            size_t nl = strlen(ph[i].name);
            if (strncmp(tmpl, ph[i].name, nl) == 0) {
                put = ph[i].value, len = strlen(put), skip = nl;
                break;
            }
        }
        if (out != NULL)
            memcpy(out + n, put, len);
        n += len;
        tmpl += skip;
    }
    return n;
}

static void index_headers(clv_resp *resp)
{
    /* RFC 9111 §5.2.2.4: revalidate every time, so a new binary's assets are found */
    clv_resp_header(resp, "Cache-Control", "no-cache");
    clv_resp_header(resp, "Content-Security-Policy", console_csp);
    clv_resp_header(resp, "X-Frame-Options", "DENY");
    security_headers(resp);
}

/* The tenant a link names (?tenant=ID; an empty ID is the init tenant, init_tenant),
 * escaped into out: its name, so that the page says whose console a link leads to before
 * anyone signs in (docs/DESIGN.md D13); empty without ?tenant= or when no tenant has that
 * id. */
static void linked_tenant(clv_req *r, const char *init_tenant, char *out, size_t n)
{
    const char *id = clv_req_query(r, "tenant");
    char name[808];

    out[0] = '\0';
    if (id == NULL)
        return;
    clv_console_tenant_name(clv_req_app(r), id[0] != '\0' ? id : init_tenant, name,
                            sizeof name);
    clv_html_escape(name, out, n);
}

/* The index page: the issuer (the app goes there when the browser came by another
 * origin, whose redirect URI would not match), its URLs under the issuer's path, the
 * init tenant (whose console client is clavis-console) and the name of the tenant a link
 * names. The last two come from memory, not the database (core/console_client.h). */
static void send_index(clv_req *r, clv_resp *resp)
{
    const clv_console_asset *index = asset_named("index.html");
    const char *issuer = clv_req_app(r)->cfg->issuer, *ipath = clv_config_issuer_path(issuer);
    char root[CLV_ISSUER_MAX + 16], assets[CLV_ISSUER_MAX + 64], init_tenant[64];
    char tenant_name[808 * 6];
    placeholder ph[PLACEHOLDERS] = {{"{{ROOT}}", root},
                                    {"{{ASSETS}}", assets},
                                    {"{{ISSUER}}", issuer},
                                    {"{{INIT_TENANT}}", init_tenant},
                                    {"{{TENANT_NAME}}", tenant_name}};
    size_t n;

    if (index == NULL) {
        not_found(resp);
        return;
    }
    snprintf(root, sizeof root, "%s/console", ipath);
    /* which tenant's console client is clavis-console (core/console_client.h); an id is
     * [a-z0-9_], nothing to escape */
    clv_console_init_tenant(clv_req_app(r), init_tenant, sizeof init_tenant);
    linked_tenant(r, init_tenant, tenant_name, sizeof tenant_name);
    snprintf(assets, sizeof assets, "%s" ASSETS "%s", ipath, clv_console_version);
    n = expand((const char *)index->data, ph, NULL);
    free(resp->body);
    if ((resp->body = malloc(n + 1)) == NULL) {
        clv_resp_empty(resp, 500);
        return;
    }
    expand((const char *)index->data, ph, resp->body);
    resp->body[n] = '\0';
    resp->body_len = n;
    resp->status = 200;
    resp->content_type = index->content_type;
    index_headers(resp);
}

/* true if an Accept-Encoding value takes gzip (RFC 9110 §12.5.3): "gzip" or "*" listed
 * without "q=0". */
static bool takes_gzip(const char *ae)
{
    while (ae != NULL && *ae != '\0') {
        size_t n = strcspn(ae, ","), name;
        char item[64], *p, *q;

        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), ae);
        p = item + strspn(item, " \t");
        name = strcspn(p, " \t;");
        q = strstr(p + name, "q=");
        if (((name == 4 && strncasecmp(p, "gzip", 4) == 0) || (name == 1 && *p == '*')) &&
            (q == NULL || strtod(q + 2, NULL) > 0))
            return true;
        ae += n + (ae[n] == ',');
    }
    return false;
}

/* An asset: rest is "VERSION/PATH". A version that is not this binary's is a 404, not the
 * current file: a cached index page of an older binary must not mix versions. */
static void send_asset(clv_req *r, const char *rest, clv_resp *resp)
{
    size_t vl = strlen(clv_console_version);
    const clv_console_asset *a;
    bool gz;

    if (strncmp(rest, clv_console_version, vl) != 0 || rest[vl] != '/' ||
        strcmp(rest + vl + 1, "index.html") == 0 || (a = asset_named(rest + vl + 1)) == NULL) {
        not_found(resp);
        return;
    }
    gz = a->gz_len < a->len && takes_gzip(clv_req_header(r, "Accept-Encoding"));
    free(resp->body);
    if ((resp->body = malloc((gz ? a->gz_len : a->len) + 1)) == NULL) {
        clv_resp_empty(resp, 500);
        return;
    }
    resp->body_len = gz ? a->gz_len : a->len;
    memcpy(resp->body, gz ? a->gz : a->data, resp->body_len + 1);
    resp->status = 200;
    resp->content_type = a->content_type;
    if (gz)
        clv_resp_header(resp, "Content-Encoding", "gzip");
    clv_resp_header(resp, "Vary", "Accept-Encoding");
    /* RFC 8246: the URL changes with the content */
    clv_resp_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
    security_headers(resp);
}

void clv_h_console(clv_req *r, clv_resp *resp)
{
    const char *path = clv_req_path(r);

    if (strncmp(path, ASSETS, strlen(ASSETS)) == 0)
        send_asset(r, path + strlen(ASSETS), resp);
    else
        send_index(r, resp);
}
