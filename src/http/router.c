/* router — the route table of SPEC §2.1 and §4 (see router.h). */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "http/handlers.h"
#include "http/web.h"

typedef struct {
    const char *method;
    const char *pattern; /* '*' is one captured path segment */
    clv_handler handler;
} route;

static const route routes[] = {
    {"GET", "/.well-known/openid-configuration", clv_h_discovery_oidc},
    {"GET", "/.well-known/oauth-authorization-server", clv_h_discovery_oauth},
    {"GET", "/jwks", clv_h_jwks},
    {"POST", "/token", clv_h_token},
    {"POST", "/introspect", clv_h_introspect},
    {"POST", "/revoke", clv_h_revoke},
    /* end-user flows */
    {"GET", "/authorize", clv_h_authorize},
    {"POST", "/authorize", clv_h_authorize_post},
    {"GET", "/userinfo", clv_h_userinfo},
    {"POST", "/userinfo", clv_h_userinfo},
    {"GET", "/logout", clv_h_logout},
    {"POST", "/logout", clv_h_logout_post},
    {"OPTIONS", "/token", clv_h_preflight},
    {"OPTIONS", "/userinfo", clv_h_preflight},
    {"OPTIONS", "/revoke", clv_h_preflight},
    {"GET", "/healthz", clv_h_healthz},
    {"GET", "/readyz", clv_h_readyz},
    {"POST", "/admin/v1/tenants", clv_h_tenants_create},
    {"GET", "/admin/v1/tenants", clv_h_tenants_list},
    {"GET", "/admin/v1/tenants/*", clv_h_tenant_get},
    {"PATCH", "/admin/v1/tenants/*", clv_h_tenant_patch},
    {"POST", "/admin/v1/services", clv_h_services_create},
    {"GET", "/admin/v1/services", clv_h_services_list},
    {"GET", "/admin/v1/services/*", clv_h_service_get},
    {"PATCH", "/admin/v1/services/*", clv_h_service_patch},
    {"DELETE", "/admin/v1/services/*", clv_h_service_delete},
    {"POST", "/admin/v1/services/*/approve", clv_h_service_approve},
    {"POST", "/admin/v1/services/*/activate", clv_h_service_activate},
    {"POST", "/admin/v1/services/*/deactivate", clv_h_service_deactivate},
    {"POST", "/admin/v1/services/*/restore", clv_h_service_restore},
    {"POST", "/admin/v1/clients", clv_h_clients_create},
    {"GET", "/admin/v1/clients", clv_h_clients_list},
    {"GET", "/admin/v1/clients/*", clv_h_client_get},
    {"PATCH", "/admin/v1/clients/*", clv_h_client_patch},
    {"DELETE", "/admin/v1/clients/*", clv_h_client_delete},
    {"POST", "/admin/v1/clients/*/activate", clv_h_client_activate},
    {"POST", "/admin/v1/clients/*/deactivate", clv_h_client_deactivate},
    {"POST", "/admin/v1/clients/*/restore", clv_h_client_restore},
    {"POST", "/admin/v1/clients/*/revoke-tokens", clv_h_client_revoke_tokens},
    {"GET", "/admin/v1/clients/*/secrets", clv_h_secrets_list},
    {"POST", "/admin/v1/clients/*/secrets", clv_h_secrets_add},
    {"DELETE", "/admin/v1/clients/*/secrets/*", clv_h_secret_remove},
    {"POST", "/admin/v1/users", clv_h_users_create},
    {"GET", "/admin/v1/users", clv_h_users_list},
    {"GET", "/admin/v1/users/*", clv_h_user_get},
    {"PATCH", "/admin/v1/users/*", clv_h_user_patch},
    {"DELETE", "/admin/v1/users/*", clv_h_user_delete},
    {"GET", "/admin/v1/users/*/grants", clv_h_user_grants},
    {"DELETE", "/admin/v1/users/*/grants/*", clv_h_user_grant_revoke},
    {"GET", "/admin/v1/audit", clv_h_audit_list},
    /* dynamic registration, test tokens */
    {"POST", "/register", clv_h_register_create},
    {"GET", "/register/*", clv_h_register_get},
    {"PUT", "/register/*", clv_h_register_put},
    {"DELETE", "/register/*", clv_h_register_delete},
    {"POST", "/admin/v1/initial-access-tokens", clv_h_iat_create},
    {"POST", "/admin/v1/clients/*/test-token", clv_h_client_test_token},
};

/* Matches path against pattern, capturing '*' segments into r's params (pointing into
 * buf, which holds a copy of path whose '/' separators are turned into NULs). */
static bool match(clv_req *r, const char *pattern, const char *path, char *buf)
{
    int nparam = 0;
    size_t i = 0;

    while (*pattern != '\0') {
        if (*pattern == '*') {
            size_t len = strcspn(path, "/");
            if (len == 0 || nparam == CLV_ROUTE_PARAMS || i + len + 1 > CLV_PATH_MAX)
                return false;
            memcpy(buf + i, path, len);
            buf[i + len] = '\0';
            clv_req_set_param(r, nparam++, buf + i);
            i += len + 1;
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

/* Percent-decodes a raw path into out (size CLV_PATH_MAX). An encoded '/' or NUL is
 * refused: no id holds one, and decoding it would let one segment pose as two. */
static bool decode_path(const char *raw, char *out)
{
    size_t o = 0;

    for (size_t i = 0; raw[i] != '\0'; i++) {
        char c = raw[i];
        if (o + 1 >= CLV_PATH_MAX)
            return false;
        if (c == '%') {
            int hi = hexval(raw[i + 1]), lo = hi >= 0 ? hexval(raw[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            if (c == '/' || c == '\0')
                return false;
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
    if (!decode_path(clv_req_path(r), path)) {
        refuse(r, resp, CLV_NOT_FOUND, "no such endpoint");
        return;
    }
    /* SPEC §5.13: invalid UTF-8 anywhere — the (unescaped) path or the query — is a 400. */
    if (!clv_utf8_valid(path, strlen(path))) {
        refuse(r, resp, CLV_INVALID, "the path is not valid UTF-8");
        return;
    }
    if (clv_req_check_query(r, &err) != CLV_OK) {
        refuse(r, resp, CLV_INVALID, err.detail);
        return;
    }
    for (size_t k = 0; k < sizeof routes / sizeof routes[0]; k++) {
        if (!match(r, routes[k].pattern, path, buf))
            continue;
        if (strcmp(routes[k].method, method) == 0) {
            routes[k].handler(r, resp);
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
