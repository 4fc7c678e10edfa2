/* router — the route table of docs/DESIGN.md I1 and docs/API.md (see router.h): one row per route;
 * an admin route's row is all there is of it in src/http (docs/ARCHITECTURE.md "Where a change
 * goes"). */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "http/browser.h"
#include "http/handlers.h"

#include "core/metrics.h"

#include "admin/clients.h"
#include "admin/consents.h"
#include "admin/initial_access_tokens.h"
#include "admin/keys.h"
#include "admin/resources.h"
#include "admin/services.h"
#include "admin/settings.h"
#include "admin/testtoken.h"
#include "admin/users.h"

/* A route: a protocol route has its own handler; an admin route (handler NULL) is run by
 * clv_h_admin_run with what its clv_h_admin_route says (handlers.h). */
typedef struct {
    const char *method;
    const char *pattern; /* '*' is one captured path segment; a final '**' any rest */
    clv_handler handler;
    clv_h_admin_route admin;
} route;

enum {
    BODY = CLV_H_BODY,
    BODY_OPT = CLV_H_BODY_OPTIONAL,
    NO_STORE = CLV_H_NO_STORE,
    ETAG = CLV_H_ETAG,
    PAGE = CLV_H_PAGE,
    IF_MATCH = CLV_H_IF_MATCH
};

/* A protocol route: its handler does everything. */
#define ROUTE(m, path, handler) {m, path, handler, {0}}
/* The three shapes of an admin row: an operation with its success status and flags; a
 * lifecycle step (the action handed to the operation); a list (a page, and the query
 * parameters it filters on). */
#define ADMIN(m, path, fn, status, flags) {m, path, NULL, {fn, flags, status, 0, {NULL}}}
#define ACTION(m, path, fn, action, status) {m, path, NULL, {fn, 0, status, action, {NULL}}}
#define LIST(path, fn, ...) {"GET", path, NULL, {fn, PAGE, 200, 0, {__VA_ARGS__, NULL}}}

#define T "/admin/v1/tenants"
#define S "/admin/v1/services"
#define C "/admin/v1/clients"
#define U "/admin/v1/users"

static const route routes[] = {
    ROUTE("GET", "/.well-known/openid-configuration", clv_h_discovery_oidc),
    ROUTE("GET", "/.well-known/oauth-authorization-server", clv_h_discovery_oauth),
    ROUTE("GET", "/jwks", clv_h_jwks),
    ROUTE("POST", "/token", clv_h_token),
    ROUTE("POST", "/introspect", clv_h_introspect),
    ROUTE("POST", "/revoke", clv_h_revoke),
    /* end-user flows */
    ROUTE("GET", "/authorize", clv_h_authorize),
    ROUTE("POST", "/authorize", clv_h_authorize_post),
    ROUTE("GET", "/userinfo", clv_h_userinfo),
    ROUTE("POST", "/userinfo", clv_h_userinfo),
    ROUTE("GET", "/logout", clv_h_logout),
    ROUTE("POST", "/logout", clv_h_logout_post),
    ROUTE("OPTIONS", "/token", clv_h_preflight),
    ROUTE("OPTIONS", "/userinfo", clv_h_preflight),
    ROUTE("OPTIONS", "/revoke", clv_h_preflight),
    ROUTE("GET", "/console", clv_h_console),
    ROUTE("GET", "/console/**", clv_h_console),
    ROUTE("GET", "/healthz", clv_h_healthz),
    ROUTE("GET", "/readyz", clv_h_readyz),
    ROUTE("GET", "/metrics", clv_h_metrics),
    /* the admin API (docs/API.md) */
    ADMIN("POST", T, clv_admin_tenant_create, 201, BODY),
    ADMIN("GET", T, clv_admin_tenant_list, 200, PAGE),
    ADMIN("GET", T "/*", clv_admin_tenant_get, 200, 0),
    ADMIN("PATCH", T "/*", clv_admin_tenant_patch, 200, BODY),
    ADMIN("POST", S, clv_admin_service_create, 201, BODY),
    LIST(S, clv_admin_service_list, "status", "tenant_id"),
    ADMIN("GET", S "/*", clv_admin_service_get, 200, 0),
    ADMIN("PATCH", S "/*", clv_admin_service_patch, 200, BODY),
    ACTION("DELETE", S "/*", clv_admin_service_action, CLV_SERVICE_DELETE, 204),
    ACTION("POST", S "/*/approve", clv_admin_service_action, CLV_SERVICE_APPROVE, 200),
    ACTION("POST", S "/*/activate", clv_admin_service_action, CLV_SERVICE_ACTIVATE, 200),
    ACTION("POST", S "/*/deactivate", clv_admin_service_action, CLV_SERVICE_DEACTIVATE, 200),
    ACTION("POST", S "/*/restore", clv_admin_service_action, CLV_SERVICE_RESTORE, 200),
    ADMIN("POST", S "/*/resources", clv_admin_resource_create, 201, BODY),
    ADMIN("GET", S "/*/resources", clv_admin_resource_list, 200, 0),
    ADMIN("DELETE", S "/*/resources/*", clv_admin_resource_delete, 204, 0),
    ADMIN("POST", C, clv_admin_client_create, 201, BODY | NO_STORE),
    LIST(C, clv_admin_client_list, "status", "effective_status", "type", "service_id",
         "tenant_id", "q", "unused_since", "secret_expires_before"),
    ADMIN("GET", C "/*", clv_admin_client_get, 200, ETAG),
    ADMIN("PATCH", C "/*", clv_admin_client_patch, 200, BODY | IF_MATCH | ETAG),
    ACTION("DELETE", C "/*", clv_admin_client_action, CLV_CLIENT_DELETE, 200),
    ACTION("POST", C "/*/activate", clv_admin_client_action, CLV_CLIENT_ACTIVATE, 200),
    ACTION("POST", C "/*/deactivate", clv_admin_client_action, CLV_CLIENT_DEACTIVATE, 200),
    ACTION("POST", C "/*/restore", clv_admin_client_action, CLV_CLIENT_RESTORE, 200),
    ADMIN("POST", C "/*/revoke-tokens", clv_admin_client_revoke_tokens, 200, 0),
    ADMIN("GET", C "/*/secrets", clv_admin_secret_list, 200, 0),
    ADMIN("POST", C "/*/secrets", clv_admin_secret_add, 201, BODY_OPT | NO_STORE),
    ADMIN("DELETE", C "/*/secrets/*", clv_admin_secret_remove, 204, 0),
    ADMIN("POST", U, clv_admin_user_create, 201, BODY),
    LIST(U, clv_admin_user_list, "tenant_id"),
    ADMIN("GET", U "/*", clv_admin_user_get, 200, 0),
    ADMIN("PATCH", U "/*", clv_admin_user_patch, 200, BODY),
    ADMIN("DELETE", U "/*", clv_admin_user_delete, 204, 0),
    ADMIN("GET", U "/*/grants", clv_admin_user_grants, 200, PAGE),
    ADMIN("DELETE", U "/*/grants/*", clv_admin_user_grant_revoke, 204, 0),
    LIST("/admin/v1/audit", clv_admin_audit_list, "target", "actor", "tenant_id", "since"),
    ADMIN("GET", "/admin/v1/settings", clv_admin_settings_get, 200, 0),
    ADMIN("GET", "/admin/v1/keys", clv_admin_key_list, 200, 0),
    ADMIN("POST", "/admin/v1/keys/rotate", clv_admin_key_rotate, 201, BODY_OPT),
    ADMIN("POST", "/admin/v1/keys/publish", clv_admin_key_publish, 201, BODY_OPT),
    /* dynamic registration, test tokens */
    ROUTE("POST", "/register", clv_h_register_create),
    ROUTE("GET", "/register/*", clv_h_register_get),
    ROUTE("PUT", "/register/*", clv_h_register_put),
    ROUTE("DELETE", "/register/*", clv_h_register_delete),
    ADMIN("POST", "/admin/v1/initial-access-tokens", clv_admin_iat_create, 201, BODY | NO_STORE),
    {"GET", "/admin/v1/initial-access-tokens", NULL,
     {clv_admin_iat_list, 0, 200, 0, {"service_id", "tenant_id", NULL}}},
    ADMIN("POST", C "/*/test-token", clv_admin_test_token, 201, BODY_OPT | NO_STORE),
};

enum { ROUTES = sizeof routes / sizeof routes[0], NAME_MAX_LEN = 96 };

/* The endpoints of /metrics: one per distinct pattern, then "other" (clv_router_init). */
static unsigned route_endpoint[ROUTES];
static char endpoint_names[CLV_METRICS_ENDPOINTS][NAME_MAX_LEN];
static size_t endpoint_count;

/* pattern with each '*' written "{id}". */
static void endpoint_name(const char *pattern, char out[NAME_MAX_LEN])
{
    size_t o = 0;

    for (; *pattern != '\0' && o + 5 < NAME_MAX_LEN; pattern++) {
        if (*pattern == '*') {
            memcpy(out + o, "{id}", 4);
            o += 4;
        } else {
            out[o++] = *pattern;
        }
    }
    out[o] = '\0';
}

void clv_router_init(void)
{
    endpoint_count = 0;
    for (size_t k = 0; k < ROUTES; k++) {
        size_t j = 0;
        while (j < k && strcmp(routes[j].pattern, routes[k].pattern) != 0)
            j++;
        if (j < k) {
            route_endpoint[k] = route_endpoint[j];
        } else if (endpoint_count + 1 < CLV_METRICS_ENDPOINTS) {
            route_endpoint[k] = (unsigned)endpoint_count;
            endpoint_name(routes[k].pattern, endpoint_names[endpoint_count++]);
        } else {
            route_endpoint[k] = CLV_METRICS_ENDPOINTS - 1; /* not counted (ignored) */
        }
    }
    snprintf(endpoint_names[endpoint_count++], NAME_MAX_LEN, "other");
}

size_t clv_router_endpoint_count(void)
{
    return endpoint_count;
}

const char *clv_router_endpoint_name(size_t i)
{
    return i < endpoint_count ? endpoint_names[i] : "other";
}

size_t clv_router_endpoint_of(const char *name)
{
    size_t i = 0;

    while (i + 1 < endpoint_count && strcmp(endpoint_names[i], name) != 0)
        i++;
    return i;
}

/* Matches path against pattern, capturing '*' segments into r's params (pointing into
 * buf, which holds a copy of path whose '/' separators are turned into NULs). */
static bool decode(const char *raw, size_t n, char *out, size_t cap);

/* Matches the raw path against pattern, capturing '*' segments, percent-decoded, into r's
 * params (pointing into buf). A segment is cut at a '/' of the raw path, so an encoded
 * "%2F" stays inside it: a client_id that is a URL (docs/AGENTS.md) is one segment. */
static bool match(clv_req *r, const char *pattern, const char *path, char *buf)
{
    int nparam = 0;
    size_t i = 0;

    while (*pattern != '\0') {
        if (strcmp(pattern, "**") == 0) /* the rest, whatever it is (the console's routes) */
            return true;
        if (*pattern == '*') {
            size_t len = strcspn(path, "/");
            if (len == 0 || nparam == CLV_ROUTE_PARAMS || !decode(path, len, buf + i, CLV_PATH_MAX - i))
                return false;
            clv_req_set_param(r, nparam++, buf + i);
            i += strlen(buf + i) + 1;
            path += len;
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *path == '\0';
}

static void refuse(clv_req *r, clv_resp *resp, clv_code code, const char *detail)
{
    clv_err err;

    clv_err_init(&err);
    clv_fail(&err, code, "%s", detail);
    if (strncmp(clv_req_path(r), "/admin/", 7) == 0)
        clv_resp_problem(resp, &err);
    else if (strcmp(clv_req_path(r), "/authorize") == 0 || strcmp(clv_req_path(r), "/logout") == 0)
        clv_page_error(resp, clv_code_status(code), "Bad request", detail); /* browsers: HTML */
    else
        clv_resp_oauth_error(resp, &err);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes n bytes of raw into out (cap bytes, NUL-terminated). An encoded NUL, a
 * bad escape or too little room is refused. */
static bool decode(const char *raw, size_t n, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = raw[i];
        if (o + 1 >= cap)
            return false;
        if (c == '%') {
            int hi = i + 1 < n ? hexval(raw[i + 1]) : -1;
            int lo = hi >= 0 && i + 2 < n ? hexval(raw[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

void clv_router_dispatch(clv_req *r, clv_resp *resp)
{
    char path[CLV_PATH_MAX];
    const char *method = clv_req_method(r);
    char *buf = clv_req_path_buf(r);
    char allow[64] = "";
    clv_err err;

    clv_err_init(&err);
    if (!decode(clv_req_path(r), strlen(clv_req_path(r)), path, sizeof path)) {
        refuse(r, resp, CLV_NOT_FOUND, "no such endpoint");
        return;
    }
    /* docs/DESIGN.md R13: invalid UTF-8 anywhere — the (unescaped) path or the query — is a 400. */
    if (!clv_utf8_valid(path, strlen(path))) {
        refuse(r, resp, CLV_INVALID, "the path is not valid UTF-8");
        return;
    }
    if (clv_req_check_query(r, &err) != CLV_OK) {
        refuse(r, resp, CLV_INVALID, err.detail);
        return;
    }
    for (size_t k = 0; k < sizeof routes / sizeof routes[0]; k++) {
        if (!match(r, routes[k].pattern, clv_req_path(r), buf))
            continue;
        clv_req_set_endpoint(r, route_endpoint[k]);
        if (strcmp(routes[k].method, method) == 0) {
            if (routes[k].handler != NULL)
                routes[k].handler(r, resp);
            else
                clv_h_admin_run(r, resp, &routes[k].admin);
            return;
        }
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof allow - used, "%s%s", used > 0 ? ", " : "",
                 routes[k].method);
    }
    if (allow[0] != '\0') {
        refuse(r, resp, CLV_METHOD, "this method is not allowed here");
        clv_resp_header(resp, "Allow", allow); /* RFC 9110 §15.5.6 */
    } else
        refuse(r, resp, CLV_NOT_FOUND, "no such endpoint");
}
